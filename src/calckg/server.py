"""`calckg serve`: CalcKG over HTTP — a read-only SPARQL endpoint, term pages, and the differential.

A small threaded front on 127.0.0.1 owns everything but query evaluation: term pages and their RDF,
the differential page and JSON API (the same engine as `calckg ddx`), VoID and the Service
Description, CORS, request limits and the refusal of updates and SERVICE. SPARQL goes to a
supervised read-only Oxigraph process (calckg.backend), which enforces the query deadline by
restarting the engine. Every handler answers errors with a status; none can stop the server.
"""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pyoxigraph as ox
from rdflib import Graph

from .backend import BackendError, OxigraphBackend, QueryTimeout, ResultTooLarge, default_files
from .namespaces import PREFIXES
from .negotiate import choose, from_format
from .oxrdf import describe
from .servicedesc import Statistics, service_description, void_graph
from .sparql_guard import Refused, check_query
from .web import CALC, STATIC, e, link, page
from .web.ddx import completions, ddx_page
from .web.term import describe_term, resource_page, term_page, terms_index_page

RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
             "application/rdf+xml": "xml"}
RDF_OFFERS = list(RDF_TYPES)
PAGE_OFFERS = ["text/html", *RDF_OFFERS]
ACCEPT_BY_FORMAT = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                    "ttl": "text/turtle", "json-ld": "application/ld+json", "jsonld": "application/ld+json",
                    "nt": "application/n-triples", "rdf": "application/rdf+xml"}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".png": "image/png", ".svg": "image/svg+xml"}
DIST_TYPES = {".ttl": "text/turtle; charset=utf-8", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
              ".owl": "application/rdf+xml", ".json": "application/json", ".tsv": "text/tab-separated-values",
              ".sssom.tsv": "text/tab-separated-values", ".html": "text/html; charset=utf-8"}
LOCAL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    dist: Path | None = None
    timeout: float = 5.0
    max_result_bytes: int = 10_000_000
    max_request_bytes: int = 100_000
    max_memory_bytes: int = 2_000_000_000
    access_log: bool = False


class App:
    """What the handlers share: the knowledge graph, its RDF graph, statistics and the SPARQL engine."""

    def __init__(self, cfg: Config) -> None:
        from .kg import KnowledgeGraph
        from .pipeline import build, project_root

        self.cfg = cfg
        dist = cfg.dist or project_root() / "dist"
        if not (dist / "calckg-inferred.ttl").exists():
            print(f"calckg serve: no release in {dist}; building it", file=sys.stderr)
            build(dist=dist, quiet=True)
        self.dist = dist
        # one parse of the release: the engine's pyoxigraph store also answers the term pages, the
        # statistics and the dumps (a second, rdflib copy cost minutes of start-up at the Gamuts scale)
        self.kg = KnowledgeGraph.load(dist / "calckg-inferred.ttl")
        self.stats = Statistics(self.kg.store)
        self.backend = OxigraphBackend(default_files(dist), timeout=cfg.timeout,
                                       max_result_bytes=cfg.max_result_bytes,
                                       max_memory_bytes=cfg.max_memory_bytes)
        self._dumps: dict[str, bytes] = {}
        self._dump_lock = threading.Lock()

    def close(self) -> None:
        self.backend.close()

    def serialize(self, g: Graph, media: str) -> bytes:
        fmt = RDF_TYPES[media]
        if fmt == "json-ld":
            ctx = {p: str(ns) for p, ns in g.namespaces() if p}
            return g.serialize(format="json-ld", context=ctx, auto_compact=True, encoding="utf-8")
        return g.serialize(format=fmt, encoding="utf-8")

    def dump(self, media: str) -> bytes:
        """The whole release in one RDF format (cached; the Turtle file as built)."""
        if media == "text/turtle":
            return (self.dist / "calckg-inferred.ttl").read_bytes()
        if media == "application/ld+json" and (self.dist / "calckg-inferred.jsonld").exists():
            return (self.dist / "calckg-inferred.jsonld").read_bytes()
        with self._dump_lock:
            if media not in self._dumps:
                self._dumps[media] = self.serialize(self.whole(), media)
            return self._dumps[media]

    def whole(self) -> Graph:
        """The release as an rdflib Graph, only for a whole dump in a format the file is not in."""
        return Graph().parse(self.dist / "calckg-inferred.ttl", format="turtle")

    def has(self, iri: str) -> bool:
        node, store = ox.NamedNode(iri), self.kg.store
        return any(True for _ in store.quads_for_pattern(node, None, None, ox.DefaultGraph())) or \
            any(True for _ in store.quads_for_pattern(None, None, node, ox.DefaultGraph()))

    def cbd(self, iri: str, **more: Any) -> Graph:
        g = describe(self.kg.store, iri, **more)
        for p, ns in PREFIXES.items():
            g.bind(p, ns)
        return g


