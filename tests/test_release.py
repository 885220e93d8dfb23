"""The pipeline's own writers give the graph a straightforward rdflib build would give.

The pipeline never builds the release in rdflib (export.Release); here, on the chapter, the release
is rebuilt the plain way (the assembled graphs and the edges added to one rdflib Graph, the inferred
subsumptions to a copy) and the released Turtle must be isomorphic to it. Isomorphism is decided by
pyoxigraph's RDFC-1.0 canonicalisation (independent of export's labelling; rdflib.compare takes
minutes here).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.namespace import RDFS

from calckg.edges import derive_edges, edge_graph
from calckg.export import Release, canonical, relabel, write_turtle


def named(g: Graph) -> set:
    return {t for t in g if not any(isinstance(x, BNode) for x in t)}


def isomorphic(a: Graph, b: Graph) -> bool:
    def canon(g: Graph) -> ox.Dataset:
        d = ox.Dataset(ox.parse(g.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES))
        d.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return d

    return len(a) == len(b) and canon(a) == canon(b)


def plain_release(build_state) -> Graph:
    a = build_state.assembled
    g = Graph()
    for part in (a.axioms, a.provenance, edge_graph(derive_edges(a.axioms), a.evidence)):
        for t in part:
            g.add(t)
    return g


def test_turtle_is_isomorphic_to_a_plain_rdflib_build(dist: Path, build_state):
    plain = plain_release(build_state)
    released = Graph().parse(dist / "calckg.ttl", format="turtle")
    assert len(released) == build_state.counts["triples"]
    assert named(released) == named(plain)
    # the chapter states some axioms twice (a restriction from a table row and from a statement):
    # the release keeps one of each, so compare with the plain graph with its duplicates merged
    merged = canonical(plain)
    assert len(released) == len(merged) < len(plain)
    assert isomorphic(released, merged)
    for s, o in build_state.classification.inferred_direct:
        merged.add((s, RDFS.subClassOf, o))
    inferred = Graph().parse(dist / "calckg-inferred.ttl", format="turtle")
    assert len(inferred) == build_state.counts["inferred_triples"]
    assert isomorphic(inferred, merged)


def test_an_axiom_stated_twice_is_released_once(tmp_path: Path):
    """Two copies of one restriction on one class merge; the same restriction on another class does not."""
    data = """@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix ex: <http://example.org/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ex:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:F ] ,
                         [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:F ] .
    ex:B rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:F ] ."""
    g = Graph().parse(data=data, format="turtle")
    triples = relabel(iter(g))
    assert len(g) == 12 and len(triples) == 8
    assert len({t[2] for t in triples if t[1] == RDFS.subClassOf}) == 2
    write_turtle(Release(triples), tmp_path / "a.ttl")
    again = Graph().parse(tmp_path / "a.ttl", format="turtle")
    assert len(again) == 8 and len({s for s in again.subjects() if isinstance(s, BNode)}) == 2
