"""The indexed differential gives exactly what the straightforward scan of every record gives.

ddx.indexed_matching reads a finding's records through the finding index; ddx.scan_matching tests
every record of the graph (the definition). Both are run on every finding of the chapter and of a
synthetic 10x source, without a site, at sites the source gives for it and at one it does not, and
for pairs of findings; the whole result (ranking, scores, explanations, narrowing) must be equal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from calckg.ddx import differential, indexed_matching, scan_matching

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture(scope="module")
def kg10(tmp_path_factory: pytest.TempPathFactory):
    from synth import generate

    from calckg import KnowledgeGraph
    from calckg.pipeline import build

    root = tmp_path_factory.mktemp("synth10x")
    generate(root, "10x", seed=11)
    st = build(root=root, dist=root / "dist", quiet=True)
    return KnowledgeGraph.load(Path(st.out) / "calckg-inferred.ttl")


def _cases(kg) -> list[tuple[list[str], list[str]]]:
    """Every finding alone, at each site its records name (up to two) and at an unrelated site; pairs."""
    findings = sorted(i for i, t in kg.terms.items() if t.kind == "finding")
    all_sites = sorted(i for i, t in kg.terms.items() if t.kind == "site")
    cases: list[tuple[list[str], list[str]]] = []
    for k, f in enumerate(findings):
        cases.append(([f], []))
        named = sorted({s for i in kg.evidence_below(f) for s in kg.evidence[i].sites})
        for s in named[:2]:
            cases.append(([f], [s]))
        cases.append(([f], [all_sites[k % len(all_sites)]]))
        cases.append(([f, findings[(k * 7 + 3) % len(findings)]], []))
    return cases


def _same(kg, findings: list[str], sites: list[str], **kw) -> None:
    a = differential(kg, findings, sites, **kw).to_dict()
    b = differential(kg, findings, sites, match=scan_matching, **kw).to_dict()
    assert a == b, (findings, sites, kw)


@pytest.mark.parametrize("which", ["chapter", "synthetic 10x"])
def test_index_selects_the_records_the_scan_selects(which, kg, kg10):
    from calckg.ddx import _query

    g = kg if which == "chapter" else kg10
    findings = [t for i, t in g.terms.items() if t.kind == "finding"]
    assert findings
    for t in findings:
        q = _query(g, t.iri)
        assert [e.iri for e in indexed_matching(g, q)] == [e.iri for e in scan_matching(g, q)], t.label


@pytest.mark.parametrize("which", ["chapter", "synthetic 10x"])
def test_indexed_differential_equals_the_scan(which, kg, kg10):
    g = kg if which == "chapter" else kg10
    cases = _cases(g)
    assert len(cases) >= 3 * sum(1 for t in g.terms.values() if t.kind == "finding")
    if which == "chapter":  # the chapter has findings defined by their site: those take the other path
        assert any(f in g.defined_site for fs, _ in cases for f in fs)
    for findings, sites in cases:
        _same(g, findings, sites)
    for findings, sites in cases[::7]:
        _same(g, findings, sites, strict_sites=True)


def test_a_limit_shows_the_head_of_the_full_ranking(kg):
    for findings, sites in _cases(kg)[::3]:
        full = differential(kg, findings, sites).to_dict()
        head = differential(kg, findings, sites, limit=3).to_dict()
        assert head["results"] == full["results"][:3]
        assert head["narrowing"] == full["narrowing"]


def test_cause_counts_match_the_records(kg):
    """The precomputed n_q of each finding is the number of disorders among the records of its gamut."""
    for iri, t in kg.terms.items():
        if t.kind == "finding":
            assert kg.cause_count(iri) == len({d for ev in kg.evidence if kg.is_a(ev.finding, iri)
                                               for d in ev.disorders})
    assert kg.n_causes == len({d for ev in kg.evidence for d in ev.disorders})


@pytest.mark.parametrize("which", ["chapter", "synthetic 10x"])
def test_direct_parents_equal_the_pairwise_test(which, kg, kg10):
    """The loader's parents (set unions) are the ancestors that pass the pairwise _direct test."""
    g = kg if which == "chapter" else kg10
    for c, t in g.terms.items():
        assert t.parents == sorted(p for p in g.ancestors.get(c, ()) if p != c and p in g.terms and g._direct(c, p))
