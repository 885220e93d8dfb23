"""A SHACL engine for the constraint components CalcKG's shapes use: pyshacl's answers in seconds.

Why: pyshacl took 75 s on the 100x sources (400,000 triples) and would take most of an hour at the
Gamuts scale, half of it in rdflib's SPARQL engine evaluating the SPARQL targets. This engine reads
the shapes graph and evaluates it over plain dicts of the data; SPARQL targets and SPARQL
constraints run in pyoxigraph. It reports what pyshacl reports for the top-level results (focus
node, path, value, message, source shape, severity), so validate.py turns both into the same
Problems (tests/test_shapes.py compares the two on the chapter and on every broken fixture).

Anything outside the covered subset (another constraint component or path kind, a shape without
its own sh:message where a result would need pyshacl's generated text, sh:deactivated, implicit
class targets) raises Unsupported, and validate.py runs pyshacl instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from .oxrdf import to_rdflib

VIOLATION = SH.Violation
SHAPE_PARAMS = {SH.minCount, SH.maxCount, SH.datatype, SH.languageIn, SH.nodeKind, SH["class"], SH.hasValue,
                SH["in"], SH["or"], SH.node, SH.pattern, SH.flags, SH.minInclusive, SH.maxInclusive,
                SH.lessThanOrEquals, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.sparql, SH.property,
                SH.path, SH.message, SH.severity, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                SH.targetObjectsOf, SH.target, SH.name, SH.description, SH.order, SH.group, RDF.type,
                RDFS.comment, RDFS.label}
TERMINAL = {SH.Violation, SH.Warning, SH.Info}


class Unsupported(ValueError):
    """The shapes use a SHACL feature this engine does not evaluate."""


@dataclass(frozen=True)
class Result:
    focus: Any
    path: Any  # the property shape's sh:path node, or a ?path binding, or None
    value: Any
    message: str
    shape: Any  # the sh:sourceShape
    severity: Any


@dataclass
class Params:
    """One shape's parameters, read from the shapes graph once (rdflib lookups cost more than checks)."""

    path: Any
    message: str
    severity: Any
    properties: list[Any]
    sparql: list[Any]
    min_count: list[int]
    max_count: list[int]
    has_value: list[Any]
    qvs: Any
    qmin: int | None
    dts: list[Any]
    kinds: list[Any]
    classes: list[Any]
    langs: list[list[str]]
    ins: list[set[Any]]
    ors: list[list[Any]]
    nodes: list[Any]
    pats: list[re.Pattern[str]]
    mins: list[Any]
    maxs: list[Any]
    ltes: list[Any]

    @property
    def per_value(self) -> bool:
        return bool(self.dts or self.kinds or self.classes or self.langs or self.ins or self.ors or self.nodes
                    or self.pats or self.mins or self.maxs or self.ltes)


class Data:
    """The data graph as dicts: subject → predicate → objects (the release's own index when given)."""

    def __init__(self, triples: Iterable[tuple[Any, Any, Any]] = (),
                 index: dict[Any, dict[Any, list[Any]]] | None = None) -> None:
        if index is None:
            index = defaultdict(lambda: defaultdict(list))
            for s, p, o in triples:
                index[s][p].append(o)
        self.out = index
        self._pairs: dict[Any, list[tuple[Any, Any]]] = {}
        self._subclasses: dict[Any, set[Any]] = {}

    def pairs(self, p: Any) -> list[tuple[Any, Any]]:
        """(subject, object) of every p triple (one scan per predicate a target or class check needs)."""
        r = self._pairs.get(p)
        if r is None:
            r = self._pairs[p] = [(s, o) for s, preds in self.out.items() for o in preds.get(p, ())]
        return r

    def objects(self, s: Any, p: Any) -> list[Any]:
        preds = self.out.get(s)
        return preds.get(p, []) if preds else []

    def supers(self, c: Any) -> set[Any]:
        """c and everything above it by rdfs:subClassOf*."""
        seen, stack = {c}, [c]
        while stack:
            for o in self.objects(stack.pop(), RDFS.subClassOf):
                if o not in seen:
                    seen.add(o)
                    stack.append(o)
        return seen

    def instance_of(self, v: Any, c: Any) -> bool:
        return any(c in self.supers(t) for t in self.objects(v, RDF.type))

    def instances(self, c: Any) -> set[Any]:
        subs = self._subclasses.get(c)
        if subs is None:
            below: dict[Any, list[Any]] = defaultdict(list)
            for s, o in self.pairs(RDFS.subClassOf):
                below[o].append(s)
            subs, stack = {c}, [c]
            while stack:
                for s in below.get(stack.pop(), ()):
                    if s not in subs:
                        subs.add(s)
                        stack.append(s)
            self._subclasses[c] = subs
        return {s for s, o in self.pairs(RDF.type) if o in subs}


