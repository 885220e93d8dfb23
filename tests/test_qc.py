"""Every QC query fires on its broken fixture and only there; the real graph has no QC error.

A fixture in tests/fixtures/qc/ is added to the real asserted graph; its `# fires: <rule> <focus>
<path>` lines list exactly the results that appear beyond those of the real graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from calckg.qc import QCQueryError, load_queries, run_qc
from calckg.validate import short

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "qc"
BROKEN = sorted(FIXTURES.glob("*.ttl"))


@pytest.fixture(scope="module")
def queries():
    return load_queries(ROOT / "queries" / "qc")


def expected(path: Path) -> set[tuple[str, str, str]]:
    out = set()
    for line in path.read_text().splitlines():
        if line.startswith("# fires:"):
            rule, focus, prop = line.removeprefix("# fires:").split()
            out.add((f"qc:{rule}", focus, prop))
    assert out, f"{path.name} declares no '# fires:' line"
    return out


def fired(g: Graph, queries) -> set[tuple[str, str, str]]:
    return {(p.rule, short(p.iri), p.path) for p in run_qc(g, queries)}


def test_every_query_has_a_header_and_a_fixture(queries):
    assert {q.level for q in queries} <= {"error", "warning"}
    assert all(q.catches and q.message for q in queries)
    assert {f"qc:{q.name}" for q in queries} == {rule for f in BROKEN for rule, _, _ in expected(f)}


def test_real_graph_has_no_qc_error(build_state):
    assert [p for p in build_state.qc if p.severity == "error"] == []
    # nor any warning: each one the chapter raised was a modelling fault, mended in the sources
    assert [str(p) for p in build_state.qc] == []


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda p: p.stem)
def test_broken_fixture_fires_its_query(build_state, queries, fixture):
    g = Graph()
    for t in build_state.asserted:
        g.add(t)
    before = fired(g, queries)
    g.parse(fixture, format="turtle")
    assert fired(g, queries) - before == expected(fixture)


def test_levels_decide_what_fails(queries):
    levels = {q.name: q.level for q in queries}
    assert levels["entry_site_outside_region"] == "error"
    assert levels["unused_term"] == "warning"


def test_problem_names_term_value_and_source_line(build_state, queries):
    g = Graph()
    for t in build_state.asserted:
        g.add(t)
    g.parse(FIXTURES / "synonym_is_other_label.ttl", format="turtle")
    [p] = [p for p in run_qc(g, queries, build_state.src, build_state.where) if p.rule == "qc:synonym_is_other_label"]
    file, line = build_state.src.where("Hemochromatosis")
    assert str(p) == ("error: 'hemochromatosis' <https://w3id.org/calckg/Hemochromatosis> skos:altLabel: has a synonym "
                      "that is the label of another term — value 'Gout' — also 'gout' <https://w3id.org/calckg/Gout> "
                      f"[qc:synonym_is_other_label] ({file}:{line})")


def test_malformed_query_header_is_refused(tmp_path: Path):
    (tmp_path / "qc").mkdir()
    (tmp_path / "qc" / "bad.rq").write_text("# level: fatal\nSELECT ?entity WHERE { ?entity ?p ?o }\n")
    with pytest.raises(QCQueryError, match=r"qc/bad.rq: header needs '# level: error'"):
        load_queries(tmp_path / "qc")
