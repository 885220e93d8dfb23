"""PLACEHOLDER loopback HTTP server for the benchmark: GET /ddx?finding=…&site=… → JSON.

Why: the project's HTTP server is being built on another branch. Until it is merged, the benchmark
measures this minimal stand-in (ThreadingHTTPServer + KnowledgeGraph.ddx), and labels every HTTP
figure "placeholder". Run: python bench/loopback.py DIST_TTL PORT (prints 'ready' when serving).
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def serve(ttl: Path, port: int) -> None:
    from calckg import KnowledgeGraph

    kg = KnowledgeGraph.load(ttl)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body go out in two segments: +40 ms delayed ACK

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            url = urlparse(self.path)
            q = parse_qs(url.query)
            try:
                body = json.dumps(kg.ddx(q.get("finding", []), q.get("site", []), limit=20).to_dict()).encode()
                code = 200
            except LookupError as exc:
                body, code = json.dumps({"error": str(exc)}).encode(), 404
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    print("ready", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
