"""Map every IRI the assembler mints back to the source file and line that define it.

SHACL results, QC findings and the reasoner name graph nodes; a curator needs `file:line`. Terms
carry their line from the loader; gamuts, rows and statements carry `__line__` from the YAML; the
vocabulary's own terms are found by their `calc:Name ` line in vocabulary.ttl.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from .namespaces import CALC
from .sources import Sources, _ttl_line

Location = tuple[str, int]


def locations(src: Sources) -> dict[URIRef, Location]:
    """IRI → (file relative to the project root, 1-based line) for everything the sources define."""
    where: dict[URIRef, Location] = {CALC[t.id]: (t.file, t.line) for t in src.terms.values()}
    for g in src.gamuts:
        where[CALC[str(g.get("id"))]] = ("ontology/gamuts.yaml", int(g.get("__line__", 0)))
        table = str(g.get("table", ""))
        for r in g.get("rows") or []:
            row = CALC[f"Table{table.replace('.', '_')}_Row{r.get('row')}"]
            where[row] = ("ontology/gamuts.yaml", int(r.get("__line__", 0)))
    for s in src.statements:
        where[CALC[f"Statement_{s.get('id')}"]] = ("ontology/statements.yaml", int(s.get("__line__", 0)))
    return where


def locate(node: object, where: dict[URIRef, Location], src: Sources | None) -> Location:
    """Where a node is defined; statements minted from a row point at that row."""
    if isinstance(node, URIRef):
        if node in where:
            return where[node]
        local = str(node).removeprefix(str(CALC))
        if local.startswith("Statement_Table") and "_S" in local:  # a row's remark statement
            row = CALC[local.removeprefix("Statement_").rsplit("_S", 1)[0]]
            if row in where:
                return where[row]
        if src is not None and str(node).startswith(str(CALC)):
            line = _ttl_line(src.vocabulary, local)
            if line:
                return ("ontology/vocabulary.ttl", line)
    return ("?", 0)


def label_of(g: Graph, node: object) -> str:
    lab = g.value(node, RDFS.label) if isinstance(node, URIRef) else None  # type: ignore[arg-type]
    return str(lab) if lab is not None else str(node).rsplit("/", 1)[-1]
