"""Derive the direct (punned) edges from the class axioms, after reasoning.

`D ⊑ ∃p.(F ⊓ …)` gives `D p F`; `S ⊑ ∃partOf.P` gives `S partOf P`; a union filler gives one edge
per member. Plain SPARQL then needs no blank-node walking. Each edge that the source states is
annotated (owl:Axiom) with the entries and statements that state it.
"""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from .namespaces import CALC

DIRECT = (CALC.mayCause, CALC.locatedIn, CALC.partOf, CALC.hasMechanism, CALC.mayMimic,
          CALC.predisposingCondition, CALC.associatedWith)


def _named_heads(g: Graph, filler: object) -> list[URIRef]:
    """The named classes a filler stands for: itself, an intersection's named member, a union's members."""
    if isinstance(filler, URIRef):
        return [filler]
    if not isinstance(filler, BNode):
        return []
    inter = g.value(filler, OWL.intersectionOf)
    if inter is not None:
        return [m for m in Collection(g, inter) if isinstance(m, URIRef)][:1]
    uni = g.value(filler, OWL.unionOf)
    if uni is not None:
        return [m for m in Collection(g, uni) if isinstance(m, URIRef)]
    return []


def derive_edges(axioms: Graph) -> set[tuple[URIRef, URIRef, URIRef]]:
    edges: set[tuple[URIRef, URIRef, URIRef]] = set()
    for s, r in axioms.subject_objects(RDFS.subClassOf):
        if not isinstance(s, URIRef) or not isinstance(r, BNode):
            continue
        if (r, RDF.type, OWL.Restriction) not in axioms:
            continue
        p = axioms.value(r, OWL.onProperty)
        if p not in DIRECT:
            continue
        for o in _named_heads(axioms, axioms.value(r, OWL.someValuesFrom)):
            edges.add((s, p, o))
    return edges


def edge_graph(edges: set[tuple[URIRef, URIRef, URIRef]],
               evidence: dict[tuple[URIRef, URIRef, URIRef], set[URIRef]]) -> Graph:
    g = Graph()
    for t in edge_triples(edges, evidence):
        g.add(t)
    return g


def edge_triples(edges: set[tuple[URIRef, URIRef, URIRef]],
                 evidence: dict[tuple[URIRef, URIRef, URIRef], set[URIRef]]) -> list[tuple[Any, Any, Any]]:
    """The direct edges, mayBeCausedBy inverses and evidence annotations as plain triples (no Graph:
    the release is assembled from tuples, see export.Release)."""
    out: list[tuple[Any, Any, Any]] = []
    for s, p, o in sorted(edges):
        out.append((s, p, o))
        if p == CALC.mayCause:
            out.append((o, CALC.mayBeCausedBy, s))
        sources = evidence.get((s, p, o))
        if sources:
            a = BNode()
            out += [(a, RDF.type, OWL.Axiom), (a, OWL.annotatedSource, s), (a, OWL.annotatedProperty, p),
                    (a, OWL.annotatedTarget, o)]
            out += [(a, DCTERMS.source, e) for e in sorted(sources)]
    return out
