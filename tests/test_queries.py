"""Named queries: real answers on the embedded store, the same answers from an oxigraph server through
SPARQLWrapper, and parameter values that stay values however they are written."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calckg import queries
from calckg.queries import Iri, Lit, QueryError
from tests.conftest import ROOT, run_cli

CALC = "https://w3id.org/calckg/"
#: a value for every parameter any named query declares
PARAMS = {"finding": "chondrocalcinosis", "site": "knee", "disorder": "CPPD", "mechanism": "metastatic calcification",
          "substance": "iron", "inheritance": "autosomal recessive inheritance", "text": "osteo"}
INJECTION = 'x" } UNION { ?term ?p ?label } # \'{}\' \\ "'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(dist: Path, tmp_path_factory: pytest.TempPathFactory):
    """A real oxigraph server on 127.0.0.1 holding the inferred release; stopped after the module."""
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.fail("the oxigraph server CLI is not installed (pip install oxigraph)")
    location = tmp_path_factory.mktemp("oxigraph")
    subprocess.run([exe, "load", "--location", str(location), "--file", str(dist / "calckg-inferred.ttl")],
                   check=True, capture_output=True, timeout=120)
    port = _free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {proc.stderr.read().decode()[:500]}")
            try:
                urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _params(q: queries.NamedQuery) -> dict[str, str]:
    return {p.name: PARAMS[p.name] for p in q.params}


def _canon(rows: list[dict]) -> list[tuple]:
    """Rows as sortable tuples; GROUP_CONCAT lists compared as sets (their order is unspecified)."""
    out = []
    for r in rows:
        out.append(tuple(sorted((k, tuple(sorted(v.split("; "))) if v and "; " in v else v) for k, v in r.items())))
    return sorted(out, key=repr)


def test_every_query_has_a_header():
    named = queries.available(ROOT / "queries")
    assert len(named) >= 10
    for name, q in named.items():
        assert q.summary and q.example.startswith(f"calckg query {name}"), name
        text_vars = set(__import__("re").findall(r"\?(\w+)", q.text))
        for p in q.params:
            assert p.name in text_vars, (name, p.name)
            assert p.name in PARAMS, f"add a test value for {name}'s parameter {p.name}"


@pytest.mark.parametrize("name", sorted(queries.available(ROOT / "queries")))
def test_query_same_on_embedded_store_and_oxigraph_server(kg, endpoint, name):
    here = kg.query(name, _params(queries.find(name)))
    there = kg.query(name, _params(queries.find(name)), endpoint=endpoint)
    assert here.rows, f"{name} found nothing on the real graph"
    assert here.variables == there.variables
    assert _canon(here.rows) == _canon(there.rows)


def test_differential_query_answers(kg):
    rows = kg.query("differential", {"finding": "chondrocalcinosis"}).rows
    labels = {r["disorderLabel"] for r in rows}
    assert {"gout", "hemochromatosis", "Wilson disease", "acromegaly"} <= labels
    cppd = [r for r in rows if r["disorder"] == CALC + "CPPDDepositionDisease" and r["citation"] == "Table 7.2, row 1"]
    assert cppd and set(cppd[0]["figures"].split("; ")) == {"Fig. 7.6", "Fig. 7.7"}


def test_site_query_goes_through_part_of(kg):
    """Ochronosis's row names the menisci, not the knee: partOf brings it in; wrist-only rows stay out."""
    knee = kg.query("differential-at-site", {"finding": "chondrocalcinosis", "site": "knee"}).rows
    assert any(r["disorderLabel"] == "ochronosis" and r["matchedSiteLabel"] == "meniscus" for r in knee)
    wrist = {r["disorderLabel"] for r in kg.query("differential-at-site",
                                                  {"finding": "chondrocalcinosis", "site": "wrist"}).rows}
    assert "calcium pyrophosphate dihydrate deposition disease" in wrist
    assert "ochronosis" not in wrist and "gout" not in wrist


def test_disc_calcification_causes(kg):
    labels = {r["disorderLabel"] for r in kg.query("disc-calcification-causes").rows}
    assert labels == {"ochronosis", "hypervitaminosis D", "hypophosphatasia", "ankylosing spondylitis",
                      "spondylosis", "intervertebral disc degeneration"}