def _node_kind_ok(v: Any, kind: Any) -> bool:
    iri, bnode, lit = isinstance(v, URIRef), isinstance(v, BNode), isinstance(v, Literal)
    return {SH.IRI: iri, SH.BlankNode: bnode, SH.Literal: lit, SH.BlankNodeOrIRI: iri or bnode,
            SH.BlankNodeOrLiteral: bnode or lit, SH.IRIOrLiteral: iri or lit}[kind]


def _datatype_ok(v: Any, dt: Any) -> bool:
    if not isinstance(v, Literal):
        return False
    if v.language:
        return dt == RDF.langString
    actual = v.datatype or XSD.string
    return actual == dt and not getattr(v, "ill_typed", False)


def _compare(a: Any, b: Any) -> int | None:
    """-1/0/1 for literals with comparable values, None otherwise (SHACL: a violation)."""
    if not isinstance(a, Literal) or not isinstance(b, Literal):
        return None
    x, y = a.toPython(), b.toPython()
    if isinstance(x, bool) or isinstance(y, bool):
        return None
    num = (int, float, Decimal)
    if isinstance(x, num) and isinstance(y, num):
        if isinstance(x, float) or isinstance(y, float):
            x, y = float(x), float(y)
        elif isinstance(x, Decimal) or isinstance(y, Decimal):
            x, y = Decimal(x), Decimal(y)
    elif type(x) is not type(y) or isinstance(x, Literal):
        return None
    try:
        return -1 if x < y else (1 if x > y else 0)
    except TypeError:
        return None


