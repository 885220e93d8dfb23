"""Real processes for the server tests: `calckg serve` and a writable Oxigraph, on free loopback ports."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def calckg_server(dist: Path, *args: str, log: Path | None = None) -> Iterator[str]:
    """`python -m calckg serve --port 0` on the release in dist; yields its base URL (no trailing slash)."""
    err = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "calckg", "serve", "--port", "0", "--dist", str(dist), *args],
                            stdout=subprocess.PIPE, stderr=err, env=ENV, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("http://127.0.0.1:"), f"serve printed {line!r} (exit {proc.poll()})"
        yield line.rstrip("/")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            err.close()  # type: ignore[union-attr]


@contextmanager
def oxigraph_store(tmp: Path) -> Iterator[str]:
    """A writable `oxigraph serve` (the PyPI CLI) on a free port; yields its base URL."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp / "store"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(500):
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2).read()
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.02)
        else:
            raise RuntimeError("oxigraph did not start")
        yield base
    finally:
        proc.kill()
        proc.wait()


def request(base: str, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request; returns (status, lower-cased headers, body) for any status."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def form(query: str, key: str = "query") -> bytes:
    from urllib.parse import urlencode

    return urlencode({key: query}).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
