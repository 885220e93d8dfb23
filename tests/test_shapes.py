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


# ------------------------------------------------------------------ the engine against pyshacl


def test_engine_covers_the_real_shapes(shapes):
    """The build's engine evaluates every shape itself: no silent fallback to pyshacl."""
    from calckg.shacl import Engine

    Engine(shapes)


@pytest.mark.parametrize("fixture", [None, *BROKEN], ids=lambda p: "base" if p is None else p.stem)
def test_engine_gives_pyshacls_problems_on_the_fixtures(shapes, fixture):
    g = base()
    if fixture is not None:
        g.parse(fixture, format="turtle")
    assert validate(g, shapes, engine="auto") == validate(g, shapes, engine="pyshacl")


def test_engine_and_pruning_give_pyshacls_problems_on_the_chapter(shapes, build_state):
    """On the real release, broken in several places at once: the engine on the shapes' part of the graph
    (the build's way) finds exactly what pyshacl finds on the whole graph."""
    from rdflib import Literal
    from rdflib.namespace import RDFS, SKOS

    from calckg.namespaces import CALC
    from calckg.validate import prune

    g = Graph()
    for t in build_state.asserted:
        g.add(t)
    g.add((CALC.Hemochromatosis, SKOS.exactMatch, URIRef("http://purl.obolibrary.org/obo/MONDO_12")))
    g.remove((CALC.Gout, RDFS.label, None))
    g.add((CALC.Gout, RDFS.label, Literal("hemochromatosis", lang="en")))
    defined = min(s for s in g.subjects(SKOS.definition) if isinstance(s, URIRef) and str(s).startswith(str(CALC)))
    g.remove((defined, SKOS.definition, None))
    g.parse(FIXTURES / "entry.ttl", format="turtle")
    full = validate(g, shapes, build_state.src, build_state.where, engine="pyshacl")
    assert len({p.rule for p in full}) >= 4, full
    assert validate(prune(iter(g), shapes), shapes, build_state.src, build_state.where) == full
