"""The store's descriptions equal rdflib's own CBD on the release, so the server can answer term pages
from the engine's store instead of a second, rdflib copy of the graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from calckg.namespaces import CALC
from calckg.oxrdf import describe, to_rdflib


def test_describe_is_rdflibs_cbd_for_every_calckg_subject(dist: Path):
    path = dist / "calckg-inferred.ttl"
    g = Graph().parse(path, format="turtle")
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    subjects = sorted({s for s in g.subjects() if isinstance(s, URIRef) and s.startswith(str(CALC))})
    assert len(subjects) > 200
    for s in subjects:
        assert isomorphic(describe(store, str(s)), g.cbd(s)), s


def test_describe_adds_referrers_and_labels(dist: Path):
    store = ox.Store()
    store.load(path=str(dist / "calckg-inferred.ttl"), format=ox.RdfFormat.TURTLE)
    row = CALC.Table7_2_Row8
    d = describe(store, str(row), referrers=100, labels=True)
    assert (CALC.Hemochromatosis, RDFS.label, Literal("hemochromatosis", lang="en")) in d
    assert any(True for _ in d.subject_predicates(row))  # the gamut or statements that point at it
    assert len(describe(store, str(row), referrers=1)) == len(describe(store, str(row))) + 1


def test_terms_keep_datatype_and_language():
    assert to_rdflib(ox.Literal("0.2", datatype=ox.NamedNode(str(XSD.decimal)))) == Literal("0.2", datatype=XSD.decimal)
    assert to_rdflib(ox.Literal("gout", language="en")) == Literal("gout", lang="en")
    assert to_rdflib(ox.Literal("plain")) == Literal("plain")
    assert to_rdflib(None) is None
