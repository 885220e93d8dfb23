"""`calckg serve` as a real process on 127.0.0.1: the SPARQL protocol, refusals, limits, terms, the ddx API."""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TSV, TURTLE, XML, SPARQLWrapper

from .serverkit import ENV, FORM, calckg_server, form, request

CALC = "https://w3id.org/calckg/"
PREFIXES = "PREFIX calc: <https://w3id.org/calckg/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
CAUSES = PREFIXES + "SELECT ?d ?label WHERE { ?d calc:mayCause calc:Chondrocalcinosis ; rdfs:label ?label } ORDER BY ?d"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"


@pytest.fixture(scope="module")
def server(dist: Path, tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with calckg_server(dist, "--timeout", "2", "--max-request-bytes", "20000", "--max-result-bytes", "500000",
                       log=log) as base:
        yield base


@pytest.fixture(scope="module")
def store_size(dist: Path) -> int:
    s = ox.Store()
    s.bulk_load(path=str(dist / "calckg-inferred.ttl"), format=ox.RdfFormat.TURTLE)
    return len(s)


@pytest.fixture(scope="module")
def causes(kg) -> set[str]:
    return {r["d"] for r in kg.select(CAUSES)}


def wrapper(server: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    w = SPARQLWrapper(server + "/sparql")
    w.setQuery(query)
    w.setReturnFormat(fmt)
    if method == "POST":
        w.setMethod(POST)
    return w


def count(server: str) -> int:
    res = wrapper(server, COUNT, JSON).query().convert()
    return int(res["results"]["bindings"][0]["n"]["value"])


# ---------------------------------------------------------------------- result formats
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_in_every_result_format_gives_the_same_answer(server, causes, method):
    assert len(causes) >= 5
    js = wrapper(server, CAUSES, JSON, method).query().convert()
    assert {b["d"]["value"] for b in js["results"]["bindings"]} == causes
    xml = wrapper(server, CAUSES, XML, method).query().convert()  # a DOM document
    assert {u.firstChild.data for u in xml.getElementsByTagName("uri")} == causes
    rows = list(csv.DictReader(io.StringIO(wrapper(server, CAUSES, CSV, method).query().convert().decode())))
    assert {r["d"] for r in rows} == causes
    tsv = wrapper(server, CAUSES, TSV, method).query().convert().decode().splitlines()
    assert tsv[0].split("\t") == ["?d", "?label"]
    assert {line.split("\t")[0].strip("<>") for line in tsv[1:]} == causes


def test_ask_as_json_and_xml(server):
    q = PREFIXES + "ASK { calc:Hemochromatosis calc:mayCause calc:Chondrocalcinosis }"
    assert wrapper(server, q, JSON).query().convert()["boolean"] is True
    xml = wrapper(server, q, XML).query().convert()
    assert xml.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert wrapper(server, PREFIXES + "ASK { calc:Hemochromatosis calc:mayCause calc:Nothing }", JSON) \
        .query().convert()["boolean"] is False


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD])
def test_construct_and_describe_as_turtle_and_jsonld(server, fmt):
    q = PREFIXES + ("CONSTRUCT { ?d calc:mayCause calc:Chondrocalcinosis } "
                    "WHERE { ?d calc:mayCause calc:Chondrocalcinosis }")
    g = wrapper(server, q, fmt).query().convert()
    if not isinstance(g, Graph):  # SPARQLWrapper hands Turtle back as bytes
        g = Graph().parse(data=g, format="turtle")
    assert len(g) >= 5
    assert (URIRef(CALC + "Hemochromatosis"), URIRef(CALC + "mayCause"), URIRef(CALC + "Chondrocalcinosis")) in g
    d = wrapper(server, "DESCRIBE <https://w3id.org/calckg/Hemochromatosis>", fmt).query().convert()
    if not isinstance(d, Graph):
        d = Graph().parse(data=d, format="turtle")
    assert (URIRef(CALC + "Hemochromatosis"), RDFS.label, Literal("hemochromatosis", lang="en")) in d


