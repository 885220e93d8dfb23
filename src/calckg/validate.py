"""SHACL validation of the release (shapes/*.ttl): shacl.Engine by default, pyshacl as the reference.

The engine reads only what the shapes name, from the release's own index, and runs the shapes'
SPARQL in pyoxigraph; pyshacl (on the part of the graph the shapes read, see prune) takes over when
the shapes use what the engine does not cover, or with $CALCKG_SHACL=pyshacl.

Each result becomes one `Problem`, printed on one line with the term's label and IRI, the path,
the shape's message and the source file and line that define the term, so that a curator can go
straight to the place to fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH

from .export import triples_of
from .locate import Location, label_of, locate
from .namespaces import CALC, PREFIXES
from .shacl import Data, Engine, Result, Unsupported
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
             where: dict[URIRef, Location] | None = None, *, store: ox.Store | None = None,
             engine: str | None = None) -> list[Problem]:
    """Validate data against the shapes and return the sorted problems.

    engine (or $CALCKG_SHACL): "auto" (default) runs shacl.Engine, or pyshacl when the shapes use
    what the engine does not cover; "pyshacl" always runs pyshacl (SHACL-AF for the SPARQL
    targets). store, a pyoxigraph Store holding (at least) what the shapes read of data, saves
    loading one for the engine's SPARQL targets and constraints.
    """
    choice = engine or os.environ.get("CALCKG_SHACL", "auto")
    if choice not in ("auto", "pyshacl"):
        raise ValueError(f"unknown SHACL engine {choice!r}: use auto or pyshacl")
    results: list[Result] | None = None
    if choice == "auto":
        try:
            eng = Engine(shapes)
        except Unsupported:
            pass
        else:
            if store is None:
                store = ox.Store()
                store.bulk_load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
            results = eng.run(Data(triples_of(data)), store)
    if results is None:
        results = _pyshacl(data, shapes)
    return _problems(results, data, shapes, src, where)


def validate_release(triples: Iterable[tuple[Any, Any, Any]], labels: Any, shapes: Graph, src: Sources | None = None,
                     where: dict[URIRef, Location] | None = None, *, store: ox.Store | None = None,
                     index: dict[Any, dict[Any, list[Any]]] | None = None) -> list[Problem]:
    """validate() for the build: the engine reads only the triples the shapes can read, from the
    release's tuples (no rdflib graph of millions of triples); pyshacl gets the pruned graph when the
    engine cannot evaluate the shapes or $CALCKG_SHACL=pyshacl. labels answers .value(node, rdfs:label)."""
    if os.environ.get("CALCKG_SHACL", "auto") == "auto":
        try:
            eng = Engine(shapes)
        except Unsupported:
            pass
        else:
            # the engine reads only the predicates the shapes name: the release's own index serves
            if index is not None:
                data = Data(index=index)
            else:
                keep = read_predicates(shapes)
                data = Data(t for t in triples if keep is None or t[1] in keep)
            if store is None:
                store = ox.Store()
                store.bulk_extend(ox.Triple(*map(_ox, (s, p, o))) for s, preds in data.out.items()
                                  for p, os in preds.items() for o in os)
            return _problems(eng.run(data, store), labels, shapes, src, where)
    return validate(prune(triples, shapes), shapes, src, where, engine="pyshacl")


def _ox(n: Any) -> Any:
    if isinstance(n, URIRef):
        return ox.NamedNode(str(n))
    if isinstance(n, BNode):
        return ox.BlankNode(str(n))
    if n.language:
        return ox.Literal(str(n), language=n.language)
    return ox.Literal(str(n), datatype=ox.NamedNode(str(n.datatype))) if n.datatype else ox.Literal(str(n))


def _problems(results: list[Result], data: Any, shapes: Graph, src: Sources | None,
              where: dict[URIRef, Location] | None) -> list[Problem]:
    """One located Problem per distinct result (messages with their {$value} filled in)."""
    problems = set()
    for r in results:
        text = " ".join(r.message.split()) if r.message else "violates the shape"
        if r.value is not None:  # pyshacl fills {$value} only in SPARQL constraints' messages
            calc_term = isinstance(r.value, URIRef) and str(r.value).startswith(str(CALC))
            shown = f"'{label_of(data, r.value)}' <{r.value}>" if calc_term else str(r.value)
            text = text.replace("{$value}", shown).replace("{?value}", shown)
        file, line = locate(r.focus, where or {}, src)
        rule = short(r.shape) if isinstance(r.shape, URIRef) else _owning_shape(shapes, r.shape)
        problems.add(Problem(
            severity=SEVERITY.get(r.severity, "error"), file=file, line=line, iri=str(r.focus),
            label=label_of(data, r.focus), path=_path_text(shapes, r.path), message=text, rule=rule))
    return sorted(problems)


def _pyshacl(data: Graph, shapes: Graph) -> list[Result]:
    """pyshacl's top-level results (those of nested shapes hang below them as sh:detail)."""
    from pyshacl import validate as shacl

    _conforms, report, _text = shacl(data, shacl_graph=shapes, advanced=True, inference="none",
                                     allow_warnings=True, abort_on_first=False)
    assert isinstance(report, Graph)
    out = []
    for r in report.objects(None, SH.result):
        msg = report.value(r, SH.resultMessage)
        path = report.value(r, SH.resultPath)
        if isinstance(path, BNode):  # the path's structure is in the shapes graph: find the same node there
            path = next((p for p in shapes.objects(None, SH.path) if isomorphic_path(report, path, shapes, p)), path)
        out.append(Result(report.value(r, SH.focusNode), path, report.value(r, SH.value),
                          str(msg) if msg is not None else "", report.value(r, SH.sourceShape),
                          report.value(r, SH.resultSeverity)))
    return out


def isomorphic_path(a: Graph, pa: object, b: Graph, pb: object) -> bool:
    return _path_text(a, pa) == _path_text(b, pb)


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
