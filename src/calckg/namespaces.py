"""Namespaces and the expansion of cross-reference CURIEs to IRIs."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

CALC = Namespace("https://w3id.org/calckg/")
ONTOLOGY_IRI = URIRef("https://w3id.org/calckg")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OIO = Namespace("http://www.geneontology.org/formats/oboInOwl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")

PREFIXES = {
    "calc": CALC,
    "dcterms": DCTERMS,
    "obo": OBO,
    "oboInOwl": OIO,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
}

# CURIE prefix -> IRI prefix, following the Bioregistry's preferred URI formats. GAMUTS has no
# stable public IRI form, so its identifiers stay literal oboInOwl:hasDbXref values (and SSSOM rows).
XREF_IRI = {
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "UBERON": "http://purl.obolibrary.org/obo/UBERON_",
    "OMIM": "https://omim.org/entry/",
    "ORPHA": "http://www.orpha.net/ORDO/Orphanet_",
    "UMLS": "https://uts.nlm.nih.gov/uts/umls/concept/",
    "SCTID": "http://snomed.info/id/",
    "SNOMEDCT_US": "http://snomed.info/id/",
    "RadLex": "http://radlex.org/RID/",
}
LITERAL_ONLY = {"GAMUTS"}

XREF_PREDICATE = {
    "exact": SKOS.exactMatch,
    "close": SKOS.closeMatch,
    "narrow": SKOS.narrowMatch,
    "broad": SKOS.broadMatch,
}


def xref_iri(curie: str) -> URIRef | None:
    """IRI of a cross-reference CURIE, or None where the scheme has no IRI form."""
    prefix, _, local = curie.partition(":")
    if prefix in LITERAL_ONLY or prefix not in XREF_IRI:
        return None
    return URIRef(XREF_IRI[prefix] + local)
