"""HermiT against an OWL 2 RL materialisation (owlrl) of the same axioms: what the DL reasoner adds.

OWL RL rules cannot put a class under a defined class whose definition needs an existential on the
right-hand side (`CauseOfChondrocalcinosis ≡ Disorder ⊓ ∃mayCause.Chondrocalcinosis`): that is
classification, which is why the release runs HermiT.
"""

from __future__ import annotations

import owlrl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS

from calckg.namespaces import CALC


def calc_pairs(g: Graph) -> set[tuple[URIRef, URIRef]]:
    ns = str(CALC)
    return {(s, o) for s, o in g.subject_objects(RDFS.subClassOf)
            if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o
            and str(s).startswith(ns) and str(o).startswith(ns)}


@pytest.fixture(scope="module")
def compared(build_state):
    g = Graph()
    for t in build_state.assembled.axioms:
        g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    rl = calc_pairs(g)
    hermit = {p for p in build_state.classification.entailed if p[0] != p[1]}
    return rl, hermit, build_state.assembled.axioms


def test_hermit_entails_everything_owl_rl_does(compared):
    rl, hermit, _ = compared
    assert rl and rl <= hermit


def test_what_hermit_adds_is_the_classification_under_defined_classes(compared):
    rl, hermit, axioms = compared
    added = hermit - rl
    defined = {c for c in axioms.subjects(OWL.equivalentClass, None) if isinstance(c, URIRef)}
    assert added, "HermiT adds subsumptions that OWL RL cannot derive"
    assert {o for _, o in added} <= defined
    # the chapter's own gamuts, computed: CPPD among the causes of chondrocalcinosis and of calcification
    # in the knee (through the meniscus, calc:partOf), ankylosing spondylitis among causes of disc calcification
    for pair in ((CALC.CPPDDepositionDisease, CALC.CauseOfChondrocalcinosis),
                 (CALC.CPPDDepositionDisease, CALC.CauseOfCalcificationInKnee),
                 (CALC.AnkylosingSpondylitis, CALC.CauseOfIntervertebralDiscCalcification),
                 (CALC.CauseOfCalcificationInKnee, CALC.CauseOfCalcificationOrOssificationInKnee)):
        assert pair in added


def test_inferred_artifact_carries_what_hermit_adds(compared, graph):
    """calckg-inferred.ttl states HermiT's classification as asserted rdfs:subClassOf (direct pairs)."""
    rl, hermit, _ = compared
    released = calc_pairs(graph)
    assert (CALC.CPPDDepositionDisease, CALC.CauseOfChondrocalcinosis) in released
    closure = set(released)
    changed = True
    while changed:  # transitive closure of the released named hierarchy
        new = {(a, d) for a, b in closure for c, d in closure if b == c and a != d} - closure
        closure |= new
        changed = bool(new)
    assert (hermit - rl) <= closure
