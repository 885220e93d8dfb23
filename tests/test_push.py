"""`calckg push` into a second, writable Oxigraph server process, then the same answers from both stores."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from .serverkit import ENV, FORM, calckg_server, form, oxigraph_store, request

QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "PREFIX calc: <https://w3id.org/calckg/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?d ?l WHERE { ?d calc:mayCause calc:Chondrocalcinosis ; rdfs:label ?l } ORDER BY ?d",
    "PREFIX calc: <https://w3id.org/calckg/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?c WHERE { ?c rdfs:subClassOf calc:CauseOfChondrocalcinosis } ORDER BY ?c",
    "PREFIX calc: <https://w3id.org/calckg/> SELECT ?e ?r WHERE { ?e a calc:DifferentialEntry ; calc:remark ?r } "
    "ORDER BY ?e ?r",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
]


def answers(base: str, path: str, query: str) -> list[dict]:
    status, _, body = request(base, "POST", path, form(query), {**FORM, "Accept": "application/sparql-results+json"})
    assert status == 200, body
    return json.loads(body)["results"]["bindings"]


def push(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "calckg", "push", *args], capture_output=True, text=True,
                          env=ENV, timeout=300)


@pytest.fixture(scope="module")
def served(dist: Path, tmp_path_factory: pytest.TempPathFactory):
    with calckg_server(dist) as base:
        yield base


def test_push_reproduces_the_graph_in_another_store(dist, served, tmp_path):
    with oxigraph_store(tmp_path) as store:
        assert answers(store, "/query", QUERIES[0])[0]["n"]["value"] == "0"
        res = push("--endpoint", store + "/store", "--dist", str(dist), "--verify", store + "/query")
        assert res.returncode == 0, res.stderr
        assert "pushed" in res.stdout and "the store counts" in res.stdout
        for q in QUERIES:
            theirs, ours = answers(store, "/query", q), answers(served, "/sparql", q)
            assert theirs == ours and theirs, q
        # pushing again replaces (PUT), it does not duplicate
        assert push("--endpoint", store + "/store", "--dist", str(dist)).returncode == 0
        assert answers(store, "/query", QUERIES[0]) == answers(served, "/sparql", QUERIES[0])


def test_push_into_a_named_graph(dist, served, tmp_path):
    graph = "https://w3id.org/calckg/release"
    with oxigraph_store(tmp_path) as store:
        res = push("--endpoint", store + "/store", "--dist", str(dist), "--graph", graph, "--verify", store + "/query")
        assert res.returncode == 0, res.stderr
        assert answers(store, "/query", QUERIES[0])[0]["n"]["value"] == "0"  # the default graph is untouched
        named = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        assert answers(store, "/query", named) == answers(served, "/sparql", QUERIES[0])
        status, _, body = request(store, "GET", "/store?" + urllib.parse.urlencode({"graph": graph}),
                                  headers={"Accept": "application/n-triples"})
        assert status == 200 and body.count(b"\n") > 5000


def test_push_to_a_read_only_endpoint_fails_and_changes_nothing(dist, served):
    before = answers(served, "/sparql", QUERIES[0])
    res = push("--endpoint", served + "/store", "--dist", str(dist))
    assert res.returncode == 1 and "refused" in res.stderr and "405" in res.stderr
    assert answers(served, "/sparql", QUERIES[0]) == before


def test_push_to_nowhere_fails_cleanly(dist):
    from .serverkit import free_port

    res = push("--endpoint", f"http://127.0.0.1:{free_port()}/store", "--dist", str(dist), "--timeout", "5")
    assert res.returncode == 1 and "could not reach" in res.stderr
