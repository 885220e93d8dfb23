"""The release's further artifacts: RDF/XML, JSON-LD with its context, SSSOM, VoID/DCAT, HTML, checksums.

Every writer here is byte-deterministic: it starts from export.canonical() (stable blank-node
labels), orders whatever its serializer does not, and writes no timestamps, so that two builds of
the same sources give identical files.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from .export import canonical
from .namespaces import CALC, DCAT, LITERAL_ONLY, ONTOLOGY_IRI, PREFIXES, VOID, XREF_IRI
from .sources import Sources

CONTEXT_URL = "https://w3id.org/calckg/context.jsonld"
RELEASE = "https://w3id.org/calckg/releases/"


class _OrderedGraph(Graph):
    """A graph whose subjects() come sorted: rdflib's RDF/XML writer walks subjects() (in set order,
    which changes with the hash seed) and each subject's predicates in insertion order."""

    def subjects(self, predicate=None, object=None, unique=False):  # type: ignore[no-untyped-def,override]
        if predicate is None and object is None:
            return iter(sorted(set(super().subjects()), key=lambda n: (isinstance(n, BNode), str(n))))
        return super().subjects(predicate, object, unique)


def _sorted_graph(g: Graph) -> Graph:
    """A canonical copy with sorted subjects, whose triples are inserted in sorted order."""
    c = canonical(g)
    out = _OrderedGraph()
    for p, ns in c.namespaces():
        out.bind(p, ns)
    for t in sorted(c, key=lambda t: tuple(x.n3() for x in t)):
        out.add(t)
    return out


# ------------------------------------------------------------------ RDF/XML


def write_rdfxml(g: Graph, path: Path) -> None:
    """RDF/XML for the OWL API and Protégé; plain 'xml' (rdf:nodeID) keeps every triple, where
    'pretty-xml' drops assertions on list nodes."""
    path.write_bytes(_sorted_graph(g).serialize(format="xml", encoding="utf-8"))


# ------------------------------------------------------------------ JSON-LD


def context() -> dict[str, Any]:
    """The published JSON-LD context: the namespaces, and the core object properties as IRIs."""
    ctx: dict[str, Any] = {p: str(ns) for p, ns in sorted(PREFIXES.items())}
    for name in ("mayCause", "mayBeCausedBy", "locatedIn", "partOf", "hasMechanism", "mayMimic",
                 "predisposingCondition", "entry", "disorder", "finding", "site", "illustratedBy", "gamut"):
        ctx[name] = {"@id": f"calc:{name}", "@type": "@id"}
    ctx["label"] = {"@id": "rdfs:label", "@container": "@language"}
    ctx["definition"] = {"@id": "skos:definition", "@container": "@language"}
    ctx["subClassOf"] = {"@id": "rdfs:subClassOf", "@type": "@id"}
    return {"@context": ctx}


def _node(n: Any) -> dict[str, Any]:
    if isinstance(n, URIRef):
        return {"@id": str(n)}
    if isinstance(n, BNode):
        return {"@id": f"_:{n}"}
    assert isinstance(n, Literal)
    if n.language:
        return {"@value": str(n), "@language": n.language}
    if n.datatype and n.datatype != XSD.string:
        return {"@value": str(n), "@type": str(n.datatype)}
    return {"@value": str(n)}


def expanded(g: Graph) -> list[dict[str, Any]]:
    """Expanded JSON-LD of g, one node object per subject, everything sorted."""
    c = canonical(g)
    nodes: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in c:
        sid = _node(s)["@id"]
        if p == RDF.type and not isinstance(o, Literal):
            nodes[sid]["@type"].append(_node(o)["@id"])
        else:
            nodes[sid][str(p)].append(_node(o))
    key = json.dumps
    return [{"@id": sid, **{p: sorted(v, key=lambda x: key(x, sort_keys=True)) if p != "@type" else sorted(v)
                            for p, v in sorted(props.items())}}
            for sid, props in sorted(nodes.items())]


