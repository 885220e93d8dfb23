"""Every release artifact parses in a second tool and says the same as calckg.ttl.

rdflib reads the Turtle and RDF/XML, pyld the JSON-LD (expansion and compaction with the published
context give back the same graph), owlready2 the OWL file; the SSSOM, VoID/DCAT and HTML files
carry what they describe.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from calckg.export import canonical
from calckg.namespaces import CALC, DCAT, VOID


@pytest.fixture(scope="module")
def ttl(dist: Path) -> Graph:
    return Graph().parse(dist / "calckg.ttl", format="turtle")


def from_jsonld(doc: object) -> Graph:
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})  # default graph only: N-Triples
    return Graph().parse(data=nquads, format="nt")


def same_graph(a: Graph, b: Graph) -> bool:
    """Isomorphism for this graph's tree-shaped blank nodes: equal after content-based bnode labelling
    (rdflib.compare.isomorphic takes ~15 s here)."""
    return len(a) == len(b) and set(canonical(a)) == set(canonical(b))


def test_rdfxml_is_the_same_graph(dist: Path, ttl: Graph):
    owl = Graph().parse(dist / "calckg.owl", format="xml")
    assert same_graph(owl, ttl)


def test_inferred_turtle_adds_only_subsumptions(dist: Path, ttl: Graph):
    inferred = Graph().parse(dist / "calckg-inferred.ttl", format="turtle")
    # blank nodes get fresh ids per parse: compare the named triples, and the sizes
    named = {t for t in ttl if not any(isinstance(x, BNode) for x in t)}
    extra = {t for t in inferred if not any(isinstance(x, BNode) for x in t) and t not in named}
    assert extra and all(p == URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf") for _, p, _ in extra)
    assert len(inferred) == len(ttl) + len(extra)


def test_owl_file_loads_in_owlready2(dist: Path):
    import owlready2

    world = owlready2.World()
    onto = world.get_ontology((dist / "calckg.owl").as_uri()).load()
    gout = world.search_one(iri=str(CALC.Gout))
    assert gout is not None and "gout" in [str(x) for x in gout.label]
    assert world.search_one(iri=str(CALC.CauseOfChondrocalcinosis)) is not None
    assert onto.base_iri.startswith("https://w3id.org/calckg")
    world.close()


def test_jsonld_expands_to_the_same_graph(dist: Path, ttl: Graph):
    doc = json.loads((dist / "calckg.jsonld").read_text())
    assert same_graph(from_jsonld(jsonld.expand(doc)), ttl)


def test_jsonld_compacts_with_published_context_and_back(dist: Path, ttl: Graph):
    doc = json.loads((dist / "calckg.jsonld").read_text())
    published = json.loads((dist / "context.jsonld").read_text())
    assert doc["@context"] == published["@context"], "the embedded context is the published one"
    recompacted = jsonld.compact(jsonld.expand(doc), published)
    assert same_graph(from_jsonld(recompacted), ttl)
    # the context does its job: core properties read as plain names with IRI values
    gout = next(n for n in recompacted["@graph"] if n["@id"] == "calc:Gout")
    assert gout["label"] == {"en": "gout"}


def test_sssom_lists_every_skos_mapping(dist: Path, ttl: Graph):
    text = (dist / "calckg.sssom.tsv").read_text()
    meta = [line for line in text.splitlines() if line.startswith("#")]
    assert any(line.startswith("# mapping_set_id: ") for line in meta) and "# curie_map:" in meta
    rows = list(csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t"))
    assert rows and all(r["mapping_justification"] == "semapv:ManualMappingCuration" for r in rows)
    assert not any(r["object_id"].startswith("GAMUTS:") for r in rows), "GAMUTS has no IRI form to map to"
    iri_rows = {(r["subject_id"], r["predicate_id"], r["object_id"]) for r in rows}
    curie = {str(v): k for k, v in [("skos:exactMatch", SKOS.exactMatch), ("skos:closeMatch", SKOS.closeMatch),
                                    ("skos:narrowMatch", SKOS.narrowMatch), ("skos:broadMatch", SKOS.broadMatch)]}
    graph_mappings = {(s, p, o) for p in map(URIRef, curie) for s, o in ttl.subject_objects(p)}
    assert len(iri_rows) == len(graph_mappings)
    gout = [r for r in rows if r["subject_id"] == "calc:Gout"]
    assert gout and all(r["subject_label"] == "gout" for r in gout)


def test_void_describes_the_release(dist: Path, ttl: Graph):
    void = Graph().parse(dist / "void.ttl", format="turtle")
    [ds] = list(void.subjects(RDF.type, VOID.Dataset))
    assert (ds, RDF.type, DCAT.Dataset) in void
    assert int(void.value(ds, VOID.triples)) == len(ttl)
    files = {str(d).rsplit("/", 1)[1]: d for d in void.objects(ds, DCAT.distribution)}
    assert {"calckg.ttl", "calckg.owl", "calckg.jsonld", "calckg-inferred.ttl", "calckg.sssom.tsv"} <= set(files)
    for name, d in files.items():
        assert int(void.value(d, DCAT.byteSize)) == (dist / name).stat().st_size
    assert void.value(ds, DCTERMS.license) is not None and void.value(ds, DCTERMS.hasVersion) == Literal("0.1.0")


def test_html_documents_every_class(dist: Path, ttl: Graph):
    from html.parser import HTMLParser

    ids: set[str] = set()

    class Ids(HTMLParser):
        def handle_starttag(self, tag, attrs):
            ids.update(v for k, v in attrs if k == "id" and v)

    Ids().feed((dist / "index.html").read_text())
    classes = {str(c).rsplit("/", 1)[1] for c in ttl.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
               if isinstance(c, URIRef) and str(c).startswith(str(CALC))}
    assert classes and classes <= ids
    assert "mayCause" in ids


def test_same_graph_tells_graphs_apart(ttl: Graph):
    """The comparison above can fail: one changed triple inside a class expression is seen."""
    other = Graph()
    for t in ttl:
        other.add(t)
    s, p, o = next(t for t in ttl if isinstance(t[0], BNode) and isinstance(t[2], URIRef)
                   and str(t[2]).startswith(str(CALC)))
    other.remove((s, p, o))
    other.add((s, p, CALC.Gout if o != CALC.Gout else CALC.Hemochromatosis))
    assert same_graph(ttl, ttl) and not same_graph(ttl, other)


def test_owl_api_parses_and_classifies_the_owl_file(dist: Path):
    """The OWL API (bundled in owlready2's HermiT.jar, as Protégé uses it) reads calckg.owl; HermiT's own
    command line then classifies it: no unsatisfiable class, CPPD among the causes of chondrocalcinosis."""
    import shutil
    import subprocess

    import owlready2

    hermit = Path(owlready2.__file__).parent / "hermit"
    java = shutil.which("java")
    assert java, "java is required (the build's reasoner needs it too)"
    run = subprocess.run([java, "-cp", f"{hermit}:{hermit / 'HermiT.jar'}", "org.semanticweb.HermiT.cli.CommandLine",
                          "-c", "-U", (dist / "calckg.owl").as_uri()], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    unsat = run.stdout.split("Classes equivalent to 'owl:Nothing':", 1)[1].split("SubClassOf", 1)[0].split()
    assert unsat == ["owl:Nothing"]
    assert f"SubClassOf( <{CALC.CPPDDepositionDisease}> <{CALC.CauseOfChondrocalcinosis}> )" in run.stdout
