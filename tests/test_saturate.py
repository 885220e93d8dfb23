"""The structural classifier gives exactly HermiT's classification, or refuses and HermiT runs.

Equality is checked on the chapter, on synthetic sources of several seeds, and on small ontologies
written to hit the cases that need more than told subsumption: unions split into branches, a
negative that rules a branch out, the located-in/part-of chain, and equivalent defined classes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph

from calckg.assemble import assemble
from calckg.reason import ReasoningError, classify, classify_hermit, classify_structural
from calckg.saturate import Saturator, Unsupported
from calckg.sources import load_sources

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

PREFIX = """@prefix calc: <https://w3id.org/calckg/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
calc:mayCause a owl:ObjectProperty ; rdfs:domain calc:Disorder ; rdfs:range calc:ImagingFinding .
calc:locatedIn a owl:ObjectProperty ; owl:propertyChainAxiom ( calc:locatedIn calc:partOf ) .
calc:partOf a owl:ObjectProperty , owl:TransitiveProperty .
calc:Disorder a owl:Class . calc:ImagingFinding a owl:Class . calc:Disorder owl:disjointWith calc:ImagingFinding .
calc:Calc a owl:Class ; rdfs:subClassOf calc:ImagingFinding .
calc:Oss a owl:Class ; rdfs:subClassOf calc:ImagingFinding .
calc:Knee a owl:Class . calc:Meniscus a owl:Class ; rdfs:subClassOf [ a owl:Restriction ;
    owl:onProperty calc:partOf ; owl:someValuesFrom calc:Knee ] .
calc:Hip a owl:Class .
calc:CauseOfCalc a owl:Class ; owl:equivalentClass [ owl:intersectionOf ( calc:Disorder
    [ a owl:Restriction ; owl:onProperty calc:mayCause ; owl:someValuesFrom calc:Calc ] ) ] .
calc:CauseOfOss a owl:Class ; owl:equivalentClass [ owl:intersectionOf ( calc:Disorder
    [ a owl:Restriction ; owl:onProperty calc:mayCause ; owl:someValuesFrom calc:Oss ] ) ] .
calc:CauseOfCalcInKnee a owl:Class ; owl:equivalentClass [ owl:intersectionOf ( calc:Disorder
    [ a owl:Restriction ; owl:onProperty calc:mayCause ; owl:someValuesFrom [ owl:intersectionOf ( calc:Calc
      [ a owl:Restriction ; owl:onProperty calc:locatedIn ; owl:someValuesFrom calc:Knee ] ) ] ] ) ] .
calc:CauseOfEitherInKnee a owl:Class ; owl:equivalentClass [ owl:intersectionOf ( calc:Disorder
    [ a owl:Restriction ; owl:onProperty calc:mayCause ; owl:someValuesFrom [ owl:intersectionOf (
      [ owl:unionOf ( calc:Calc calc:Oss ) ]
      [ a owl:Restriction ; owl:onProperty calc:locatedIn ; owl:someValuesFrom calc:Knee ] ) ] ] ) ] .
calc:Body a owl:Class ; rdfs:subClassOf calc:ImagingFinding , [ owl:unionOf ( calc:Calc calc:Oss ) ] .
"""

CASES = {
    "chain through partOf": """
calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom [ owl:intersectionOf ( calc:Calc [ a owl:Restriction ; owl:onProperty calc:locatedIn ;
    owl:someValuesFrom calc:Meniscus ] ) ] ] .""",
    "union of sites is not a site": """
calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom [ owl:intersectionOf ( calc:Calc [ a owl:Restriction ; owl:onProperty calc:locatedIn ;
    owl:someValuesFrom [ owl:unionOf ( calc:Knee calc:Hip ) ] ] ) ] ] .""",
    "union of sites that are both in the knee": """
calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom [ owl:intersectionOf ( calc:Calc [ a owl:Restriction ; owl:onProperty calc:locatedIn ;
    owl:someValuesFrom [ owl:unionOf ( calc:Knee calc:Meniscus ) ] ] ) ] ] .""",
    "a body is calcified or ossified": """
calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom [ owl:intersectionOf ( calc:Body [ a owl:Restriction ; owl:onProperty calc:locatedIn ;
    owl:someValuesFrom calc:Knee ] ) ] ] .""",
    "a negative rules out a branch": """
calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom calc:Body ] , [ owl:complementOf [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom calc:Calc ] ] .""",
    # cases for the incremental union split (a branch continues from a copy of its parent's state)
    "two unions split in turn, a negative keeps one branch": """
calc:Twin a owl:Class ; rdfs:subClassOf calc:ImagingFinding , [ owl:unionOf ( calc:Calc calc:Oss ) ] ,
    [ owl:unionOf ( calc:Body calc:Calc ) ] .
calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom [ owl:intersectionOf ( calc:Twin [ a owl:Restriction ; owl:onProperty calc:locatedIn ;
    owl:someValuesFrom calc:Meniscus ] ) ] ] , [ owl:complementOf [ a owl:Restriction ;
    owl:onProperty calc:mayCause ; owl:someValuesFrom calc:Oss ] ] .""",
    "a union of sites under a union of findings": """
calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom [ owl:intersectionOf ( calc:Body [ a owl:Restriction ; owl:onProperty calc:locatedIn ;
    owl:someValuesFrom [ owl:unionOf ( calc:Knee calc:Meniscus ) ] ] ) ] ] .""",
    # one successor shared by several parents (memoised once), with and without a pushed negative
    "one filler shared by disorders, one with a negative": """
calc:D1 a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom [ owl:intersectionOf ( calc:Body [ a owl:Restriction ; owl:onProperty calc:locatedIn ;
    owl:someValuesFrom calc:Meniscus ] ) ] ] .
calc:D2 a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom [ owl:intersectionOf ( calc:Body [ a owl:Restriction ; owl:onProperty calc:locatedIn ;
    owl:someValuesFrom calc:Meniscus ] ) ] ] , [ owl:complementOf [ a owl:Restriction ;
    owl:onProperty calc:mayCause ; owl:someValuesFrom calc:Oss ] ] .
calc:D3 a owl:Class ; rdfs:subClassOf calc:D1 .""",
    "inherited causes": """
calc:P a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
    owl:someValuesFrom calc:Calc ] . calc:D a owl:Class ; rdfs:subClassOf calc:P .""",
}


def _graph(text: str) -> Graph:
    return Graph().parse(data=PREFIX + text, format="turtle")


@pytest.mark.parametrize("case", sorted(CASES))
def test_hand_made_cases_equal_hermit(case):
    g = _graph(CASES[case])
    fast = classify_structural(g)
    assert fast is not None
    assert fast.entailed == classify_hermit(g).entailed


def test_negative_branch_case_is_decided_by_case_analysis():
    """D may cause a body, never a calcification: so it causes an ossification (HermiT agrees)."""
    from calckg.namespaces import CALC

    fast = classify_structural(_graph(CASES["a negative rules out a branch"]))
    assert (CALC.D, CALC.CauseOfOss) in fast.entailed
    assert (CALC.D, CALC.CauseOfCalc) not in fast.entailed


def test_cases_for_the_incremental_split_decide_what_they_should():
    from calckg.namespaces import CALC

    twin = classify_structural(_graph(CASES["two unions split in turn, a negative keeps one branch"])).entailed
    assert (CALC.D, CALC.CauseOfCalcInKnee) in twin and (CALC.D, CALC.CauseOfOss) not in twin
    shared = classify_structural(_graph(CASES["one filler shared by disorders, one with a negative"])).entailed
    assert (CALC.D2, CALC.CauseOfCalcInKnee) in shared and (CALC.D1, CALC.CauseOfCalcInKnee) not in shared
    assert (CALC.D1, CALC.CauseOfEitherInKnee) in shared and (CALC.D3, CALC.CauseOfEitherInKnee) in shared


def test_chapter_equals_hermit(build_state):
    axioms = build_state.assembled.axioms
    fast = classify_structural(axioms)
    full = classify_hermit(axioms)
    assert fast.entailed == full.entailed
    assert fast.inferred == full.inferred and fast.inferred_direct == full.inferred_direct
    assert build_state.classification.entailed == full.entailed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_sources_equal_hermit(tmp_path, seed):
    from synth import Scale, generate

    generate(tmp_path, Scale("t", 400, 300), seed=seed)
    axioms = assemble(load_sources(tmp_path), "test").axioms
    fast = classify_structural(axioms)
    assert fast is not None
    full = classify_hermit(axioms)
    assert fast.entailed == full.entailed
    assert fast.inferred == full.inferred and fast.inferred_direct == full.inferred_direct


def test_unsatisfiable_class_is_reported_by_hermit():
    g = _graph("""calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty
        calc:mayCause ; owl:someValuesFrom calc:Calc ] , [ owl:complementOf [ a owl:Restriction ;
        owl:onProperty calc:mayCause ; owl:someValuesFrom calc:Calc ] ] .""")
    assert classify_structural(g) is None
    with pytest.raises(ReasoningError, match="unsatisfiable"):
        classify(g)


def test_outside_the_fragment_falls_back_to_hermit(monkeypatch):
    g = _graph("""calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ;
        owl:onProperty calc:mayCause ; owl:allValuesFrom calc:Calc ] .""")
    with pytest.raises(Unsupported):
        Saturator(g)
    called = []
    import calckg.reason as reason

    real = reason.classify_hermit
    monkeypatch.setattr(reason, "classify_hermit", lambda ax: called.append(1) or real(ax))
    reason.classify(g)
    assert called
    with pytest.raises(Unsupported):
        reason.classify(g, reasoner="structural")


def test_property_characteristics_outside_the_fragment_are_noticed():
    """rdf:type triples are matched by value: a functional role (parsed, so not the RDF.type object
    itself) used in an axiom sends the ontology to HermiT instead of being silently ignored."""
    g = _graph("""calc:mayCause a owl:FunctionalProperty .
        calc:D a owl:Class ; rdfs:subClassOf calc:Disorder , [ a owl:Restriction ; owl:onProperty calc:mayCause ;
        owl:someValuesFrom calc:Calc ] .""")
    with pytest.raises(Unsupported, match="characteristics"):
        Saturator(g)
