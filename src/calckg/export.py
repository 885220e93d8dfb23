"""Write graphs as byte-reproducible files.

rdflib's serializers order subjects and predicates, but blank-node labels differ from run to run;
canonicalising them first (RDFC-style hashing in rdflib.compare) makes equal graphs equal bytes.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from .namespaces import PREFIXES


def canonical(g: Graph) -> Graph:
    c = to_canonical_graph(g)
    out = Graph()
    for p, ns in PREFIXES.items():
        out.bind(p, ns)
    for t in c:
        out.add(t)
    return out


def write_turtle(g: Graph, path: Path) -> None:
    path.write_bytes(canonical(g).serialize(format="turtle", encoding="utf-8"))
