"""Classify the axioms with HermiT (through owlready2) and report what it infers.

Only the class axioms go in (model.md's trap: punned direct edges in the input silently stopped
HermiT from classifying). Unsatisfiable classes are reported by label; inconsistency is an error.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .namespaces import CALC


class ReasoningError(RuntimeError):
    """The ontology is inconsistent or has unsatisfiable classes."""

    def __init__(self, message: str, unsatisfiable: list[tuple[str, str]] | None = None) -> None:
        self.unsatisfiable = unsatisfiable or []
        super().__init__(message)


@dataclass
class Classification:
    # every entailed (sub, super) pair between named calc: classes, owl:Thing excluded
    entailed: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    # entailed pairs not asserted (nor following from asserted named subClassOf by transitivity)
    inferred: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    # inferred pairs with no intermediate class: what goes into the inferred artifact
    inferred_direct: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    seconds: float = 0.0

    def members(self, defined: URIRef) -> set[URIRef]:
        """Named classes the reasoner places under `defined`."""
        return {s for s, o in self.entailed if o == defined and s != defined}


def _asserted_closure(g: Graph, told: list[tuple[Any, Any]] | None = None) -> set[tuple[URIRef, URIRef]]:
    """Pairs following from the asserted named subClassOf axioms (told: those pairs, already read)."""
    parents: dict[URIRef, set[URIRef]] = {}
    for s, o in g.subject_objects(RDFS.subClassOf) if told is None else told:
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            parents.setdefault(s, set()).add(o)
    closure: set[tuple[URIRef, URIRef]] = set()
    for c in parents:
        stack, seen = list(parents[c]), set()
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            closure.add((c, p))
            stack.extend(parents.get(p, ()))
    return closure


def _label(g: Graph, iri: URIRef) -> str:
    lab = g.value(iri, RDFS.label)
    return str(lab) if lab is not None else iri.split("/")[-1]


def classify(axioms: Graph, reasoner: str | None = None) -> Classification:
    """Classify the axioms: the structural classifier where the axioms allow it, else HermiT.

    reasoner (or $CALCKG_REASONER): "auto" (default), "structural" (refuse to fall back) or
    "hermit" (always HermiT). Both give the same classification (tests/test_saturate.py); any
    unsatisfiable class sends the structural path to HermiT, whose report names them all.
    """
    choice = reasoner or os.environ.get("CALCKG_REASONER", "auto")
    if choice not in ("auto", "structural", "hermit"):
        raise ValueError(f"unknown reasoner {choice!r}: use auto, structural or hermit")
    if choice != "hermit":
        from .saturate import Unsupported

        try:
            result = classify_structural(axioms)
        except Unsupported:
            if choice == "structural":
                raise
        else:
            if result is not None:
                return result
    return classify_hermit(axioms)


def classify_structural(axioms: Graph) -> Classification | None:
    """The structural classification, or None when some class is unsatisfiable (HermiT reports it)."""
    from .saturate import Saturator, paused_gc

    t0 = time.perf_counter()
    with paused_gc():
        sat = Saturator(axioms)
        entailed, unsat = sat.classify(str(CALC))
    if unsat:
        return None
    iris: dict[str, URIRef] = {}  # one URIRef per class: URIRef() validates its text, ~20 µs each

    def iri(x: str) -> URIRef:
        u = iris.get(x)
        if u is None:
            u = iris[x] = URIRef(x)
        return u

    with paused_gc():
        result = Classification(entailed={(iri(s), iri(o)) for s, o in entailed})
        return _finish(result, axioms, t0, told=sat.told_subclass)


def classify_hermit(axioms: Graph) -> Classification:
    """Run HermiT on the axioms; raise ReasoningError naming unsatisfiable classes by label."""
    import owlready2

    t0 = time.perf_counter()
    world = owlready2.World()
    with tempfile.TemporaryDirectory(prefix="calckg-reason-") as tmp:
        path = Path(tmp) / "axioms.nt"
        axioms.serialize(destination=str(path), format="nt", encoding="utf-8")
        onto = world.get_ontology(path.as_uri()).load()
        owlready2.reasoning.JAVA_MEMORY = int(os.environ.get("CALCKG_JAVA_MEMORY_MB", "2000"))
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise ReasoningError("the ontology is inconsistent (HermiT): no model satisfies its axioms") from exc
        unsat = [c for c in world.inconsistent_classes() if c is not owlready2.Nothing]
        if unsat:
            named = sorted((_label(axioms, URIRef(c.iri)), c.iri) for c in unsat)
            text = "; ".join(f"'{lab}' <{iri}>" for lab, iri in named)
            raise ReasoningError(f"unsatisfiable classes (HermiT): {text}", named)
        result = Classification()
        ns = str(CALC)
        for cls in world.classes():
            if not cls.iri.startswith(ns):
                continue
            sub = URIRef(cls.iri)
            # ancestors(include_self=False) is wrong for classes with a named equivalent (owlready2
            # 0.4x drops their ancestors or returns the class itself): take all and drop the class
            for anc in cls.ancestors(include_self=True):
                if anc is owlready2.Thing or anc is cls or not anc.iri.startswith(ns):
                    continue
                result.entailed.add((sub, URIRef(anc.iri)))
            for eq in cls.equivalent_to:
                if isinstance(eq, owlready2.ThingClass) and eq is not cls and eq.iri.startswith(ns):
                    result.entailed.add((sub, URIRef(eq.iri)))
        world.close()
    return _finish(result, axioms, t0)


def _finish(result: Classification, axioms: Graph, t0: float,
            told: list[tuple[Any, Any]] | None = None) -> Classification:
    """Add what the release needs beyond the entailments: the inferred and the direct inferred pairs."""
    # on integers: rdflib compares URIRefs in Python, and at the Gamuts scale there are ~400,000 pairs
    ids: dict[str, int] = {}
    ix = ids.setdefault
    asserted = {(ix(s, len(ids)), ix(o, len(ids))) for s, o in _asserted_closure(axioms, told)}
    entailed = {(ix(s, len(ids)), ix(o, len(ids))): (s, o) for s, o in result.entailed}
    inferred = [p for p in entailed if p not in asserted and p[0] != p[1]]
    result.inferred = {entailed[p] for p in inferred}
    sup: dict[int, set[int]] = {}
    for s, o in entailed:
        sup.setdefault(s, set()).add(o)
    # direct: no other superclass m of s lies strictly between s and o (o above m, m not equivalent to o);
    # as set unions of what lies strictly above each m, not a test per (pair, m): 12 million at Gamuts scale
    empty: set[int] = set()
    strictly_above = {m: {x for x in xs if m not in sup.get(x, empty)} for m, xs in sup.items()}
    below_other: dict[int, set[int]] = {}
    for s, o in inferred:
        hidden = below_other.get(s)
        if hidden is None:
            hidden = below_other[s] = set().union(*(strictly_above.get(m, empty) for m in sup[s]))
        if o not in hidden:
            result.inferred_direct.add(entailed[(s, o)])
    result.seconds = time.perf_counter() - t0
    return result


def named_classes(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
