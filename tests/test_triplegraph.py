"""TripleGraph answers every triple pattern as rdflib's Memory-backed Graph does, on the real axioms."""

from __future__ import annotations

import random

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDFS

from calckg.triplegraph import TripleGraph


def test_patterns_agree_with_a_plain_graph(build_state):
    axioms = build_state.assembled.axioms
    assert isinstance(axioms, TripleGraph)
    plain = Graph()
    for t in axioms:
        plain.add(t)
    assert len(plain) == len(axioms) > 1000
    rng = random.Random(7)
    for s, p, o in rng.sample(sorted(axioms, key=lambda t: tuple(map(str, t))), 200):
        for pattern in ((s, None, None), (None, p, None), (None, None, o), (s, p, None), (s, None, o), (None, p, o),
                        (s, p, o), (None, None, None)):
            assert set(axioms.triples(pattern)) == set(plain.triples(pattern)), pattern
            assert (pattern in axioms) == (pattern in plain)
    union = next(o for o in axioms.objects(None, OWL.unionOf))
    assert list(Collection(axioms, union)) == list(Collection(plain, union))
    assert set(axioms.subject_objects(RDFS.subClassOf)) == set(plain.subject_objects(RDFS.subClassOf))


def test_adds_after_a_lookup_update_the_indexes_and_remove_works():
    g = TripleGraph()
    a, b, c = (URIRef(f"http://example.org/{x}") for x in "abc")
    g.add((a, RDFS.subClassOf, b))
    assert g.value(a, RDFS.subClassOf) == b  # builds the index
    g.add((a, RDFS.subClassOf, c))
    assert set(g.objects(a, RDFS.subClassOf)) == {b, c} and len(g) == 2
    g.add((a, RDFS.subClassOf, c))
    assert len(g) == 2
    g.remove((a, None, b))
    assert set(g) == {(a, RDFS.subClassOf, c)} and set(g.subjects(RDFS.subClassOf, c)) == {a}
    again = Graph().parse(data=g.serialize(format="nt"), format="nt")
    assert set(again) == set(g)
