"""Derive the direct (punned) edges from the class axioms, after reasoning.

`D ⊑ ∃p.(F ⊓ …)` gives `D p F`; `S ⊑ ∃partOf.P` gives `S partOf P`; a union filler gives one edge
per member. Plain SPARQL then needs no blank-node walking. Each edge that the source states is
annotated (owl:Axiom) with the entries and statements that state it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from .export import triples_of
from .namespaces import CALC

DIRECT = (CALC.mayCause, CALC.locatedIn, CALC.partOf, CALC.hasMechanism, CALC.mayMimic,
          CALC.predisposingCondition, CALC.associatedWith)


def derive_edges(axioms: Graph | Iterable[tuple[Any, Any, Any]]) -> set[tuple[URIRef, URIRef, URIRef]]:
    """The direct edges of the axioms (a Graph or its triples), read from plain dicts: rdflib's
    per-call lookups cost more than the derivation at the Gamuts scale."""
    triples = triples_of(axioms) if isinstance(axioms, Graph) else axioms
    out: dict[Any, dict[Any, Any]] = {}
    sub: list[tuple[Any, Any]] = []
    keep = {RDF.type, OWL.onProperty, OWL.someValuesFrom, OWL.intersectionOf, OWL.unionOf, RDF.first, RDF.rest}
    sco, typ, bnode = RDFS.subClassOf, RDF.type, BNode
    for s, p, o in triples:
        if p == sco:
            if type(o) is bnode and isinstance(s, URIRef):
                sub.append((s, o))
        elif p in keep and type(s) is bnode:
            node = out.setdefault(s, {})
            if p == typ:
                node.setdefault(p, set()).add(o)
            else:
                node.setdefault(p, o)
    direct = set(DIRECT)

    first, rest, nil = RDF.first, RDF.rest, RDF.nil

    def members(head: Any) -> list[Any]:
        items = []
        while head is not None and head != nil:
            node = out.get(head, {})
            if first in node:
                items.append(node[first])
            head = node.get(rest)
        return items

    def heads(filler: Any) -> list[URIRef]:
        if isinstance(filler, URIRef):
            return [filler]
        node = out.get(filler) if isinstance(filler, BNode) else None
        if not node:
            return []
        if OWL.intersectionOf in node:
            return [m for m in members(node[OWL.intersectionOf]) if isinstance(m, URIRef)][:1]
        if OWL.unionOf in node:
            return [m for m in members(node[OWL.unionOf]) if isinstance(m, URIRef)]
        return []

    edges: set[tuple[URIRef, URIRef, URIRef]] = set()
    restriction, on, some = OWL.Restriction, OWL.onProperty, OWL.someValuesFrom
    for s, r in sub:
        node = out.get(r)
        if not node or restriction not in node.get(typ, ()):
            continue
        p = node.get(on)
        if p not in direct:
            continue
        for o in heads(node.get(some)):
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
