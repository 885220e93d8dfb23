"""SHACL validation of the assembled graph (shapes/*.ttl) with pyshacl.

Each result becomes one `Problem`, printed on one line with the term's label and IRI, the path,
the shape's message and the source file and line that define the term, so that a curator can go
straight to the place to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from .locate import Location, label_of, locate
from .namespaces import CALC, PREFIXES
from .sources import Sources

SHAPES_NS = "https://w3id.org/calckg/shapes/"
SEVERITY = {SH.Violation: "error", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of SHACL or QC, located in the sources."""

    severity: str
    file: str
    line: int
    iri: str
    label: str
    path: str
    message: str
    rule: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.severity}: '{self.label}' <{self.iri}> {self.path}: {self.message} [{self.rule}] ({where})"


def short(node: object) -> str:
    """A CURIE for well-known namespaces, else the IRI (for readable one-line messages)."""
    text = str(node)
    for p, ns in sorted({**PREFIXES, "cs": SHAPES_NS}.items(), key=lambda kv: -len(str(kv[1]))):
        if text.startswith(str(ns)):
            return f"{p}:{text[len(str(ns)):]}"
    return text


def load_shapes(shapes_dir: Path) -> Graph:
    g = Graph()
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no SHACL shapes in {shapes_dir}")
    for f in files:
        g.parse(f, format="turtle")
    return g


def read_predicates(shapes: Graph) -> set[URIRef] | None:
    """Every predicate the shapes can read: each IRI the shapes graph mentions (paths, targets,
    classes, lessThanOrEquals …), each IRI or declared prefixed name in its SPARQL text, and rdf:type
    (sh:class, targets). None when a SPARQL pattern has a variable predicate (it may read anything)."""
    from rdflib.namespace import RDF

    out: set[URIRef] = {RDF.type}
    out.update(n for t in shapes for n in t if isinstance(n, URIRef))
    declared = {str(p): str(ns) for p, ns in ((shapes.value(d, SH.prefix), shapes.value(d, SH.namespace))
                                             for d in shapes.objects(None, SH.declare)) if p is not None}
    for q in (*shapes.objects(None, SH.select), *shapes.objects(None, SH.ask)):
        where = str(q).split("{", 1)[-1]
        if re.search(r"[?$]\w+\s+[?$]\w+\s+[?$\w<\"]", where):
            return None
        out.update(URIRef(i) for i in re.findall(r"<([^>\s]+)>", where))
        for prefix, local in re.findall(r"\b([A-Za-z][\w-]*):([A-Za-z_][\w-]*)", where):
            if prefix in declared:
                out.add(URIRef(declared[prefix] + local))
    return out


def prune(triples: Iterable[tuple[Any, Any, Any]], shapes: Graph) -> Graph:
    """The part of the release the shapes read: triples whose predicate some shape can look at.

    Why: the bulk of the release is OWL class-expression structure (owl:onProperty,
    owl:someValuesFrom, rdf:first/rest) that no shape reads; dropping it cannot change a result,
    since SHACL reaches triples only through the paths, targets and SPARQL the shapes contain
    (tests/test_shapes.py checks the equality on the chapter and the broken fixtures).
    """
    keep = read_predicates(shapes)
    g = Graph()
    for t in triples:
        if keep is None or t[1] in keep:
            g.add(t)
    return g


def validate(data: Graph, shapes: Graph, src: Sources | None = None,
             where: dict[URIRef, Location] | None = None) -> list[Problem]:
    """Run pyshacl (SHACL-AF for the SPARQL targets) and return the sorted problems."""
    from pyshacl import validate as shacl

    _conforms, results, _text = shacl(data, shacl_graph=shapes, advanced=True, inference="none",
                                      allow_warnings=True, abort_on_first=False)
    assert isinstance(results, Graph)
    problems = set()
    # top-level results only: those of nested shapes (sh:node) hang below them as sh:detail
    for r in results.objects(None, SH.result):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        msg = results.value(r, SH.resultMessage)
        shape = results.value(r, SH.sourceShape)
        value = results.value(r, SH.value)
        text = " ".join(str(msg).split()) if msg is not None else "violates the shape"
        if value is not None:  # pyshacl fills {$value} only in SPARQL constraints' messages
            calc_term = isinstance(value, URIRef) and str(value).startswith(str(CALC))
            shown = f"'{label_of(data, value)}' <{value}>" if calc_term else str(value)
            text = text.replace("{$value}", shown).replace("{?value}", shown)
        file, line = locate(focus, where or {}, src)
        rule = short(shape) if isinstance(shape, URIRef) else _owning_shape(shapes, shape)
        problems.add(Problem(
            severity=SEVERITY.get(results.value(r, SH.resultSeverity), "error"),  # type: ignore[arg-type]
            file=file, line=line, iri=str(focus), label=label_of(data, focus),
            path=_path_text(results, path), message=text,
            rule=rule))
    return sorted(problems)


def _path_text(g: Graph, path: object) -> str:
    """A SHACL path as text: a CURIE, `a|b` for alternatives, `p*` for zero-or-more, `-` for none."""
    if path is None:
        return "-"
    if isinstance(path, URIRef):
        return short(path)
    from rdflib.collection import Collection

    alt = g.value(path, SH.alternativePath)  # type: ignore[arg-type]
    if alt is not None:
        return "|".join(_path_text(g, m) for m in Collection(g, alt))  # type: ignore[arg-type]
    star = g.value(path, SH.zeroOrMorePath)  # type: ignore[arg-type]
    if star is not None:
        return _path_text(g, star) + "*"
    return "-"


def _owning_shape(shapes: Graph, node: object) -> str:
    """The named node shape a blank property shape belongs to (cs:EntryShape, …)."""
    for owner in shapes.subjects(SH.property, node):  # type: ignore[arg-type]
        if isinstance(owner, URIRef):
            return short(owner)
    return "shape"