class Handler(BaseHTTPRequestHandler):
    server_version = "CalcKG"
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle or trickling client holds a thread no longer than this
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    app: App  # set on the subclass made by make_server

    # ------------------------------------------------------------------ plumbing
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        if self.app.cfg.access_log:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Content-Type, Content-Length")

    def send(self, status: int, body: bytes | str, content_type: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self._cors()
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def fail(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        accept = self.headers.get("Accept", "")
        if self.path.startswith("/api/") or "application/json" in accept and "text/html" not in accept:
            self.send(status, json.dumps({"error": message, "status": status}), "application/json", headers)
        else:
            self.send(status, message + "\n", "text/plain; charset=utf-8", headers)

    def base(self) -> str:
        host = self.headers.get("Host", "")
        if not HOST.match(host):
            host = f"{self.app.cfg.host}:{self.server.server_address[1]}"
        return f"http://{host}"

    def _guarded(self, fn: Any) -> None:
        try:
            fn()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a handler must answer, never take the server down
            print(f"calckg serve: {self.command} {self.path[:200]}: {type(exc).__name__}: {exc}", file=sys.stderr)
            try:
                self.fail(500, f"internal error: {type(exc).__name__}")
            except OSError:
                self.close_connection = True

    # ------------------------------------------------------------------ methods
    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Allow", "GET, HEAD, POST, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._guarded(self.route)

    def do_HEAD(self) -> None:
        self._guarded(self.route)

    def do_POST(self) -> None:
        self._guarded(self.route_post)

    def _read_only(self) -> None:
        self.close_connection = True  # the body is not read, so the connection cannot carry another request
        self._guarded(lambda: self.fail(405, "this server is read-only", {"Allow": "GET, HEAD, POST, OPTIONS"}))

    do_PUT = do_DELETE = do_PATCH = _read_only

    # ------------------------------------------------------------------ routing
    def route(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        params = parse_qsl(url.query, keep_blank_values=True)
        if path == "/sparql":
            self.sparql_get(params)
        elif path == "/":
            self.root(params)
        elif path == "/ddx":
            self.ddx(params)
        elif path == "/api/ddx":
            self.api_ddx(params)
        elif path == "/api/complete":
            self.api_complete(params)
        elif path == "/api/show":
            self.api_show(params)
        elif path in ("/void", "/.well-known/void", "/dataset"):
            self.rdf(void_graph(self.app.stats, self.base(), self.app.dist), params)
        elif path == "/terms":
            self.send(200, terms_index_page(self.app.kg), "text/html; charset=utf-8")
        elif path == "/healthz":
            self.send(200, json.dumps({"status": "ok", "engine_restarts": self.app.backend.restarts}),
                      "application/json")
        elif path.startswith("/static/"):
            self.static(STATIC, path[len("/static/"):], STATIC_TYPES)
        elif path.startswith("/dist/"):
            self.static(self.app.dist, path[len("/dist/"):], DIST_TYPES)
        else:
            self.term(path[1:], params)

    def route_post(self) -> None:
        path = urlsplit(self.path).path
        if path != "/sparql":
            self.close_connection = True  # the body is not read
            if path in ("/update", "/sparql/update", "/store", "/data"):
                self.fail(403, "this endpoint is read-only")
            else:
                self.fail(405, "POST is accepted at /sparql only", {"Allow": "GET, HEAD, OPTIONS"})
            return
        body = self.read_body()
        if body is None:
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            self.fail(403, "this endpoint is read-only: SPARQL updates are refused")
        elif ctype == "application/sparql-query":
            self.sparql(body.decode("utf-8", "replace"), params)
        elif ctype == "application/x-www-form-urlencoded":
            form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            if any(k == "update" for k, _ in form):
                self.fail(403, "this endpoint is read-only: SPARQL updates are refused")
                return
            queries = [v for k, v in form if k == "query"]
            if len(queries) != 1:
                self.fail(400, "give exactly one 'query' parameter")
                return
            self.sparql(queries[0], params + [(k, v) for k, v in form if k != "query"])
        else:
            self.fail(415, "send application/sparql-query or application/x-www-form-urlencoded")

    def read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self.fail(411, "send a Content-Length")
            return None
        try:
            n = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            self.fail(411, "send a Content-Length")
            return None
        if n < 0 or n > self.app.cfg.max_request_bytes:
            self.close_connection = True
            self.fail(413, f"request body over {self.app.cfg.max_request_bytes} bytes")
            return None
        return self.rfile.read(n)

    # ------------------------------------------------------------------ SPARQL
    def sparql_get(self, params: list[tuple[str, str]]) -> None:
        queries = [v for k, v in params if k == "query"]
        if any(k == "update" for k, _ in params):
            self.fail(403, "this endpoint is read-only: SPARQL updates are refused")
        elif not queries:
            self.service_description(params)
        elif len(queries) > 1:
            self.fail(400, "give exactly one 'query' parameter")
        else:
            self.sparql(queries[0], params)

    def sparql(self, query: str, params: list[tuple[str, str]]) -> None:
        if len(query.encode("utf-8")) > self.app.cfg.max_request_bytes:
            self.fail(413, f"query over {self.app.cfg.max_request_bytes} bytes")
            return
        try:
            form = check_query(query)
        except Refused as exc:
            self.fail(exc.status, str(exc))
            return
        accept = self.headers.get("Accept") or "*/*"
        fmt = next((v for k, v in params if k in ("format", "output")), "").strip().lower()
        if fmt:  # an explicit ?format= (browser forms, plain links) wins over the header
            graph_form = form in ("CONSTRUCT", "DESCRIBE")
            named = {"xml": "application/rdf+xml", "json": "application/ld+json"}.get(fmt) if graph_form else None
            accept = named or ACCEPT_BY_FORMAT.get(fmt) or from_format(fmt) or accept
        dataset = [(k, v) for k, v in params if k in ("default-graph-uri", "named-graph-uri")]
        try:
            ans = self.app.backend.query(query, accept, dataset)
        except QueryTimeout as exc:
            self.fail(503, str(exc), {"Retry-After": "1"})
            return
        except ResultTooLarge as exc:
            self.fail(422, str(exc))
            return
        except BackendError as exc:
            self.fail(503, str(exc), {"Retry-After": "1"})
            return
        self.send(ans.status, ans.body, ans.content_type, {"Vary": "Accept"})

    def service_description(self, params: list[tuple[str, str]]) -> None:
        media = from_format(next((v for k, v in params if k == "format"), None)) or \
            choose(self.headers.get("Accept"), ["text/turtle", "text/html", *RDF_OFFERS[1:]])
        if media == "text/html":
            self.send(200, self.query_form(), "text/html; charset=utf-8", {"Vary": "Accept"})
            return
        g = service_description(self.app.stats, self.base(), timeout=self.app.cfg.timeout,
                                max_result_bytes=self.app.cfg.max_result_bytes)
        self.rdf(g, params, media)

    def query_form(self) -> str:
        example = ("PREFIX calc: <https://w3id.org/calckg/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                   "SELECT ?disorder ?label WHERE {\n  ?disorder calc:mayCause calc:Chondrocalcinosis ;\n"
                   "            rdfs:label ?label .\n} ORDER BY ?label")
        opts = "".join(f'<option value="{v}">{n}</option>' for v, n in (
            ("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV"), ("turtle", "Turtle (CONSTRUCT)"),
            ("json-ld", "JSON-LD (CONSTRUCT)")))
        body = f"""<h1>SPARQL endpoint</h1>
<p>A read-only SPARQL 1.1 endpoint at <code>{e(self.base())}/sparql</code>: GET or POST, results by Accept
header. Updates and SERVICE are refused; a query stops after {self.app.cfg.timeout:g} s.
<a href="/sparql?format=ttl">Service description</a> · <a href="/void">VoID</a>.</p>
<form method="post" action="/sparql">
<label for="q">Query</label><textarea id="q" name="query" rows="9">{e(example)}</textarea>
<label for="fmt">Results as</label><select id="fmt" name="format">{opts}</select>
<p><button type="submit" class="primary">Run</button></p></form>"""
        return page("SPARQL", body)

    # ------------------------------------------------------------------ RDF documents
    def rdf(self, g: Graph, params: list[tuple[str, str]], media: str | None = None) -> None:
        media = media or from_format(next((v for k, v in params if k == "format"), None)) or \
            choose(self.headers.get("Accept"), RDF_OFFERS)
        if media not in RDF_TYPES:
            self.fail(406, "available as " + ", ".join(RDF_OFFERS))
            return
        self.send(200, self.app.serialize(g, media), media + ("; charset=utf-8" if media == "text/turtle" else ""),
                  {"Vary": "Accept"})

    def root(self, params: list[tuple[str, str]]) -> None:
        media = from_format(next((v for k, v in params if k == "format"), None)) or \
            choose(self.headers.get("Accept"), PAGE_OFFERS)
        if media in RDF_TYPES:
            self.send(200, self.app.dump(media), media, {"Vary": "Accept"})
            return
        if media != "text/html":
            self.fail(406, "available as " + ", ".join(PAGE_OFFERS))
            return
        s = self.app.stats
        kg = self.app.kg
        counts = {k: sum(1 for t in kg.terms.values() if t.kind == k) for k in ("disorder", "finding", "site")}
        dumps = "".join(f'<li><a href="/dist/{e(p.name)}">{e(p.name)}</a></li>'
                        for p in sorted(self.app.dist.iterdir()) if p.is_file() and _dist_type(p.name))
        body = f"""<h1>CalcKG</h1>
<p>The radiological differential diagnosis of joint and soft-tissue calcification as a knowledge graph:
{counts['disorder']} disorders, {counts['finding']} imaging findings, {counts['site']} anatomical sites,
{s.triples} triples, every causal link traced to the table row or figure that states it.</p>
<ul>
<li><a href="/ddx">Differential diagnosis</a>: findings and sites in, ranked causes out.</li>
<li><a href="/terms">Browse the terms</a>, e.g. {link(CALC + "Hemochromatosis", "hemochromatosis")}.</li>
<li><a href="/sparql">SPARQL endpoint</a> (<code>{e(self.base())}/sparql</code>) and its
<a href="/void">VoID description</a>.</li>
</ul>
<h2>Downloads</h2><ul>{dumps}</ul>"""
        self.send(200, page("CalcKG", body, alternates={"text/turtle": "/?format=ttl",
                                                        "application/ld+json": "/?format=jsonld"}),
                  "text/html; charset=utf-8", {"Vary": "Accept"})

    def term(self, name: str, params: list[tuple[str, str]]) -> None:
        if not LOCAL_NAME.match(name):
            self.fail(404, "not found")
            return
        iri = CALC + name
        if not self.app.has(iri):
            self.fail(404, f"no CalcKG term {name}")
            return
        media = from_format(next((v for k, v in params if k == "format"), None)) or \
            choose(self.headers.get("Accept"), PAGE_OFFERS)
        if media in RDF_TYPES:
            self.send(200, self.app.serialize(self.app.cbd(iri), media), media, {"Vary": "Accept"})
            return
        if media != "text/html":
            self.fail(406, "available as " + ", ".join(PAGE_OFFERS))
            return
        links = {"Turtle": f"/{name}?format=ttl", "JSON-LD": f"/{name}?format=jsonld",
                 "N-Triples": f"/{name}?format=nt"}
        d = describe_term(self.app.kg, iri)
        html = term_page(self.app.kg, d, links) if d else \
            resource_page(self.app.cbd(iri, referrers=100, labels=True), iri, links)
        self.send(200, html, "text/html; charset=utf-8", {"Vary": "Accept"})

    def static(self, root: Path, name: str, types: dict[str, str]) -> None:
        ctype = _dist_type(name) if types is DIST_TYPES else types.get(Path(name).suffix)
        if not LOCAL_NAME.match(name) or ctype is None or not (root / name).is_file():
            self.fail(404, "not found")
            return
        self.send(200, (root / name).read_bytes(), ctype, {"Cache-Control": "max-age=300"})

    # ------------------------------------------------------------------ differential
    def ddx(self, params: list[tuple[str, str]]) -> None:
        findings = [v for k, v in params if k == "finding"]
        sites = [v for k, v in params if k == "site"]
        strict = any(k == "strict" and v not in ("", "0") for k, v in params)
        self.send(200, ddx_page(self.app.kg, findings, sites, strict), "text/html; charset=utf-8")

    def api_ddx(self, params: list[tuple[str, str]]) -> None:
        from .kg import UnknownTermError

        findings = [v for k, v in params if k == "finding" and v.strip()]
        sites = [v for k, v in params if k == "site" and v.strip()]
        if not findings:
            self.fail(400, "give at least one ?finding=")
            return
        try:
            limit = int(next((v for k, v in params if k == "limit"), "0")) or None
        except ValueError:
            self.fail(400, "limit must be an integer")
            return
        strict = any(k == "strict" and v not in ("", "0") for k, v in params)
        try:
            d = self.app.kg.ddx(findings, sites, limit=limit, strict_sites=strict).to_dict()
        except UnknownTermError as exc:
            self.send(400, json.dumps({"error": str(exc), "status": 400, "kind": exc.kind, "text": exc.text,
                                       "suggestions": exc.suggestions}, ensure_ascii=False), "application/json")
            return
        self.send(200, json.dumps(d, ensure_ascii=False), "application/json")

    def api_complete(self, params: list[tuple[str, str]]) -> None:
        kind = next((v for k, v in params if k == "kind"), "finding")
        if kind not in ("finding", "site", "disorder", "mechanism"):
            self.fail(400, "kind is one of finding, site, disorder, mechanism")
            return
        q = next((v for k, v in params if k == "q"), "")
        self.send(200, json.dumps(completions(self.app.kg, kind, q), ensure_ascii=False), "application/json")

    def api_show(self, params: list[tuple[str, str]]) -> None:
        term = next((v for k, v in params if k == "term"), "")
        try:
            d = self.app.kg.show(term)
        except LookupError as exc:
            self.send(404, json.dumps({"error": str(exc), "status": 404,
                                       "suggestions": getattr(exc, "suggestions", [])}), "application/json")
            return
        self.send(200, json.dumps(d, ensure_ascii=False), "application/json")


def _dist_type(name: str) -> str | None:
    for suffix in sorted(DIST_TYPES, key=len, reverse=True):
        if name.endswith(suffix):
            return DIST_TYPES[suffix]
    return None


class Server(ThreadingHTTPServer):
    """One thread per connection, at most MAX_CONNECTIONS at once; further clients wait in the backlog."""

    daemon_threads = True
    request_queue_size = 128
    MAX_CONNECTIONS = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections = threading.BoundedSemaphore(self.MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._connections.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._connections.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()


def make_server(cfg: Config, app: App | None = None) -> tuple[Server, App]:
    app = app or App(cfg)
    handler = type("BoundHandler", (Handler,), {"app": app})
    try:
        return Server((cfg.host, cfg.port), handler), app
    except OSError:
        app.close()
        raise


def serve(cfg: Config) -> int:
    """Run until SIGINT/SIGTERM; print the base URL on stdout once ready (port 0 picks a free port)."""
    t0 = time.perf_counter()
    httpd, app = make_server(cfg)

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = httpd.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    print(f"http://{shown}:{port}/", flush=True)
    print(f"calckg serve: ready in {time.perf_counter() - t0:.1f} s — differential http://{shown}:{port}/ddx, "
          f"SPARQL http://{shown}:{port}/sparql (read-only, {cfg.timeout:g} s timeout)", file=sys.stderr, flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        app.close()
    return 0


__all__ = ["App", "Config", "make_server", "serve"]
