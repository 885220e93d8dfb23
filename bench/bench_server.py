"""Concurrent load on `calckg serve` over loopback: throughput and latency per kind of request.

    PYTHONPATH=src python bench/bench_server.py [--clients 20] [--requests 200] [--json out.json]

Starts a real server on a free port, runs N clients × M requests of each kind (SPARQL SELECT as JSON,
DESCRIBE as Turtle, the ddx API, a term page), and reports requests/s, p50/p95/max latency and
failures. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
CAUSES = ("PREFIX calc: <https://w3id.org/calckg/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?d ?l WHERE { ?d calc:mayCause calc:Chondrocalcinosis ; rdfs:label ?l }")
KINDS = {
    "sparql-select-json": ("POST", "/sparql", urlencode({"query": CAUSES}).encode(),
                           {"Content-Type": "application/x-www-form-urlencoded",
                            "Accept": "application/sparql-results+json"}),
    "sparql-describe-turtle": ("GET", "/sparql?" + urlencode({"query": "DESCRIBE <https://w3id.org/calckg/Gout>"}),
                               None, {"Accept": "text/turtle"}),
    "api-ddx": ("GET", "/api/ddx?finding=chondrocalcinosis&site=knee", None, {}),
    "term-html": ("GET", "/Hemochromatosis", None, {"Accept": "text/html"}),
}


def run_kind(port: int, spec: tuple, clients: int, requests: int) -> dict:
    method, path, body, headers = spec
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # keep-alive, like a real client
        mine, bad = [], []
        for _ in range(requests):
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad.append(str(resp.status))
            except (OSError, http.client.HTTPException) as exc:
                bad.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "failures": len(failures), "seconds": round(wall, 3),
            "per_second": round(len(latencies) / wall, 1), "p50_ms": round(q[49] * 1000, 2),
            "p95_ms": round(q[94] * 1000, 2), "max_ms": round(max(latencies) * 1000, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--dist", default=str(ROOT / "dist"))
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "calckg", "serve", "--port", "0", "--dist", args.dist],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={"PYTHONPATH": str(ROOT / "src"), **__import__("os").environ})
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        out = {"startup_seconds": round(time.perf_counter() - t0, 2), "clients": args.clients,
               "requests_per_client": args.requests, "kinds": {}}
        for name, spec in KINDS.items():
            out["kinds"][name] = run_kind(port, spec, args.clients, args.requests)
            r = out["kinds"][name]
            print(f"{name:<24} {r['requests']:>6} req  {r['failures']:>3} failed  {r['per_second']:>8} req/s  "
                  f"p50 {r['p50_ms']:>7} ms  p95 {r['p95_ms']:>7} ms  max {r['max_ms']:>8} ms")
        print(f"startup {out['startup_seconds']} s (process start to first URL)")
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        return 1 if any(r["failures"] for r in out["kinds"].values()) else 0
    finally:
        proc.terminate()
        proc.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
