"""pyoxigraph terms as rdflib terms: the store answers queries, rdflib's API serves the callers that
want Graph methods (SHACL results, QC problems, the server's small per-term graphs)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD


def to_rdflib(t: Any) -> Any:
    """One term, datatype and language kept; None stays None (an unbound variable)."""
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        dt = t.datatype.value
        return Literal(t.value, datatype=None if dt == str(XSD.string) else URIRef(dt))
    raise TypeError(f"not an RDF term: {t!r}")


def describe(store: ox.Store, iri: str, *, referrers: int = 0, labels: bool = False) -> Graph:
    """The concise bounded description of iri (its triples, blank nodes followed) from the store,
    plus up to `referrers` triples that point at it and, with labels, the rdfs:label of every IRI
    it mentions (for pages that name their links), as a small rdflib Graph."""
    g = Graph()
    todo: list[Any] = [ox.NamedNode(iri)]
    seen: set[Any] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    if referrers:
        for i, q in enumerate(store.quads_for_pattern(None, None, ox.NamedNode(iri), ox.DefaultGraph())):
            if i >= referrers:
                break
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    if labels:
        label = ox.NamedNode(str(RDFS.label))
        for n in {x for t in g for x in t if isinstance(x, URIRef)}:
            for q in store.quads_for_pattern(ox.NamedNode(str(n)), label, None, ox.DefaultGraph()):
                g.add((n, RDFS.label, to_rdflib(q.object)))
    return g
