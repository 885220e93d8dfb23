"""The SPARQL engine behind `calckg serve`: an `oxigraph serve-read-only` subprocess on a private port.

A subprocess rather than in-process pyoxigraph because a query cannot be interrupted inside
pyoxigraph, and Oxigraph's own --timeout-s does not stop every plan (a large ORDER BY ran on, using
11 GB, long after its timeout). A query that overruns its deadline, or a process that grows past the
memory limit, is answered by starting a fresh process on the same read-only store (read-only
processes may share a store directory) and killing the old one; requests in flight on the old one
are retried once on the new one, as queries are safe to repeat.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import queue
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CANCELLED = b"The SPARQL operation has been cancelled"


class BackendError(RuntimeError):
    """The engine could not be started or did not answer."""


class QueryTimeout(RuntimeError):
    """The query ran past its deadline; `stopped` when the engine itself already cancelled it."""

    def __init__(self, message: str, *, stopped: bool = False) -> None:
        super().__init__(message)
        self.stopped = stopped


class ResultTooLarge(RuntimeError):
    """The result exceeded the size limit."""


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes


def oxigraph_executable() -> str:
    """The `oxigraph` CLI (PyPI package `oxigraph`), beside this Python or on PATH."""
    here = Path(sysconfig.get_path("scripts")) / "oxigraph"
    if here.exists():
        return str(here)
    found = shutil.which("oxigraph")
    if not found:
        raise BackendError("the 'oxigraph' server is not installed: python -m pip install oxigraph")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """Linux: the engine gets SIGKILL when the server process dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def load_store(files: list[Path], location: Path) -> None:
    """Load RDF files into a fresh Oxigraph store directory (the default graph)."""
    cmd = [oxigraph_executable(), "load", "--location", str(location)]
    for f in files:
        cmd += ["--file", str(f)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    if res.returncode != 0:
        raise BackendError(f"oxigraph load failed: {res.stderr.strip()[-500:]}")


def _rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _Process:
    def __init__(self, location: Path, timeout: float) -> None:
        self.port = free_port()
        cmd = [oxigraph_executable(), "serve-read-only", "--location", str(location),
               "--bind", f"127.0.0.1:{self.port}", "--timeout-s", str(max(1, int(timeout)))]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent if sys.platform == "linux" else None)

    def wait_ready(self, seconds: float = 30.0) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise BackendError(f"oxigraph exited with status {self.proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.02)
        self.kill()
        raise BackendError("oxigraph did not start in time")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


class OxigraphBackend:
    """A supervised read-only Oxigraph process answering SPARQL queries with deadlines and limits."""

    def __init__(self, files: list[Path], *, timeout: float = 5.0, max_result_bytes: int = 10_000_000,
                 max_memory_bytes: int = 2_000_000_000, max_concurrent: int = 16) -> None:
        self.timeout = timeout
        self.max_result_bytes = max_result_bytes
        self.max_memory_bytes = max_memory_bytes
        self._dir = Path(tempfile.mkdtemp(prefix="calckg-store-"))
        self.location = self._dir / "store"
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._stop = threading.Event()
        self.restarts = 0
        try:
            load_store(files, self.location)
            self._proc = _Process(self.location, timeout)
            self._proc.wait_ready()
        except BaseException:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise
        self._requests: queue.Queue[tuple[_Process | None, threading.Event]] = queue.Queue()
        self._supervisor = threading.Thread(target=self._supervise, name="oxigraph-supervisor", daemon=True)
        self._supervisor.start()

    @property
    def port(self) -> int:
        return self._proc.port

    # ------------------------------------------------------------------ supervision
    def restart(self, stale: _Process | None = None, wait: float = 30.0) -> None:
        """Ask the supervisor for a fresh engine (only if the current one is still `stale`, when given).

        Engines are started by the one long-lived supervisor thread: PR_SET_PDEATHSIG fires when the
        *thread* that forked the child ends, so a process started by a request thread would die with it.
        """
        done = threading.Event()
        self._requests.put((stale, done))
        done.wait(wait)

    def _replace(self, stale: _Process | None) -> None:
        with self._lock:
            if self._stop.is_set() or (stale is not None and self._proc is not stale):
                return
            fresh = _Process(self.location, self.timeout)
            fresh.wait_ready()
            old, self._proc = self._proc, fresh
            self.restarts += 1
        old.kill()

    def _supervise(self) -> None:
        while not self._stop.is_set():
            try:
                stale, done = self._requests.get(timeout=0.25)
            except queue.Empty:
                stale, done = None, None
                proc = self._proc
                code, rss = proc.proc.poll(), _rss_bytes(proc.proc.pid)
                if (code is None and rss <= self.max_memory_bytes) or self._stop.is_set():
                    continue
                why = f"exited with status {code}" if code is not None else f"uses {rss >> 20} MiB"
                print(f"calckg serve: the SPARQL engine {why}; restarting it", file=sys.stderr)
                stale = proc
            try:
                self._replace(stale)
            except BackendError as exc:  # keep supervising; the next round tries again
                print(f"calckg serve: restarting the SPARQL engine failed: {exc}", file=sys.stderr)
            finally:
                if done is not None:
                    done.set()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            self._proc.kill()
        shutil.rmtree(self._dir, ignore_errors=True)

    # ------------------------------------------------------------------ queries
    def query(self, query: str, accept: str, dataset: list[tuple[str, str]]) -> Answer:
        """Run one query; QueryTimeout past the deadline, ResultTooLarge past the size limit."""
        deadline = time.monotonic() + self.timeout
        if not self._slots.acquire(timeout=self.timeout):
            raise QueryTimeout(f"the server is busy; the query waited {self.timeout:g} s")
        try:
            for attempt in (0, 1):
                proc = self._proc
                try:
                    return self._ask(proc, query, accept, dataset, deadline)
                except QueryTimeout as exc:
                    if not exc.stopped:  # replace the engine that is still running it
                        self._requests.put((proc, threading.Event()))
                    raise
                except (OSError, http.client.HTTPException) as exc:
                    # the engine was replaced under this request (or died): retry once on the new one
                    if attempt or time.monotonic() >= deadline:
                        raise BackendError(f"the SPARQL engine failed: {exc}") from exc
                    if proc is self._proc:
                        self.restart(proc, wait=max(0.0, deadline - time.monotonic()))
            raise BackendError("unreachable")
        finally:
            self._slots.release()

    def _ask(self, proc: _Process, query: str, accept: str, dataset: list[tuple[str, str]],
             deadline: float) -> Answer:
        from urllib.parse import urlencode

        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout(f"the query exceeded the {self.timeout:g} s time limit")
        path = "/query" + ("?" + urlencode(dataset) if dataset else "")
        conn = http.client.HTTPConnection("127.0.0.1", proc.port, timeout=remaining)
        try:
            conn.request("POST", path, body=query.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query; charset=utf-8",
                                  "Accept": accept or "*/*"})
            resp = conn.getresponse()
            chunks: list[bytes] = []
            size = 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise QueryTimeout(f"the query exceeded the {self.timeout:g} s time limit")
                if conn.sock is not None:
                    conn.sock.settimeout(left)
                try:
                    chunk = resp.read1(65536)
                except TimeoutError as exc:
                    raise QueryTimeout(f"the query exceeded the {self.timeout:g} s time limit") from exc
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_result_bytes:
                    raise ResultTooLarge(f"the result exceeds {self.max_result_bytes} bytes; "
                                         "narrow the query or add a LIMIT")
                chunks.append(chunk)
        except TimeoutError as exc:
            raise QueryTimeout(f"the query exceeded the {self.timeout:g} s time limit") from exc
        finally:
            conn.close()
        body = b"".join(chunks)
        if resp.status == 200 and body.rstrip().endswith(CANCELLED):
            raise QueryTimeout(f"the query exceeded the {self.timeout:g} s time limit", stopped=True)
        return Answer(resp.status, resp.getheader("Content-Type", "application/octet-stream"), body)


def default_files(dist: Path) -> list[Path]:
    """The graph the endpoint serves: the inferred release (asserted + classification)."""
    return [dist / "calckg-inferred.ttl"]


__all__ = ["Answer", "BackendError", "OxigraphBackend", "QueryTimeout", "ResultTooLarge", "default_files",
           "free_port", "load_store", "oxigraph_executable"]