def write_jsonld(g: Graph, path: Path, context_path: Path) -> None:
    """calckg.jsonld compacted with the published context (embedded, so it expands offline)."""
    from pyld import jsonld

    ctx = context()
    context_path.write_text(json.dumps(ctx, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    doc = jsonld.compact(expanded(g), ctx, {"graph": True})
    path.write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ SSSOM

SSSOM_PREDICATE = {"exact": "skos:exactMatch", "close": "skos:closeMatch", "narrow": "skos:narrowMatch",
                   "broad": "skos:broadMatch"}


def write_sssom(src: Sources, path: Path, version: str) -> None:
    """The cross-references as an SSSOM mapping set (TSV with its YAML metadata block)."""
    rows = []
    for t in src.terms.values():
        for kind, curies in sorted((t.data.get("xrefs") or {}).items()):
            if kind not in SSSOM_PREDICATE:
                continue
            for curie in curies:
                if str(curie).split(":")[0] in LITERAL_ONLY:
                    continue
                rows.append((f"calc:{t.id}", t.label, SSSOM_PREDICATE[kind], str(curie),
                             "semapv:ManualMappingCuration"))
    prefixes = {"calc": str(CALC), "skos": str(SKOS), "semapv": "https://w3id.org/semapv/vocab/",
                **{p: iri for p, iri in XREF_IRI.items()}}
    meta = [f"# mapping_set_id: {RELEASE}{version}/calckg.sssom.tsv",
            f"# mapping_set_version: '{version}'",
            "# mapping_set_title: CalcKG cross-references",
            "# comment: GAMUTS identifiers have no stable IRI form; they are not listed here and stay "
            "oboInOwl:hasDbXref literals in calckg.ttl",
            "# license: https://creativecommons.org/licenses/by/4.0/",
            "# subject_source: https://w3id.org/calckg",
            "# curie_map:"] + [f"#   {p}: {iri}" for p, iri in sorted(prefixes.items())]
    head = "subject_id\tsubject_label\tpredicate_id\tobject_id\tmapping_justification"
    body = ["\t".join(r) for r in sorted(set(rows))]
    path.write_text("\n".join(meta + [head] + body) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ VoID / DCAT

MEDIA = {".ttl": "text/turtle", ".owl": "application/rdf+xml", ".jsonld": "application/ld+json",
         ".tsv": "text/tab-separated-values", ".html": "text/html"}


def write_void(g: Graph, counts: dict[str, int], out: Path, version: str) -> None:
    """void.ttl: the release as a void:Dataset and dcat:Dataset with one distribution per file."""
    d = Graph()
    for p, ns in PREFIXES.items():
        d.bind(p, ns)
    d.bind("void", VOID)
    d.bind("dcat", DCAT)
    ds = URIRef(f"{RELEASE}{version}")
    for t in (VOID.Dataset, DCAT.Dataset):
        d.add((ds, RDF.type, t))
    d.add((ds, DCTERMS.title, Literal("CalcKG release", lang="en")))
    d.add((ds, DCTERMS.hasVersion, Literal(version)))
    d.add((ds, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    d.add((ds, DCTERMS.subject, ONTOLOGY_IRI))
    d.add((ds, VOID.uriSpace, Literal(str(CALC))))
    d.add((ds, VOID.triples, Literal(len(g))))
    d.add((ds, VOID.classes, Literal(counts.get("classes", 0))))
    d.add((ds, VOID.entities, Literal(len({s for s in g.subjects() if isinstance(s, URIRef)}))))
    d.add((ds, VOID.distinctSubjects, Literal(len(set(g.subjects())))))
    d.add((ds, VOID.properties, Literal(len(set(g.predicates())))))
    for f in sorted(out.iterdir()):
        if f.suffix not in MEDIA:
            continue
        dist = URIRef(f"{RELEASE}{version}/{f.name}")
        d.add((ds, DCAT.distribution, dist))
        d.add((dist, RDF.type, DCAT.Distribution))
        d.add((dist, DCAT.downloadURL, dist))
        d.add((dist, DCAT.mediaType, Literal(MEDIA[f.suffix])))
        d.add((dist, DCAT.byteSize, Literal(f.stat().st_size, datatype=XSD.nonNegativeInteger)))
        if f.suffix in (".ttl", ".owl", ".jsonld"):
            d.add((ds, VOID.dataDump, dist))
    (out / "void.ttl").write_bytes(d.serialize(format="turtle", encoding="utf-8"))


# ------------------------------------------------------------------ HTML documentation


def _label(g: Graph, n: Any) -> str:
    lab = g.value(n, RDFS.label)
    return str(lab) if lab is not None else str(n).rsplit("/", 1)[-1]


def _anchor(n: Any) -> str:
    return str(n).rsplit("/", 1)[-1]


def write_html(g: Graph, path: Path, version: str) -> None:
    """index.html: the ontology's classes and properties, with labels, definitions, synonyms, parents
    (asserted and inferred, when given the inferred graph), direct edges and cross-references; in the
    manner of pyLODE (whose 3.4.1 install here fails on import), deterministic and self-contained."""
    e = html.escape

    def link(n: Any) -> str:
        if isinstance(n, URIRef) and str(n).startswith(str(CALC)):
            return f'<a href="#{e(_anchor(n))}">{e(_label(g, n))}</a>'
        return f'<a href="{e(str(n))}">{e(str(n))}</a>'

    def block(n: URIRef) -> list[str]:
        out = [f'<section id="{e(_anchor(n))}"><h3>{e(_label(g, n))}</h3>',
               f'<p class="iri"><code>{e(str(n))}</code></p>']
        for d in sorted(g.objects(n, SKOS.definition)):
            out.append(f"<p>{e(str(d))}</p>")
        rows = [("synonyms", ", ".join(e(str(x)) for x in sorted(g.objects(n, SKOS.altLabel)))),
                ("parents", ", ".join(link(x) for x in sorted(g.objects(n, RDFS.subClassOf), key=str)
                                      if isinstance(x, URIRef))),
                ("domain", ", ".join(link(x) for x in sorted(g.objects(n, RDFS.domain), key=str)
                                     if isinstance(x, URIRef))),
                ("range", ", ".join(link(x) for x in sorted(g.objects(n, RDFS.range), key=str)
                                    if isinstance(x, URIRef))),
                *((name, ", ".join(link(x) for x in sorted(g.objects(n, prop), key=str) if isinstance(x, URIRef)))
                  for name, prop in (("may cause", CALC.mayCause), ("may be caused by", CALC.mayBeCausedBy),
                                     ("located in", CALC.locatedIn), ("part of", CALC.partOf),
                                     ("mechanism", CALC.hasMechanism), ("may mimic", CALC.mayMimic))),
                ("cross-references", ", ".join(link(x) for p in (SKOS.exactMatch, SKOS.closeMatch,
                                               SKOS.narrowMatch, SKOS.broadMatch)
                                               for x in sorted(g.objects(n, p), key=str)))]
        out += [f"<p><b>{k}</b>: {v}</p>" for k, v in rows if v]
        out.append("</section>")
        return out

    def named(t: URIRef) -> list[URIRef]:
        return sorted((s for s in g.subjects(RDF.type, t) if isinstance(s, URIRef) and str(s).startswith(str(CALC))),
                      key=lambda s: (_label(g, s).lower(), str(s)))

    title = _label(g, ONTOLOGY_IRI) if g.value(ONTOLOGY_IRI, RDFS.label) else "CalcKG"
    desc = g.value(ONTOLOGY_IRI, DCTERMS.description)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{e(title)} {e(version)}</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:auto}section{border-top:1px solid #ccc}"
             ".iri{color:#555;font-size:90%}</style></head><body>",
             f"<h1>{e(str(g.value(ONTOLOGY_IRI, DCTERMS.title) or title))}</h1>",
             f"<p>Ontology IRI <code>{e(str(ONTOLOGY_IRI))}</code>, version {e(version)}.</p>"]
    if desc is not None:
        parts.append(f"<p>{e(str(desc))}</p>")
    sections = [("Classes", named(OWL.Class)), ("Object properties", named(OWL.ObjectProperty)),
                ("Datatype properties", named(OWL.DatatypeProperty)),
                ("Annotation properties", named(OWL.AnnotationProperty))]
    parts.append("<nav><ul>" + "".join(f'<li><a href="#{e(k.lower().replace(" ", "-"))}">{e(k)}</a> ({len(v)})</li>'
                                       for k, v in sections) + "</ul></nav>")
    for heading, items in sections:
        parts.append(f'<h2 id="{e(heading.lower().replace(" ", "-"))}">{e(heading)}</h2>')
        for n in items:
            parts += block(n)
    parts.append("</body></html>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ checksums


def write_checksums(out: Path) -> None:
    """SHA256SUMS in `sha256sum -c` format, sorted by file name."""
    lines = []
    for f in sorted(p for p in out.iterdir() if p.is_file() and p.name != "SHA256SUMS"):
        lines.append(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}")
    (out / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
