"""A structural classifier for CalcKG's axiom pattern: HermiT's answers at a fraction of the cost.

Why: HermiT (a hypertableau reasoner for all of OWL 2 DL) needs minutes to hours once the sources
reach tens of thousands of rows, while CalcKG's axioms stay in a small fragment: named subclass
axioms, existential restrictions (`D ⊑ ∃mayCause.(F ⊓ ∃locatedIn.(S1 ⊔ S2))`), unions of classes,
equivalences used as definitions, `D ⊑ ¬∃mayCause.F`, disjoint classes, domains and ranges, a
transitive `partOf` and the chain `locatedIn ∘ partOf ⊑ locatedIn`. With no inverse roles in class
expressions, no universal restrictions other than the negatives, no nominals and no number
restrictions, every such ontology has tree models whose subtrees can be chosen independently, so:

* a node (a named class or a restriction's filler) is Horn-saturated — told superclasses, domains,
  the fillers' ranges — and split into branches only at unions that are not already satisfied;
* a successor is evaluated once per (filler, negatives pushed by its parent) and cached;
* `∃r.Q` holds in a branch when some r-successor satisfies Q in all its branches (or, for the
  chain and the transitive role, some part reached from it does);
* defined classes are recognised in each branch from their definitions, until nothing changes;
* a branch with disjoint classes, owl:Nothing, an unsatisfiable successor, or a successor its parent
  forbids, is dropped; a class without branches is unsatisfiable.

Anything outside this fragment raises Unsupported, and reason.classify then runs HermiT instead.
tests/test_saturate.py proves equality with HermiT on the chapter and on synthetic sources.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.plugins.stores.memory import Memory

THING = str(OWL.Thing)
_EMPTY: frozenset[Any] = frozenset()
NOTHING = str(OWL.Nothing)
_TYPE, _FIRST, _REST, _NIL = RDF.type, RDF.first, RDF.rest, RDF.nil
_INTER, _UNION, _COMP, _ONPROP, _SOME = (OWL.intersectionOf, OWL.unionOf, OWL.complementOf, OWL.onProperty,
                                         OWL.someValuesFrom)

Expr = tuple[Any, ...]  # ("N", iri) | ("AND", exprs) | ("OR", exprs) | ("SOME", role, expr) | ("NOT", role, expr)


class Unsupported(ValueError):
    """The axioms leave the fragment this classifier is complete for."""


@dataclass
class Branch:
    named: frozenset[str]
    succ: tuple[tuple[str, Node], ...]


@dataclass
class _State:
    """A branch being saturated: what it holds so far. Copied when a union splits it."""

    named: set[str] = field(default_factory=set)
    exists: dict[tuple[str, int], Expr] = field(default_factory=dict)
    unions: list[Expr] = field(default_factory=list)
    own_negs: set[tuple[str, Expr]] = field(default_factory=set)
    seen: set[int] = field(default_factory=set)  # id()s of the expressions saturated
    # the successors of the first n_done existentials, computed with n_negs negatives: what the next
    # recognition round can reuse (rebuilding them every round was a dict lookup per (round, ∃))
    succ: list[tuple[str, Node]] = field(default_factory=list)
    n_done: int = 0
    n_negs: int = 0

    def copy(self) -> _State:
        return _State(set(self.named), dict(self.exists), list(self.unions), set(self.own_negs), set(self.seen),
                      list(self.succ), self.n_done, self.n_negs)


@dataclass
class Node:
    branches: list[Branch]
    reach: dict[str | None, frozenset[str]] | None = None  # memo of Saturator._reach_named
    # memo of Saturator._triggered: role -> the defined classes whose triggering ∃role.Q this node satisfies
    triggered: dict[str, tuple[str, ...]] | None = None


def fast_triples(g: Graph) -> Iterator[tuple[Any, Any, Any]]:
    """Every triple of g; straight from rdflib's Memory indexes when g owns its store.

    Iterating a Memory-backed Graph costs ~15 µs a triple in context bookkeeping (a minute for the
    Gamuts scale's 3.5 million); the index itself holds exactly g's triples when g is a plain Graph
    with a store of its own, which the count check below confirms.
    """
    spo = getattr(g.store, "_Memory__spo", None)
    if type(g) is Graph and type(g.store) is Memory and isinstance(spo, dict):
        if sum(len(os) for ps in spo.values() for os in ps.values()) == len(g):
            return ((s, p, o) for s, ps in spo.items() for p, os in ps.items() for o in os)
    return iter(g)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: building millions of small, long-lived tuples and sets made
    Python's collector re-traverse them (and the axioms graph) over and over, ~45% of the classification
    at 100x. Nothing built here forms cycles worth collecting early; the collector resumes after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def by_predicate(g: Graph) -> dict[Any, dict[Any, Any]]:
    """g as predicate → object → subjects: rdflib's own pos index when g owns its store, else built."""
    pos = getattr(g.store, "_Memory__pos", None)
    if type(g) is Graph and type(g.store) is Memory and isinstance(pos, dict):
        if sum(len(ss) for os in pos.values() for ss in os.values()) == len(g):
            return pos
    built: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in g:
        built[p][o].append(s)
    return built


def _n(iri: str) -> Expr:
    return ("N", iri)


class _Parser:
    """Read the axioms graph into expressions, refusing what the fragment does not cover.

    The graph is read once into plain dicts: rdflib's per-call lookups cost more than the reasoning.
    """

    CLASS_AXIOM_PREDICATES = {RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith}
    REFUSED_PREDICATES = {OWL.allValuesFrom, OWL.hasValue, OWL.oneOf, OWL.cardinality, OWL.minCardinality,
                          OWL.maxCardinality, OWL.qualifiedCardinality, OWL.minQualifiedCardinality,
                          OWL.maxQualifiedCardinality, OWL.hasSelf, OWL.disjointUnionOf, OWL.members,
                          OWL.propertyDisjointWith, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.hasKey,
                          OWL.sourceIndividual, OWL.onClass}
    REFUSED_TYPES = {OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.ReflexiveProperty,
                     OWL.IrreflexiveProperty, OWL.AsymmetricProperty, OWL.AllDisjointClasses, OWL.NamedIndividual,
                     OWL.NegativePropertyAssertion, OWL.AllDifferent}

    # the predicates read; everything else (labels, synonyms, definitions, provenance) is skipped unseen
    READ_PREDICATES = {OWL.inverseOf, OWL.propertyChainAxiom, RDFS.domain, RDFS.range, RDFS.subClassOf,
                       OWL.equivalentClass, OWL.disjointWith}

    def __init__(self, g: Graph) -> None:
        # blank node -> value, per structural predicate (first, rest, onProperty, …): one dict lookup a step
        self.single: dict[Any, dict[Any, Any]] = {k: {} for k in (_INTER, _UNION, _COMP, _ONPROP, _SOME, _FIRST,
                                                                  _REST)}
        self.by_pred: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
        self.refused: set[str] = set()
        keep = {_INTER, _UNION, _COMP, _ONPROP, _SOME, _FIRST, _REST}
        by_pred = self.by_pred
        # predicate by predicate (rdflib's pos index when g owns its store): a whole predicate is refused,
        # skipped or read in one go, instead of testing each of the Gamuts scale's millions of triples
        pos = by_predicate(g)
        if refused := set(pos) & self.REFUSED_PREDICATES:
            raise Unsupported(f"{sorted(refused)[0]} is outside the fragment")
        self.types: dict[Any, set[Any]] = {o: set(ss) for o, ss in pos.get(_TYPE, {}).items()}
        for t in self.REFUSED_TYPES:
            self.refused.update(str(x) for x in self.types.get(t, ()))
        for p, objects in pos.items():
            if p in keep:
                self.single[p] = {s: o for o, subjects in objects.items() for s in subjects if type(s) is BNode}
            elif p in self.READ_PREDICATES:
                pairs = by_pred[p]
                for o, subjects in objects.items():
                    pairs.extend((s, o) for s in subjects)
                if p in self.CLASS_AXIOM_PREDICATES and not all(isinstance(s, URIRef) for s, _ in pairs):
                    raise Unsupported("a class axiom with a complex left-hand side")
        self.cache: dict[Any, Expr] = {}
        self.interned: dict[Expr, Expr] = {}

    def intern(self, e: Expr) -> Expr:
        """One object per distinct expression, so that sets and memo keys can use id()."""
        return self.interned.setdefault(e, e)

    def one(self, node: Any, p: Any) -> Any:
        return self.single[p].get(node)

    def items(self, head: Any) -> list[Any]:
        out = []
        while head is not None and head != _NIL:
            first = self.one(head, _FIRST)
            if first is None:
                raise Unsupported("a malformed RDF list")
            out.append(first)
            head = self.one(head, _REST)
        return out

    def expr(self, node: Any, top: bool = False) -> Expr:
        if isinstance(node, URIRef):
            return self.intern(_n(str(node)))
        if not isinstance(node, BNode):
            raise Unsupported(f"not a class expression: {node!r}")
        if node in self.cache:
            return self.cache[node]
        if (inter := self.one(node, _INTER)) is not None:
            e: Expr = ("AND", tuple(sorted({self.expr(m) for m in self.items(inter)})))
        elif (uni := self.one(node, _UNION)) is not None:
            e = ("OR", tuple(sorted({self.expr(m) for m in self.items(uni)})))
        elif (comp := self.one(node, _COMP)) is not None:
            inner = self.expr(comp)
            if not top or inner[0] != "SOME" or inner[2][0] != "N":
                raise Unsupported("complementOf outside 'C ⊑ not (r some NamedClass)'")
            e = ("NOT", inner[1], inner[2])
        elif (prop := self.one(node, _ONPROP)) is not None:
            filler = self.one(node, _SOME)
            if filler is None or not isinstance(prop, URIRef):
                raise Unsupported(f"restriction other than someValuesFrom on {prop}")
            e = ("SOME", str(prop), self.expr(filler))
        else:
            raise Unsupported(f"unknown class expression {node}")
        e = self.intern(e)
        if not top:
            self.cache[node] = e
        return e


class Saturator:
    """Classify the named classes of an axioms graph (see the module docstring)."""

    def __init__(self, g: Graph) -> None:
        self.told: dict[str, list[Expr]] = defaultdict(list)
        self.defs: dict[str, Expr] = {}
        self.disjoint: dict[str, set[str]] = defaultdict(set)
        self.dom: dict[str, list[Expr]] = defaultdict(list)
        self.rng: dict[str, list[Expr]] = defaultdict(list)
        self.transitive: set[str] = set()
        self.chain: dict[str, str] = {}  # r -> s for r o s ⊑ r
        self.named: set[str] = set()
        self._read(g)
        self._index()
        self.memo: dict[tuple[frozenset[int], frozenset[int]], Node] = {}
        self.busy: set[tuple[frozenset[int], frozenset[int]]] = set()
        self.deferred: dict[tuple[int, str], Expr] = {}
        # successors by (role, filler, pushed negatives) -> node: the same wherever they occur, so one memo
        # for all (node() would find them too, but builds two frozensets a call: 1.3 million at Gamuts scale)
        self.children: dict[tuple[str, int, frozenset[int]], Node] = {}

    # ------------------------------------------------------------------ reading
    def _read(self, g: Graph) -> None:
        p = _Parser(g)
        self._parser = p  # keeps the interned expressions (and so their id()s) alive
        refused = p.refused
        pairs = p.by_pred
        inverse: dict[str, str] = {}
        symmetric: set[str] = set()
        for s, o in pairs[OWL.inverseOf]:
            inverse[str(s)], inverse[str(o)] = str(o), str(s)
        types: dict[Any, set[Any]] = defaultdict(set, p.types)
        symmetric = {str(s) for s in types[OWL.SymmetricProperty]}
        self.transitive = {str(s) for s in types[OWL.TransitiveProperty]}
        self.named = {str(s) for s in types[OWL.Class] if isinstance(s, URIRef)}
        for s, lst in pairs[OWL.propertyChainAxiom]:
            chain = [str(x) for x in Collection(g, lst)]
            if len(chain) != 2 or chain[0] != str(s) or chain[1] not in self.transitive:
                raise Unsupported(f"property chain {chain} for {s}")
            self.chain[str(s)] = chain[1]
        doms: dict[str, list[Expr]] = defaultdict(list)
        rngs: dict[str, list[Expr]] = defaultdict(list)
        data_props = types[OWL.DatatypeProperty] | types[OWL.AnnotationProperty]
        for s, o in pairs[RDFS.domain]:
            if s not in data_props:
                doms[str(s)].append(p.expr(o))
        for s, o in pairs[RDFS.range]:
            if s not in data_props and not (isinstance(o, URIRef) and str(o).startswith(
                    ("http://www.w3.org/2001/XMLSchema#", str(RDF)))):
                rngs[str(s)].append(p.expr(o))
        for r in set(doms) | set(rngs) | set(inverse) | symmetric:
            self.dom[r] = doms[r] + (rngs[inverse[r]] if r in inverse else []) + (rngs[r] if r in symmetric else [])
            self.rng[r] = rngs[r] + (doms[inverse[r]] if r in inverse else []) + (doms[r] if r in symmetric else [])
        self.told_subclass = pairs[RDFS.subClassOf]  # the asserted (sub, super) nodes, for reason._finish
        for s, o in pairs[RDFS.subClassOf]:
            self.told[str(s)].append(p.expr(o, top=True))
        for s, o in pairs[OWL.equivalentClass]:
            e = p.expr(o)
            self.told[str(s)].append(e)
            if e[0] == "N":
                self.told[e[1]].append(p.intern(_n(str(s))))
            else:
                if str(s) in self.defs:
                    raise Unsupported(f"two definitions for {s}")
                self.defs[str(s)] = e
        for s, o in pairs[OWL.disjointWith]:
            if not isinstance(o, URIRef):
                raise Unsupported("disjointWith a complex class")
            self.disjoint[str(s)].add(str(o))
            self.disjoint[str(o)].add(str(s))
        for c, sups in self.told.items():
            self.named.add(c)
            for e in sups:
                self._collect_named(e)
        for e in self.defs.values():
            self._check_query(e)
        # roles that matter: those definitions and negatives look at, and the roles they reach through
        self.relevant: set[str] = set()
        for e in self.defs.values():
            self._roles(e, self.relevant)
        negs = [e for sups in self.told.values() for e in sups if e[0] == "NOT"]
        for e in negs:
            if e[1] in self.chain or e[1] in self.transitive or e[1] in self.chain.values():
                raise Unsupported(f"a negative on the chained or transitive role {e[1]}")
            if e[1] in inverse or e[1] in symmetric:
                if inverse.get(e[1]) in self.relevant or e[1] in symmetric:
                    raise Unsupported(f"a negative on {e[1]}, whose inverse is used")
            self.relevant.add(e[1])
        for r in list(self.relevant):
            if r in self.chain:
                self.relevant.add(self.chain[r])
        for r in self.relevant:
            if (r in inverse and inverse[r] in self.relevant) or r in symmetric:
                raise Unsupported(f"role {r} is used together with its inverse")
        used: set[str] = set()
        for sups in self.told.values():
            for e in sups:
                self._roles(e, used)
        if refused & (used | {NOTHING}) or any(x in self.named for x in refused):
            raise Unsupported(f"characteristics outside the fragment on {sorted(refused & used)}")
        self.negatives = {e[2][1] for e in negs}
        self._check_negatives()

    def _collect_named(self, e: Expr) -> None:
        if e[0] == "N":
            self.named.add(e[1])
        elif e[0] in ("AND", "OR"):
            for m in e[1]:
                self._collect_named(m)
        else:
            self._collect_named(e[2])

    def _check_query(self, e: Expr) -> None:
        """Definitions: named classes, intersections, existentials; unions of named classes only."""
        if e[0] == "OR":
            if any(m[0] != "N" or m[1] in self.defs for m in e[1]):
                raise Unsupported("a definition with a union of complex classes")
        elif e[0] == "AND":
            for m in e[1]:
                self._check_query(m)
        elif e[0] == "SOME":
            self._check_query(e[2])
        elif e[0] == "NOT":
            raise Unsupported("a negation inside a definition")

    def _roles(self, e: Expr, out: set[str]) -> None:
        if e[0] in ("AND", "OR"):
            for m in e[1]:
                self._roles(m, out)
        elif e[0] in ("SOME", "NOT"):
            out.add(e[1])
            self._roles(e[2], out)

    def _check_negatives(self) -> None:
        """A forbidden class N must not be reachable only through a recognised definition."""
        for c, e in self.defs.items():
            atoms = [m[1] for m in (e[1] if e[0] == "AND" else (e,)) if m[0] == "N"]
            up_c = self._told_named_closure([c])
            if self.negatives & up_c and not (self.negatives & up_c) <= self._told_named_closure(atoms):
                raise Unsupported(f"a negative on a class that the definition of {c} implies")

    def _told_named_closure(self, start: list[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(start)
        while stack:
            x = stack.pop()
            if x in seen:
                continue
            seen.add(x)
            for e in self.told.get(x, ()):
                if e[0] == "N":
                    stack.append(e[1])
                elif e[0] == "AND":
                    stack.extend(m[1] for m in e[1] if m[0] == "N")
        return seen

    def _index(self) -> None:
        """Defined classes by a trigger: a named conjunct, or (role, named head of the filler)."""
        self.by_atom: dict[str, list[str]] = defaultdict(list)
        self.by_role_head: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.by_role: dict[str, list[str]] = defaultdict(list)
        self.trigger: dict[str, list[Expr]] = {}  # the definition's conjuncts, the triggering ∃ first
        for c, e in self.defs.items():
            members = e[1] if e[0] == "AND" else (e,)
            some = [m for m in members if m[0] == "SOME"]
            if some:
                self.trigger[c] = [some[0], *(m for m in members if m is not some[0])]
                r, filler = some[0][1], some[0][2]
                head = _head(filler)
                if head is None:
                    self.by_role[r].append(c)
                else:
                    self.by_role_head[(r, head)].append(c)
            else:
                for m in members:
                    if m[0] == "N":
                        self.by_atom[m[1]].append(c)
                        break
                else:
                    self.by_role[""].append(c)
        self.atom_keys = frozenset(self.by_atom)
        self.disjoint_keys = frozenset(self.disjoint)

    # ------------------------------------------------------------------ evaluation
    def node(self, conj: frozenset[Expr], forbid: frozenset[Expr] = frozenset()) -> Node:
        key = (frozenset(map(id, conj)), frozenset(map(id, forbid)))
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        if key in self.busy:
            raise Unsupported("a cycle through the roles that definitions look at")
        self.busy.add(key)
        try:
            result = Node(self._expand(set(conj), forbid))
        finally:
            self.busy.discard(key)
        self.memo[key] = result
        return result

    def _expand(self, conj: set[Expr], forbid: frozenset[Expr]) -> list[Branch]:
        return self._saturate(_State(), list(conj), forbid)

    def _saturate(self, st: _State, stack: list[Expr], forbid: frozenset[Expr]) -> list[Branch]:
        """Saturate st with stack; at an unsatisfied union, one branch per member, each continuing from
        a copy of st (not from scratch: at the Gamuts scale, nested unions re-saturated ~350,000 times).
        """
        # expressions are interned: sets hold id()s, never re-hashing deep tuples
        named, exists, unions, own_negs, seen = st.named, st.exists, st.unions, st.own_negs, st.seen
        children = self.children
        told, dom = self.told, self.dom
        while True:
            while stack:  # Horn saturation of what is new
                e = stack.pop()
                if id(e) in seen:
                    continue
                seen.add(id(e))
                kind = e[0]
                if kind == "N":
                    named.add(e[1])
                    stack.extend(told.get(e[1], ()))
                elif kind == "AND":
                    stack.extend(e[1])
                elif kind == "OR":
                    unions.append(e)
                elif kind == "SOME":
                    exists[(e[1], id(e[2]))] = e[2]
                    stack.extend(dom.get(e[1], ()))
                else:
                    own_negs.add((e[1], e[2]))
            if unions:  # a satisfied union stays satisfied: keep only the open ones
                unions[:] = [u for u in unions if not any((m[0] == "N" and m[1] in named) or id(m) in seen
                                                          for m in u[1])]
                if unions:
                    branches: list[Branch] = []
                    for m in unions[0][1]:  # one branch per member; with m in conj, the union is satisfied there
                        branches.extend(self._saturate(st.copy(), [m], forbid))
                    return branches
            if NOTHING in named or any(self.disjoint[x] & named for x in named & self.disjoint_keys):
                return []
            # successors: only those of existentials new since the last round, unless negatives were added
            if len(own_negs) != st.n_negs:
                st.succ, st.n_done, st.n_negs = [], 0, len(own_negs)
            succ = st.succ
            new_exists = list(exists.items())[st.n_done:] if st.n_done else exists.items()
            st.n_done = len(exists)
            pushed_by_role: dict[str, tuple[frozenset[Expr], frozenset[int]]] = {}
            for (r, fid), filler in new_exists:
                if r not in self.relevant:
                    self.deferred[(fid, r)] = filler
                    continue
                if own_negs:
                    hit = pushed_by_role.get(r)
                    if hit is None:
                        pushed = frozenset(n for (r2, n) in own_negs if r2 == r)
                        hit = pushed_by_role[r] = (pushed, frozenset(map(id, pushed)))
                    pushed, pushed_ids = hit
                else:
                    pushed, pushed_ids = _EMPTY, _EMPTY
                key = (r, fid, pushed_ids)
                child = children.get(key)
                if child is None:
                    child = children[key] = self.node(frozenset([filler, *self.rng.get(r, ())]), pushed)
                if not child.branches:
                    return []
                succ.append((r, child))
            branch = Branch(frozenset(named), tuple(succ))
            found = self._recognise(branch)
            if not found:
                break
            stack.extend(self._parser.intern(_n(c)) for c in found)
        if any(self.holds(branch, q) for q in forbid):
            return []
        return [branch]

    def _recognise(self, b: Branch) -> set[str]:
        """Defined classes whose definition holds in b and that b does not have yet.

        A definition `A ⊓ ∃r.Q` is tried only on the r-successors whose named classes (or, through the
        chain, those of their parts) include Q's head, and checked on that successor alone.
        """
        found: set[str] = set()
        named = b.named
        for c in self.by_role.get("", ()):
            if c not in named and self.holds(b, self.defs[c]):
                found.add(c)
        # only the named classes that trigger a definition (a set intersection, not a lookup per class)
        for x in named & self.atom_keys:
            for c in self.by_atom[x]:
                if c not in named and c not in found and self.holds(b, self.defs[c]):
                    found.add(c)
        trigger = self.trigger
        for r, child in b.succ:
            memo = child.triggered
            hit = memo.get(r) if memo is not None else None
            for c in self._triggered(child, r) if hit is None else hit:
                if c in named or c in found:
                    continue
                if all(self.holds(b, m) for m in trigger[c][1:]):
                    found.add(c)
        return found

    def _triggered(self, child: Node, r: str) -> tuple[str, ...]:
        """Defined classes `… ⊓ ∃r.Q` whose ∃r.Q an r-successor `child` satisfies, in index order.

        Why memoised on the node: whether child satisfies Q depends on child and Q only, and the same
        child is tested in every recognition round of its parent and by every parent sharing it (at the
        Gamuts scale, ~12 million such tests without the memo).
        """
        if child.triggered is None:
            child.triggered = {}
        hit = child.triggered.get(r)
        if hit is None:
            via = self.chain.get(r) or (r if r in self.transitive else None)
            cands = list(self.by_role.get(r, ()))
            for x in self._reach_named(child, via):
                cands.extend(self.by_role_head.get((r, x), ()))
            hit = child.triggered[r] = tuple(dict.fromkeys(c for c in cands
                                                           if self._reach(child, self.trigger[c][0][2], via)))
        return hit

    def _reach_named(self, node: Node, via: str | None) -> frozenset[str]:
        if node.reach is None:
            node.reach = {}
        hit = node.reach.get(via)
        if hit is not None:
            return hit
        out: set[str] = set()
        for b in node.branches:
            out |= b.named
            if via:
                for r, child in b.succ:
                    if r == via:
                        out |= self._reach_named(child, via)
        node.reach[via] = frozenset(out)
        return node.reach[via]

    def holds(self, b: Branch, q: Expr) -> bool:
        kind = q[0]
        if kind == "N":
            return q[1] == THING or q[1] in b.named
        if kind == "AND":
            return all(self.holds(b, m) for m in q[1])
        if kind == "OR":
            return any(self.holds(b, m) for m in q[1])
        r, filler = q[1], q[2]
        via = self.chain.get(r) or (r if r in self.transitive else None)
        return any(self._reach(child, filler, via) for r2, child in b.succ if r2 == r)

    def _reach(self, node: Node, q: Expr, via: str | None) -> bool:
        """Q holds in every branch of node, at node itself or at a part reached through `via`."""
        return all(self.holds(b, q) or (via is not None and any(self._reach(c, q, via) for r, c in b.succ if r == via))
                   for b in node.branches)

    # ------------------------------------------------------------------ results
    def classify(self, prefix: str) -> tuple[set[tuple[str, str]], list[str]]:
        """(entailed (sub, super) pairs between named classes under prefix, unsatisfiable classes)."""
        entailed: set[tuple[str, str]] = set()
        unsat: list[str] = []
        for c in sorted(self.named):
            if c == THING or c == NOTHING:
                continue
            node = self.node(frozenset([self._parser.intern(_n(c))]))
            if not node.branches:
                unsat.append(c)
                continue
            if not c.startswith(prefix):
                continue
            common = frozenset.intersection(*(b.named for b in node.branches))
            entailed.update((c, x) for x in common if x != c and x.startswith(prefix))
        # successors along roles no definition looks at only matter if they are unsatisfiable
        while self.deferred:
            (_fid, _r), filler = self.deferred.popitem()
            if not self.node(frozenset([filler, *self.rng.get(_r, ())])).branches:
                unsat.append(f"(a filler of {_r})")
        return entailed, unsat


def _head(e: Expr) -> str | None:
    if e[0] == "N":
        return e[1]
    if e[0] == "AND":
        for m in e[1]:
            if m[0] == "N":
                return m[1]
    return None