class Engine:
    """Evaluate a shapes graph over a data graph (see the module docstring)."""

    def __init__(self, shapes: Graph) -> None:
        self.sg = shapes
        self._checked: set[Any] = set()
        self._params: dict[Any, Params] = {}
        self._paths: dict[Any, tuple[str, Any]] = {}
        self.targeted = sorted({s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                                            SH.target) for s in shapes.subjects(p, None)}, key=str)
        if any(True for _ in shapes.subjects(SH.deactivated, None)):
            raise Unsupported("sh:deactivated")
        for s in self.targeted:
            if (s, RDF.type, RDFS.Class) in shapes or (s, RDF.type, OWL.Class) in shapes:
                raise Unsupported("implicit class targets")
            self._check(s, top=True)

    # ------------------------------------------------------------------ reading the shapes
    def _check(self, shape: Any, top: bool = False) -> None:
        """Refuse what the engine does not evaluate, recursively; messages where results need one."""
        if shape in self._checked:
            return
        self._checked.add(shape)
        sg = self.sg
        for p in sg.predicates(shape, None):
            if p not in SHAPE_PARAMS:
                raise Unsupported(f"{p} on {shape}")
        if sg.value(shape, SH.path) is not None:
            self._path_ok(sg.value(shape, SH.path))
        for lst in sg.objects(shape, SH["or"]):
            for m in Collection(sg, lst):
                self._check(m)
        for p in (SH.node, SH.qualifiedValueShape):
            for n in sg.objects(shape, p):
                self._check(n)
        for ps in sg.objects(shape, SH.property):
            self._check(ps)
            if top and sg.value(ps, SH.message) is None:
                raise Unsupported(f"property shape of {shape} without sh:message")
        node_level = [p for p in sg.predicates(shape, None) if p in SHAPE_PARAMS - {
            SH.property, SH.path, SH.message, SH.severity, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
            SH.targetObjectsOf, SH.target, SH.name, SH.description, SH.order, SH.group, RDF.type, RDFS.comment,
            RDFS.label, SH.sparql}]
        if top and node_level and sg.value(shape, SH.message) is None:
            raise Unsupported(f"{shape} without sh:message")
        for c in sg.objects(shape, SH.sparql):
            if sg.value(c, SH.select) is None or sg.value(c, SH.message) is None:
                raise Unsupported("a SPARQL constraint without sh:select or sh:message")
        for t in sg.objects(shape, SH.target):
            if sg.value(t, SH.select) is None:
                raise Unsupported("a target other than a SPARQL target")
        for p in (SH.qualifiedValueShapesDisjoint, SH.qualifiedMaxCount):
            if sg.value(shape, p) is not None:
                raise Unsupported(str(p))

    def _path_ok(self, path: Any) -> None:
        if isinstance(path, URIRef):
            return
        alt, star = self.sg.value(path, SH.alternativePath), self.sg.value(path, SH.zeroOrMorePath)
        if alt is not None:
            for m in Collection(self.sg, alt):
                self._path_ok(m)
        elif star is not None:
            self._path_ok(star)
        else:
            raise Unsupported(f"path {path}")

    def params(self, shape: Any) -> Params:
        p = self._params.get(shape)
        if p is None:
            sg = self.sg
            objs = lambda pred: list(sg.objects(shape, pred))  # noqa: E731
            flags = str(sg.value(shape, SH.flags) or "")
            qmin = sg.value(shape, SH.qualifiedMinCount)
            p = self._params[shape] = Params(
                path=sg.value(shape, SH.path), message=str(sg.value(shape, SH.message) or ""),
                severity=sg.value(shape, SH.severity) or VIOLATION, properties=objs(SH.property),
                sparql=objs(SH.sparql), min_count=[int(x) for x in objs(SH.minCount)],
                max_count=[int(x) for x in objs(SH.maxCount)], has_value=objs(SH.hasValue),
                qvs=sg.value(shape, SH.qualifiedValueShape), qmin=None if qmin is None else int(qmin),
                dts=objs(SH.datatype), kinds=objs(SH.nodeKind), classes=objs(SH["class"]),
                langs=[[str(x).lower() for x in Collection(sg, lst)] for lst in objs(SH.languageIn)],
                ins=[set(Collection(sg, lst)) for lst in objs(SH["in"])],
                ors=[list(Collection(sg, lst)) for lst in objs(SH["or"])], nodes=objs(SH.node),
                pats=[re.compile(str(x), re.I if "i" in flags else 0) for x in objs(SH.pattern)],
                mins=objs(SH.minInclusive), maxs=objs(SH.maxInclusive), ltes=objs(SH.lessThanOrEquals))
        return p

    def prefixes(self, node: Any) -> str:
        lines = []
        for owner in self.sg.objects(node, SH.prefixes):
            for d in self.sg.objects(owner, SH.declare):
                lines.append(f"PREFIX {self.sg.value(d, SH.prefix)}: <{self.sg.value(d, SH.namespace)}>")
        return "\n".join(sorted(set(lines))) + "\n"

    # ------------------------------------------------------------------ evaluation
    def run(self, data: Data, store: ox.Store) -> list[Result]:
        self.data, self.store = data, store
        self.memo: dict[tuple[Any, Any], bool] = {}
        results: list[Result] = []
        for shape in self.targeted:
            focus = self.focus_nodes(shape)
            results += self.sparql(shape, focus)
            for f in sorted(focus, key=lambda n: (type(n).__name__, str(n))):
                results += self.node_results(shape, f)
        return results

    def focus_nodes(self, shape: Any) -> set[Any]:
        sg, d = self.sg, self.data
        out: set[Any] = set()
        for c in sg.objects(shape, SH.targetClass):
            out |= d.instances(c)
        out.update(sg.objects(shape, SH.targetNode))
        for p in sg.objects(shape, SH.targetSubjectsOf):
            out.update(s for s, _ in d.pairs(p))
        for p in sg.objects(shape, SH.targetObjectsOf):
            out.update(o for _, o in d.pairs(p))
        for t in sg.objects(shape, SH.target):
            q = self.prefixes(t) + str(sg.value(t, SH.select))
            out.update(to_rdflib(row["this"]) for row in self.store.query(q))  # type: ignore[union-attr]
        return out

    def values(self, f: Any, path: Any) -> list[Any]:
        if isinstance(path, URIRef):
            return self.data.objects(f, path)
        kind = self._paths.get(path)
        if kind is None:
            alt = self.sg.value(path, SH.alternativePath)
            kind = self._paths[path] = ("alt", list(Collection(self.sg, alt))) if alt is not None else (
                "star", self.sg.value(path, SH.zeroOrMorePath))
        if kind[0] == "alt":
            return list(dict.fromkeys(v for m in kind[1] for v in self.values(f, m)))
        step = kind[1]
        seen, stack = {f: None}, [f]
        while stack:
            for v in self.values(stack.pop(), step):
                if v not in seen:
                    seen[v] = None
                    stack.append(v)
        return list(seen)

    def node_results(self, shape: Any, f: Any) -> list[Result]:
        """Top-level results of one focus node: the shape's own constraints, then its property shapes'."""
        out = []
        sp = self.params(shape)
        for v, _ in self.failures(sp, f, [f]):
            out.append(Result(f, None, v, sp.message, shape, sp.severity))
        for ps in sp.properties:
            pp = self.params(ps)
            for v, _ in self.failures(pp, f, self.values(f, pp.path)):
                out.append(Result(f, pp.path, v, pp.message, ps, pp.severity))
        return out

    def conforms(self, shape: Any, f: Any) -> bool:
        key = (shape, f)
        r = self.memo.get(key)
        if r is None:
            sp = self.params(shape)
            own = [f] if sp.path is None else self.values(f, sp.path)
            r = not any(True for _ in self.failures(sp, f, own))
            if r:
                for ps in sp.properties:
                    pp = self.params(ps)
                    if any(True for _ in self.failures(pp, f, self.values(f, pp.path))):
                        r = False
                        break
            if r and sp.sparql:
                r = not self.sparql(shape, {f})
            self.memo[key] = r
        return r

    def failures(self, sp: Params, f: Any, vals: list[Any]) -> Iterable[tuple[Any, Any]]:
        """(value or None, component) for each violation of the shape's own constraints."""
        d = self.data
        for n in sp.min_count:
            if len(vals) < n:
                yield None, SH.MinCountConstraintComponent
        for n in sp.max_count:
            if len(vals) > n:
                yield None, SH.MaxCountConstraintComponent
        for x in sp.has_value:
            if x not in vals:
                yield None, SH.HasValueConstraintComponent
        if sp.qvs is not None and sp.qmin is not None:
            if sum(1 for v in vals if self.conforms(sp.qvs, v)) < sp.qmin:
                yield None, SH.QualifiedMinCountConstraintComponent
        if not sp.per_value:
            return
        ltes = [x for p in sp.ltes for x in d.objects(f, p)]
        for v in vals:
            for dt in sp.dts:
                if not _datatype_ok(v, dt):
                    yield v, SH.DatatypeConstraintComponent
            for k in sp.kinds:
                if not _node_kind_ok(v, k):
                    yield v, SH.NodeKindConstraintComponent
            for c in sp.classes:
                if not d.instance_of(v, c):
                    yield v, SH.ClassConstraintComponent
            for tags in sp.langs:
                lang = v.language.lower() if isinstance(v, Literal) and v.language else None
                if lang is None or not any(lang == t or lang.startswith(t + "-") for t in tags):
                    yield v, SH.LanguageInConstraintComponent
            for members in sp.ins:
                if v not in members:
                    yield v, SH.InConstraintComponent
            for alts in sp.ors:
                if not any(self.conforms(m, v) for m in alts):
                    yield v, SH.OrConstraintComponent
            for n in sp.nodes:
                if not self.conforms(n, v):
                    yield v, SH.NodeConstraintComponent
            for pat in sp.pats:
                if isinstance(v, BNode) or not pat.search(str(v)):
                    yield v, SH.PatternConstraintComponent
            for m in sp.mins:
                c = _compare(v, m)
                if c is None or c < 0:
                    yield v, SH.MinInclusiveConstraintComponent
            for m in sp.maxs:
                c = _compare(v, m)
                if c is None or c > 0:
                    yield v, SH.MaxInclusiveConstraintComponent
            for w in ltes:
                c = _compare(v, w)
                if c is None or c > 0:
                    yield v, SH.LessThanOrEqualsConstraintComponent

    def sparql(self, shape: Any, focus: set[Any]) -> list[Result]:
        """SPARQL constraints of a node shape, $this bound to every focus node at once (VALUES)."""
        out: list[Result] = []
        if not focus:
            return out
        for c in self.sg.objects(shape, SH.sparql):
            text = str(self.sg.value(c, SH.select))
            msg = str(self.sg.value(c, SH.message))
            head, brace, body = text.partition("{")
            iris = [n for n in focus if isinstance(n, URIRef)]
            if len(iris) != len(focus):
                raise Unsupported("a SPARQL constraint on blank focus nodes")
            values = " ".join(f"<{n}>" for n in sorted(iris))
            q = self.prefixes(c) + head + brace + f" VALUES $this {{ {values} }} " + body
            seen = set()
            solutions = self.store.query(q)
            names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
            for row in solutions:  # type: ignore[union-attr]
                bound = {n: to_rdflib(row[n]) for n in names if row[n] is not None}
                key = tuple(sorted((k, str(v)) for k, v in bound.items()))
                if key in seen:
                    continue
                seen.add(key)
                text_msg = msg
                for var, val in bound.items():
                    text_msg = re.sub(r"\{[?$]" + re.escape(var) + r"\}", lambda _m, v=val: str(v), text_msg)
                out.append(Result(bound["this"], bound.get("path"), bound.get("value", bound["this"]), text_msg,
                                  shape, self.sg.value(shape, SH.severity) or VIOLATION))
        return out