def test_raw_sparql_query_post_and_curl_style_get(server):
    status, headers, body = request(server, "POST", "/sparql", COUNT.encode(),
                                    {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert int(body.decode().split()[1]) > 5000
    status, headers, body = request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": COUNT}))
    assert status == 200 and json.loads(body)["results"]["bindings"]


def test_cors_on_answers_and_preflight(server):
    status, headers, _ = request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}),
                                 headers={"Origin": "http://example.org"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    status, headers, _ = request(server, "OPTIONS", "/sparql", headers={
        "Origin": "http://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204 and "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()


# ---------------------------------------------------------------------- read-only
UPDATES = [
    "INSERT DATA { <http://ex.org/a> <http://ex.org/b> <http://ex.org/c> }",
    "DELETE DATA { <https://w3id.org/calckg/Hemochromatosis> a <http://www.w3.org/2002/07/owl#Class> }",
    "DELETE WHERE { ?s ?p ?o }",
    "PREFIX calc: <https://w3id.org/calckg/> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <http://ex.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR DEFAULT", "CLEAR ALL", "DROP ALL", "DROP GRAPH <http://ex.org/g>", "CREATE GRAPH <http://ex.org/g>",
    "ADD DEFAULT TO <http://ex.org/g>", "MOVE DEFAULT TO <http://ex.org/g>", "COPY DEFAULT TO <http://ex.org/g>",
]


@pytest.mark.parametrize("update", UPDATES)
def test_every_update_is_refused_and_nothing_changes(server, store_size, update):
    attempts = [
        ("POST", "/sparql", form(update, "update"), FORM),
        ("POST", "/sparql", update.encode(), {"Content-Type": "application/sparql-update"}),
        ("POST", "/sparql", form(update), FORM),
        ("POST", "/sparql", update.encode(), {"Content-Type": "application/sparql-query"}),
        ("GET", "/sparql?" + urllib.parse.urlencode({"update": update}), None, {}),
        ("GET", "/sparql?" + urllib.parse.urlencode({"query": update}), None, {}),
        ("POST", "/update", form(update, "update"), FORM),
    ]
    for method, path, body, headers in attempts:
        status, _, text = request(server, method, path, body, headers)
        assert 400 <= status < 500, (method, path, status, text)
        assert b"read-only" in text
    assert count(server) == store_size


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_graph_store_writes_are_refused(server, store_size, method):
    status, _, _ = request(server, method, "/store?default", b"<http://ex.org/a> <http://ex.org/b> 1 .",
                           {"Content-Type": "text/turtle"})
    assert 400 <= status < 500
    assert count(server) == store_size


def test_federated_service_is_refused_without_any_outgoing_call(server):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    queries = [f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
               f"select * {{ ?x ?y ?z . service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
               f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"]
    try:
        for q in queries:
            status, _, text = request(server, "POST", "/sparql", form(q), FORM)
            assert status == 403 and b"SERVICE" in text
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    # the keyword inside strings, IRIs, comments and prefixed names is no federation
    ok = ('PREFIX service: <http://ex.org/service#> SELECT ?s WHERE { ?s ?p "SERVICE <x> {}" } # SERVICE\nLIMIT 1')
    status, _, _ = request(server, "POST", "/sparql", form(ok), FORM)
    assert status == 200


# ---------------------------------------------------------------------- bad, slow, big
SLOW = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"


def test_slow_query_is_stopped_and_the_service_keeps_serving(server, store_size):
    status, headers, text = request(server, "POST", "/sparql", form(SLOW), FORM)
    assert status == 503 and b"time limit" in text
    slow_count = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, _, text = request(server, "POST", "/sparql", form(slow_count), FORM)
    assert status == 503
    assert count(server) == store_size
    _, _, health = request(server, "GET", "/healthz")
    assert json.loads(health)["engine_restarts"] >= 1


@pytest.mark.parametrize("query", ["SELEC * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o ", "", "}}}{{{",
                                   "SELECT * WHERE { ?s <not an iri> ?o }", "\x00\x01 binary"])
def test_malformed_queries_get_400_and_the_service_keeps_serving(server, store_size, query):
    status, _, _ = request(server, "POST", "/sparql", form(query), FORM)
    assert status == 400
    status, _, _ = request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 400
    assert count(server) == store_size


def test_oversized_and_malformed_requests_get_4xx_and_the_service_keeps_serving(server, store_size):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30000
    assert request(server, "POST", "/sparql", form(big), FORM)[0] == 413
    assert request(server, "POST", "/sparql", big.encode(), {"Content-Type": "application/sparql-query"})[0] == 413
    assert request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": big}))[0] == 413
    assert request(server, "GET", "/sparql?query=" + "x" * 70000)[0] == 414
    assert request(server, "POST", "/sparql", b"query=ASK{}", {"Content-Type": "text/plain"})[0] == 415
    assert request(server, "POST", "/sparql", form("ASK {}") + b"&" + form("ASK {}"), FORM)[0] == 400
    # a body announced bigger than it is, then garbage on the socket
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\nquery=")
        assert b" 413 " in s.recv(1000)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        assert b" 400 " in s.recv(1000)
    assert count(server) == store_size


def test_result_size_limit(server):
    status, _, text = request(server, "POST", "/sparql", form("SELECT * WHERE { ?s ?p ?o }"), FORM)
    assert status == 422 and b"LIMIT" in text
    status, _, _ = request(server, "POST", "/sparql", form("SELECT * WHERE { ?s ?p ?o } LIMIT 10"), FORM)
    assert status == 200


def test_concurrent_load_on_loopback_has_no_failed_request(dist, causes):
    """20 clients × 200 queries, mixed forms and formats, every answer checked (generous limits: no race
    against a busy CI machine's clock)."""
    with calckg_server(dist, "--timeout", "60") as base:
        _load(base, causes)


def _load(server: str, causes: set[str]) -> None:
    queries = [(CAUSES, "application/sparql-results+json"), (CAUSES, "text/csv"),
               (PREFIXES + "ASK { calc:Hemochromatosis calc:mayCause calc:Chondrocalcinosis }",
                "application/sparql-results+xml"),
               ("DESCRIBE <https://w3id.org/calckg/Gout>", "text/turtle")]
    failures: list[str] = []

    def client(i: int) -> None:
        for j in range(200):
            q, accept = queries[(i + j) % len(queries)]
            try:
                status, _, body = request(server, "POST", "/sparql", form(q), {**FORM, "Accept": accept})
            except OSError as exc:
                failures.append(f"{i}/{j}: {exc}")
                continue
            if status != 200 or not body:
                failures.append(f"{i}/{j}: HTTP {status} {body[:80]!r}")
            elif accept.endswith("json") and len(json.loads(body)["results"]["bindings"]) != len(causes):
                failures.append(f"{i}/{j}: wrong answer")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


# ---------------------------------------------------------------------- descriptions
def test_service_description_and_void(server, store_size):
    status, headers, body = request(server, "GET", "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    sd = Graph().parse(data=body, format="turtle")
    endpoint = URIRef(server + "/sparql")
    assert (endpoint, RDF.type, URIRef(SD + "Service")) in sd
    assert (endpoint, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in sd
    assert len(set(sd.objects(endpoint, URIRef(SD + "resultFormat")))) >= 6
    for path in ("/void", "/.well-known/void"):
        status, _, body = request(server, "GET", path, headers={"Accept": "application/ld+json"})
        assert status == 200
        void = Graph().parse(data=body, format="json-ld")
        [ds] = void.subjects(URIRef(VOID + "sparqlEndpoint"), endpoint)
        assert void.value(ds, URIRef(VOID + "triples")).toPython() == store_size
        # the release (asserted graph, its files) is a subset of what the endpoint serves
        [release] = void.objects(ds, URIRef(VOID + "subset"))
        assert (release, RDF.type, URIRef(VOID + "Dataset")) in void
        assert 0 < void.value(release, URIRef(VOID + "triples")).toPython() < store_size
    status, _, body = request(server, "GET", "/sparql", headers={"Accept": "text/html"})
    assert status == 200 and b"<form" in body


# ---------------------------------------------------------------------- terms
def test_terms_dereference_with_content_negotiation(server):
    hemo = URIRef(CALC + "Hemochromatosis")
    status, headers, body = request(server, "GET", "/Hemochromatosis", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle") and "accept" in headers["vary"].lower()
    g = Graph().parse(data=body, format="turtle")
    assert (hemo, RDFS.label, Literal("hemochromatosis", lang="en")) in g
    status, headers, body = request(server, "GET", "/Hemochromatosis", headers={"Accept": "application/ld+json"})
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    assert (hemo, RDFS.label, Literal("hemochromatosis", lang="en")) in Graph().parse(data=body, format="json-ld")
    status, headers, body = request(server, "GET", "/Hemochromatosis",
                                    headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    html = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "<h1>hemochromatosis</h1>" in html and "iron accumulation" in html
    assert 'href="http://purl.obolibrary.org/obo/MONDO_0006507"' in html  # cross-reference as a link
    assert 'href="/CPPDDepositionDisease"' in html  # may mimic, as a local link
    assert "Table 7.2, row 8" in html
    assert request(server, "GET", "/Hemochromatosis?format=nt")[1]["content-type"].startswith("application/n-triples")
    # a table row, and the ontology itself
    status, _, body = request(server, "GET", "/Table7_2_Row8")
    assert status == 200 and b"hemochromatosis" in body.lower()
    assert b'href="/Hemochromatosis">hemochromatosis</a>' in body  # linked by label
    assert b"Referred to by" in body
    status, headers, body = request(server, "GET", "/", headers={"Accept": "text/turtle"})
    assert status == 200 and len(Graph().parse(data=body, format="turtle")) > 5000
    assert request(server, "GET", "/NoSuchTerm")[0] == 404
    assert request(server, "GET", "/../etc/passwd")[0] == 404
    assert request(server, "GET", "/Hemochromatosis", headers={"Accept": "image/png"})[0] == 406


# ---------------------------------------------------------------------- the differential API
def test_api_ddx_is_the_cli_engine(server, dist):
    status, _, body = request(server, "GET", "/api/ddx?finding=chondrocalcinosis&site=knee")
    assert status == 200
    api = json.loads(body)
    cli = subprocess.run([sys.executable, "-m", "calckg", "ddx", "chondrocalcinosis", "--site", "knee",
                          "--format", "json"], capture_output=True, text=True, check=True,
                         env={**ENV, "CALCKG_DIST": str(dist)})
    assert api == json.loads(cli.stdout)
    assert api["results"][0]["label"] == "calcium pyrophosphate dihydrate deposition disease"
    status, _, body = request(server, "GET", "/api/ddx?finding=chondrocalcinosys")
    err = json.loads(body)
    assert status == 400 and "chondrocalcinosis" in err["suggestions"]
    assert request(server, "GET", "/api/ddx")[0] == 400


def test_api_complete_uses_labels_and_synonyms(server):
    status, _, body = request(server, "GET", "/api/complete?kind=finding&q=chondro")
    assert status == 200 and "chondrocalcinosis" in [c["label"] for c in json.loads(body)]
    status, _, body = request(server, "GET", "/api/complete?kind=disorder&q=pseudog")
    hits = json.loads(body)
    assert hits and hits[0]["name"] == "pseudogout" and hits[0]["iri"] == CALC + "CPPDDepositionDisease"
    assert request(server, "GET", "/api/complete?kind=nonsense")[0] == 400


def test_binds_loopback_by_default():
    from calckg.server import Config

    assert Config().host == "127.0.0.1"


def test_format_parameter_for_clients_without_headers(server):
    q = urllib.parse.urlencode({"query": CAUSES, "format": "csv"})
    status, headers, _ = request(server, "GET", "/sparql?" + q, headers={"Accept": "text/html,*/*;q=0.8"})
    assert status == 200 and headers["content-type"].startswith("text/csv")
    q = urllib.parse.urlencode({"query": "DESCRIBE <https://w3id.org/calckg/Gout>", "format": "xml"})
    status, headers, body = request(server, "GET", "/sparql?" + q)
    assert status == 200 and headers["content-type"].startswith("application/rdf+xml")
    assert len(Graph().parse(data=body, format="xml")) > 3


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT * { ?s ?p ?o }", "SELECT"),
    ("PREFIX insert: <http://ex.org/> BASE <http://x/> ask { ?s insert:drop ?o }", "ASK"),
    ('SELECT * { ?s ?p "INSERT DATA" } # DROP ALL', "SELECT"),
    ("# a comment\nconstruct WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("SELECT ?service WHERE { ?service ?p <http://ex.org/SERVICE> }", "SELECT"),
])
def test_guard_reads_keywords_not_strings_iris_or_comments(text, expected):
    from calckg.sparql_guard import check_query

    assert check_query(text) == expected


@pytest.mark.parametrize("text", ["  insert data { <a:b> <a:c> 1 }", "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }",
                                  "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
                                  "SELECT * { ?s ?p ?o OPTIONAL { service ?svc { ?s ?p ?o } } }"])
def test_guard_refuses_updates_and_federation(text):
    from calckg.sparql_guard import Refused, check_query

    with pytest.raises(Refused) as exc:
        check_query(text)
    assert exc.value.status == 403


def test_serve_builds_a_missing_release_and_starts(tmp_path):
    dist = tmp_path / "fresh" / "dist"
    with calckg_server(dist) as base:
        status, _, body = request(base, "GET", "/sparql?" + urllib.parse.urlencode({"query": COUNT}))
        assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 5000
    assert (dist / "calckg-inferred.ttl").exists()
