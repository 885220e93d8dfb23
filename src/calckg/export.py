"""Write graphs as byte-reproducible files.

rdflib's serializers order subjects and predicates, but blank-node labels differ from run to run.
Every blank node here is an OWL class expression, list or axiom annotation: a tree hanging off a
named term. Labelling each node by a hash of its content and of where it hangs gives the same
labels on every run (and merges only true duplicates: the same axiom stated twice). This is linear
time, where rdflib.compare's general canonicalisation took minutes on this graph.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from .namespaces import PREFIXES


def _h(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]  # noqa: S324 - a label, not security


def canonical(g: Graph) -> Graph:
    """A copy of g whose blank nodes carry deterministic labels."""
    out_edges: dict[BNode, list[tuple[Node, Node]]] = defaultdict(list)
    in_edges: dict[BNode, list[tuple[Node, Node]]] = defaultdict(list)
    for s, p, o in g:
        if isinstance(s, BNode):
            out_edges[s].append((p, o))
        if isinstance(o, BNode):
            in_edges[o].append((s, p))
    content: dict[BNode, str] = {}

    def content_of(b: BNode, depth: int = 0) -> str:
        if b in content:
            return content[b]
        if depth > 10_000:
            raise ValueError("blank-node cycle: cannot label deterministically")
        parts = sorted(f"{p.n3()} {content_of(o, depth + 1) if isinstance(o, BNode) else o.n3()}"
                       for p, o in out_edges.get(b, []))
        content[b] = _h("\n".join(parts))
        return content[b]

    final: dict[BNode, str] = {}

    def final_of(b: BNode, depth: int = 0) -> str:
        if b in final:
            return final[b]
        if depth > 10_000:
            raise ValueError("blank-node cycle: cannot label deterministically")
        refs = sorted(f"{final_of(s, depth + 1) if isinstance(s, BNode) else s.n3()} {p.n3()}"
                      for s, p in in_edges.get(b, []))
        final[b] = "b" + _h(content_of(b) + "|" + "\n".join(refs))
        return final[b]

    def m(n: Node) -> Node:
        return BNode(final_of(n)) if isinstance(n, BNode) else n

    out = Graph()
    for p, ns in PREFIXES.items():
        out.bind(p, ns)
    for p, ns in g.namespaces():
        if p not in PREFIXES and p:
            out.bind(p, ns)
    for s, p, o in g:
        out.add((m(s), p, m(o)))
    return out


def write_turtle(g: Graph, path: Path) -> None:
    path.write_bytes(canonical(g).serialize(format="turtle", encoding="utf-8"))


def iri_sorted(nodes: list[Node]) -> list[Node]:
    return sorted(nodes, key=lambda n: (not isinstance(n, URIRef), str(n)))