def test_cross_links_mimics_mechanism_substance_figures(kg):
    cross = {r["disorderLabel"]: r for r in kg.query("cross-links").rows}
    assert "hyperparathyroidism" in cross and int(cross["hyperparathyroidism"]["gamutCount"]) == 2
    assert "chondrocalcinosis" in cross["hyperparathyroidism"]["findings"]
    assert "gout" not in cross
    mim = kg.query("mimics", {"disorder": "synovial osteochondromatosis"}).rows
    assert {r["otherLabel"] for r in mim if r["direction"] == "mimicked by"} >= {"osteochondrosis dissecans"}
    meta = {r["disorderLabel"] for r in kg.query("disorders-by-mechanism",
                                                 {"mechanism": "metastatic calcification"}).rows}
    assert {"hyperparathyroidism", "milk-alkali syndrome"} <= meta and "gout" not in meta
    assert [r["disorderLabel"] for r in kg.query("disorders-by-substance", {"substance": "copper"}).rows] == [
        "Wilson disease"]
    figs = {r["number"] for r in kg.query("figures-for-disorder", {"disorder": "CPPD"}).rows}
    assert {"7.6", "7.7"} <= figs


def test_at_site_includes_parts(kg):
    rows = kg.query("at-site", {"site": "knee"}).rows
    assert {"meniscus", "knee joint"} <= {r["partLabel"] for r in rows}
    assert not any(r["partLabel"] == "wrist joint" for r in rows)


def test_injected_text_is_inert_on_both_stores(kg, endpoint):
    """A value holding quotes, braces and '} UNION {' is one literal: it matches no label, so no rows."""
    for where in (None, endpoint):
        assert kg.query("terms-matching", {"text": INJECTION}, endpoint=where).rows == []
        ok = kg.query("terms-matching", {"text": "WILSON"}, endpoint=where).rows
        assert [r["label"] for r in ok] == ["Wilson disease"]


def test_injection_at_the_binding_layer(kg, endpoint):
    """Below the lookup: raw literals are escaped, IRIs with syntax characters are refused."""
    q = queries.find("terms-matching", ROOT / "queries")
    for text in (INJECTION, '"""', "\\", "a\nb} UNION {", "'''"):
        assert queries.run_embedded(kg.store, q.text, {"text": Lit(text)}).rows == []
        assert queries.run_endpoint(endpoint, q.text, {"text": Lit(text)}).rows == []
    q = queries.find("mimics", ROOT / "queries")
    for bad in (CALC + "Gout> } UNION { ?a ?b ?c", CALC + "a b", 'x:"'):
        with pytest.raises(QueryError, match="not an IRI"):
            queries.run_endpoint(endpoint, q.text, {"disorder": Iri(bad)})
        with pytest.raises(QueryError, match="not an IRI"):
            queries.run_embedded(kg.store, q.text, {"disorder": Iri(bad)})


def test_values_block_lands_in_the_where_group():
    text = ('PREFIX a: <http://x/{WHERE}> # { WHERE {\nSELECT ?where ?x WHERE {\n ?x ?p "WHERE {" }')
    out = queries.with_values(text, {"x": Lit('"} UNION {')})
    assert out.endswith('WHERE {\n  VALUES (?x) { ("\\"} UNION {") }\n\n ?x ?p "WHERE {" }')
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert "WHERE {\n  VALUES (?s)" in queries.with_values(construct, {"s": Iri(CALC + "Gout")})


def test_cli_query_table_json_and_errors(dist, endpoint):
    p = run_cli("query", "differential", "--param", "finding=Chondrocalcinoses", dist=dist)
    assert p.returncode == 0, p.stderr
    assert "gout" in p.stdout and "Table 7.2, row 5" in p.stdout
    assert max(len(line) for line in p.stdout.splitlines()) <= 100
    p = run_cli("query", "mimics", "--param", "disorder=haemochromatosis", "--format", "json", "--endpoint",
                endpoint, dist=dist)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["rows"][0]["other"] == CALC + "CPPDDepositionDisease"
    p = run_cli("query", "mimics", "--param", "disorder=hemocromatosis", dist=dist)
    assert p.returncode == 2 and "did you mean" in p.stderr and "hemochromatosis" in p.stderr
    p = run_cli("query", "mimic", dist=dist)
    assert p.returncode == 2 and "unknown query 'mimic'" in p.stderr and "mimics" in p.stderr
    p = run_cli("query", "mimics", dist=dist)
    assert p.returncode == 2 and "needs --param disorder" in p.stderr
    p = run_cli("query", "mimics", "--param", "colour=red", dist=dist)
    assert p.returncode == 2 and "no parameter 'colour'" in p.stderr
    assert "Traceback" not in p.stderr


