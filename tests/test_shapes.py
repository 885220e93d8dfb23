"""Every SHACL shape fires on its broken fixture, and only there; the real graph passes them all.

A fixture in tests/fixtures/shapes/ is added to ontology/vocabulary.ttl and _base.ttl (a minimal valid
graph); its `# fires: <shape> <focus> <path>` lines list exactly the results pyshacl must report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from calckg.validate import load_shapes, short, validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
BROKEN = sorted(p for p in FIXTURES.glob("*.ttl") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(ROOT / "shapes")


def base() -> Graph:
    g = Graph()
    g.parse(ROOT / "ontology" / "vocabulary.ttl", format="turtle")
    g.parse(FIXTURES / "_base.ttl", format="turtle")
    return g


def expected(path: Path) -> set[tuple[str, str, str]]:
    out = set()
    for line in path.read_text().splitlines():
        if line.startswith("# fires:"):
            rule, focus, prop = line.removeprefix("# fires:").split()
            out.add((rule, focus, prop))
    assert out, f"{path.name} declares no '# fires:' line"
    return out


def test_base_fixture_passes(shapes):
    assert validate(base(), shapes) == []


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda p: p.stem)
def test_broken_fixture_fires_its_shape(shapes, fixture):
    g = base()
    g.parse(fixture, format="turtle")
    fired = {(p.rule, short(p.iri), p.path) for p in validate(g, shapes)}
    assert fired == expected(fixture)


def test_every_shape_has_a_broken_fixture(shapes):
    targeted = {short(s) for s in shapes.subjects() if isinstance(s, URIRef) and any(
        (s, p, None) in shapes for p in (SH.targetClass, SH.target, SH.targetSubjectsOf))}
    covered = {rule for f in BROKEN for rule, _, _ in expected(f)}
    assert targeted == covered


def test_real_graph_passes_every_shape(build_state):
    """The chapter conforms, with its intentional patterns: zero-site entries, caption-less Figs. 7.9/7.10,
    postsurgical hypoparathyroidism outside hypoparathyroidism."""
    assert build_state.violations == []
    g = build_state.asserted
    from calckg.namespaces import CALC

    assert (CALC.Fig7_9, CALC.caption, None) not in g
    assert any((e, CALC.site, None) not in g for e in g.subjects(None, CALC.DifferentialEntry))


def test_violation_line_names_label_iri_path_message_and_source(shapes, build_state):
    """A problem found on the real graph is located at the term's definition in its YAML file."""
    from calckg.namespaces import CALC

    g = Graph()
    for t in build_state.asserted:
        g.add(t)
    g.add((CALC.Hemochromatosis, URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"),
           URIRef("http://purl.obolibrary.org/obo/MONDO_12")))
    [problem] = validate(g, shapes, build_state.src, build_state.where)
    file, line = build_state.src.where("Hemochromatosis")
    assert str(problem) == (
        "error: 'hemochromatosis' <https://w3id.org/calckg/Hemochromatosis> "
        "skos:exactMatch|skos:closeMatch|skos:narrowMatch|skos:broadMatch: cross-reference "
        "http://purl.obolibrary.org/obo/MONDO_12 is not well formed for its scheme (MONDO/HP/UBERON: 7 digits; "
        "DOID, ORPHA: digits; OMIM: 6 digits; UMLS: C + 7 digits; SNOMED CT: 6-18 digits; RadLex: RID + digits) "
        f"[cs:CrossReferenceIriShape] ({file}:{line})")
    assert file == "ontology/disorders.yaml"
