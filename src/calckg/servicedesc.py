"""VoID and SPARQL 1.1 Service Description of a running endpoint, so portals can discover it.

Both carry the endpoint's own absolute URL, which only the running server knows, so they are made
per request from statistics computed once. The endpoint serves the inferred release (the asserted
graph plus the classification), so its dataset is described with its own counts; the release's
dist/void.ttl, which describes the asserted graph and the files, is included as a void:subset.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from .oxrdf import to_rdflib

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ONTOLOGY = URIRef("https://w3id.org/calckg")
DATASET = URIRef("https://w3id.org/calckg/dataset")
URI_SPACE = "https://w3id.org/calckg/"

RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "JSON-LD", "N-Triples", "RDF_XML"]


class Statistics:
    """Counts of the served graph, computed once at start by the store itself (aggregates in SPARQL:
    iterating millions of triples in Python cost minutes of start-up at the Gamuts scale)."""

    def __init__(self, store: ox.Store) -> None:
        def one(query: str) -> int:
            return int(next(iter(store.query(query)))[0].value)

        def per(query: str) -> Counter[Any]:
            return Counter({to_rdflib(row[0]): int(row[1].value) for row in store.query(query)})

        self.triples = one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        self.subjects = one("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
        self.objects = one("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
        self.properties = per("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
        self.classes = per("SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
        self.entities = one(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o "
                            f"FILTER (isIRI(?s) && STRSTARTS(STR(?s), \"{URI_SPACE}\")) }}")
        self.header = [(to_rdflib(q.predicate), to_rdflib(q.object))
                       for q in store.quads_for_pattern(ox.NamedNode(str(ONTOLOGY)), None, None, ox.DefaultGraph())]


def void_graph(stats: Statistics, base: str, dist: Path) -> Graph:
    """VoID of the served dataset with this server's endpoint and dumps, the release as its subset."""
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    ds = DATASET
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, VOID.sparqlEndpoint, URIRef(base + "/sparql")))
    release_void = dist / "void.ttl"
    if release_void.exists():
        g.parse(release_void, format="turtle")
        for release in set(g.subjects(RDF.type, VOID.Dataset)) - {ds}:
            g.add((ds, VOID.subset, release))
    for f in ("calckg.ttl", "calckg-inferred.ttl"):
        if (dist / f).exists():
            g.add((ds, VOID.dataDump, URIRef(f"{base}/dist/{f}")))
    for p, o in stats.header:
        if p in (DCTERMS.title, DCTERMS.description, DCTERMS.license, OWL.versionInfo):
            g.add((ds, DCTERMS.hasVersion if p == OWL.versionInfo else p, o))
    g.add((ds, VOID.uriSpace, Literal(URI_SPACE)))
    g.add((ds, VOID.rootResource, ONTOLOGY))
    g.add((ds, VOID.exampleResource, URIRef(URI_SPACE + "Hemochromatosis")))
    g.add((ds, VOID.feature, FORMATS.Turtle))
    g.add((ds, VOID.feature, FORMATS["JSON-LD"]))
    for name, value in (("triples", stats.triples), ("distinctSubjects", stats.subjects),
                        ("distinctObjects", stats.objects), ("properties", len(stats.properties)),
                        ("classes", len(stats.classes)), ("entities", stats.entities)):
        g.add((ds, VOID[name], Literal(value, datatype=XSD.integer)))
    for vocab in ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#",
                  "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/", "http://www.w3.org/ns/prov#",
                  URI_SPACE):
        g.add((ds, VOID.vocabulary, URIRef(vocab)))
    for p, n in sorted(stats.properties.items()):
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, p))
        g.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
    for c, n in sorted(stats.classes.items()):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], c))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    return g


def service_description(stats: Statistics, base: str, *, timeout: float, max_result_bytes: int) -> Graph:
    """The SPARQL 1.1 Service Description returned by GET on the endpoint without a query."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("formats", FORMATS)
    svc = URIRef(base + "/sparql")
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, svc))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    for f in RESULT_FORMATS:
        g.add((svc, SD.resultFormat, FORMATS[f]))
    g.add((svc, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    g.add((svc, DCTERMS.description, Literal(
        f"Read-only SPARQL 1.1 endpoint of CalcKG: updates and SERVICE are refused; queries stop after "
        f"{timeout:g} s; results are limited to {max_result_bytes} bytes. The default graph is the inferred "
        "release (asserted graph plus the reasoner's classification).", lang="en")))
    dataset, graph = BNode("defaultDataset"), BNode("defaultGraph")
    g.add((svc, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, DCTERMS.source, DATASET))
    g.add((dataset, SD.defaultGraph, graph))
    g.add((graph, RDF.type, SD.Graph))
    g.add((graph, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    return g