def test_cli_runs_any_rq_file(dist, tmp_path, endpoint):
    f = tmp_path / "count.rq"
    f.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?d <https://w3id.org/calckg/mayCause> ?f }\n")
    here = run_cli("query", str(f), "--format", "tsv", dist=dist)
    there = run_cli("query", str(f), "--format", "tsv", "--endpoint", endpoint, dist=dist)
    assert here.returncode == there.returncode == 0, here.stderr + there.stderr
    assert here.stdout == there.stdout and int(here.stdout.split()[1]) > 50
    ask = tmp_path / "ask.rq"
    ask.write_text("ASK { <https://w3id.org/calckg/Gout> <https://w3id.org/calckg/mayCause> ?f }\n")
    here = run_cli("query", str(ask), "--format", "json", dist=dist)
    there = run_cli("query", str(ask), "--format", "json", "--endpoint", endpoint, dist=dist)
    assert json.loads(here.stdout)["rows"] == json.loads(there.stdout)["rows"] == [{"boolean": "true"}]
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT WHERE {")
    p = run_cli("query", str(bad), dist=dist)
    assert p.returncode == 2 and "error:" in p.stderr and "Traceback" not in p.stderr


def test_unreachable_endpoint_is_a_clear_error(dist):
    p = run_cli("query", "cross-links", "--endpoint", f"http://127.0.0.1:{_free_port()}/query", dist=dist)
    assert p.returncode == 2 and "failed" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("fmt,marker", [("ttl", b"@prefix calc:"), ("nt", b"<https://w3id.org/calckg/"),
                                        ("jsonld", b"@id"), ("owl", b"<rdf:RDF")])
def test_export_formats_parse_to_the_same_graph(dist, fmt, marker, asserted):
    import os
    import sys

    from rdflib import Graph

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), CALCKG_ROOT=str(ROOT), CALCKG_DIST=str(dist))
    p = subprocess.run([sys.executable, "-m", "calckg", "export", "--format", fmt], capture_output=True, env=env,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    assert marker in p.stdout[:4000]
    g = Graph().parse(data=p.stdout, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "owl": "xml"}[fmt])
    assert len(g) == len(asserted)


def _expected_matches(kg, text: str) -> list[str]:
    """terms-matching computed in Python from the index: labels or synonyms containing text."""
    needle = text.lower()
    out = set()
    for t in kg.terms.values():
        if t.iri.startswith(CALC) and t.kind not in ("value",) and any(needle in n.lower()
                                                                        for n in [t.label, *t.synonyms]):
            out.add(t.label)
    return sorted(out)


PRINTABLE = __import__("string").printable


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(alphabet=PRINTABLE, max_size=12),
                      st.sampled_from(['osteo', '"', "'", "} UNION {", "\\", "'''", '"""', "{", "gout"])))
def test_any_text_parameter_means_itself(kg, text):
    """For any printable text, the bound query answers exactly the Python reading of 'contains'."""
    rows = kg.query("terms-matching", {"text": text}).rows
    got = sorted({r["label"] for r in rows if r["term"] in kg.terms and kg.terms[r["term"]].kind != "value"})
    assert got == _expected_matches(kg, text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=PRINTABLE, max_size=12))
def test_any_text_parameter_same_on_the_server(kg, endpoint, text):
    assert kg.query("terms-matching", {"text": text}, endpoint=endpoint).rows == \
        kg.query("terms-matching", {"text": text}).rows


def test_cli_term_parameter_with_syntax_is_an_unknown_term(dist):
    p = run_cli("query", "mimics", "--param", 'disorder=gout> } UNION { ?a ?b ?c } #', dist=dist)
    assert p.returncode == 2 and "unknown disorder" in p.stderr and "Traceback" not in p.stderr
