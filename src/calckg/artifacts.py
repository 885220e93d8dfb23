"""The release's further artifacts: RDF/XML, JSON-LD with its context, SSSOM, VoID/DCAT, HTML, checksums.

Every writer here is byte-deterministic: it reads the release's canonical triples (export.Release:
stable blank-node labels), sorts them, and writes no timestamps, so that two builds of the same
sources give identical files. None builds an rdflib graph: at the Gamuts scale (4 million triples)
rdflib's serializers and pyld's compaction take many minutes and gigabytes.
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

from .export import _LOCAL, Release
from .namespaces import CALC, DCAT, LITERAL_ONLY, ONTOLOGY_IRI, PREFIXES, VOID, XREF_IRI
from .sources import Sources

CONTEXT_URL = "https://w3id.org/calckg/context.jsonld"
RELEASE = "https://w3id.org/calckg/releases/"


# ------------------------------------------------------------------ RDF/XML


def write_rdfxml(turtle: Path, path: Path) -> None:
    """RDF/XML for the OWL API and Protégé, translated by pyoxigraph from the released (sorted) Turtle
    as it streams: rdf:nodeID for blank nodes (their labels kept), so that assertions on list nodes are
    kept; one rdf:Description per subject, in the Turtle's order, so the file is byte-reproducible."""
    import pyoxigraph as ox

    ox.serialize(ox.parse(path=str(turtle), format=ox.RdfFormat.TURTLE), str(path), ox.RdfFormat.RDF_XML,
                 prefixes={p: str(ns) for p, ns in sorted(PREFIXES.items())})


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


class _Compactor:
    """Compaction with the published context, done directly: pyld's general algorithm needs hours for
    millions of triples. Keys and IRIs become the context's terms and CURIEs; a property keeps its
    term only when every value fits the term's definition (IRIs for @type @id, language-tagged
    strings for a language map), else it is written as a CURIE with value objects. The result
    expands (pyld) to exactly the release graph (tests/test_artifacts.py)."""

    def __init__(self, ctx: dict[str, Any]) -> None:
        self.prefixes = sorted(((v, k) for k, v in ctx.items() if isinstance(v, str)), key=lambda x: -len(x[0]))
        self.terms: dict[str, tuple[str, str]] = {}
        for name, d in ctx.items():
            if isinstance(d, dict):
                iri = self.expand(d["@id"])
                self.terms[iri] = (name, "@language" if d.get("@container") == "@language" else "@id")
        self.cache: dict[Any, str] = {}
        self.pterm: dict[Any, Any] = {}  # predicate → its term (name, kind) or None

    def expand(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return next((ns + local for ns, p in self.prefixes if p == prefix), curie)

    def iri(self, n: Any) -> str:
        if type(n) is BNode:  # not cached: millions of them, each used two or three times
            return "_:" + n
        r = self.cache.get(n)
        if r is None:
            s = str(n)
            r = s
            for ns, p in self.prefixes:
                if s.startswith(ns) and _LOCAL.match(s[len(ns):]):
                    r = f"{p}:{s[len(ns):]}"
                    break
            self.cache[n] = r
        return r

    def value(self, n: Any) -> Any:
        if not isinstance(n, Literal):
            return {"@id": self.iri(n)}
        if n.language:
            return {"@value": str(n), "@language": n.language}
        if n.datatype is not None:
            return {"@value": str(n), "@type": self.iri(n.datatype)}
        return str(n)

    def node(self, s: Any, preds: dict[Any, list[Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {"@id": self.iri(s)}
        for p, objs in preds.items():
            term = self.pterm.get(p, False)
            if term is False:
                term = self.pterm[p] = ("@type", "@type") if p == RDF.type else self.terms.get(str(p))
            if term and term[1] == "@type":
                if not any(isinstance(o, Literal) for o in objs):
                    out["@type"] = _one(sorted([self.iri(o) for o in objs]))
                    continue
                term = None
            if term and term[1] == "@id" and not any(isinstance(o, Literal) for o in objs):
                out[term[0]] = _one(sorted(self.iri(o) for o in objs))
            elif term and term[1] == "@language" and all(isinstance(o, Literal) and o.language for o in objs):
                langs: dict[str, list[str]] = defaultdict(list)
                for o in objs:
                    langs[o.language].append(str(o))
                out[term[0]] = {lang: _one(sorted(v)) for lang, v in sorted(langs.items())}
            else:
                vals = [self.value(o) for o in objs]
                out[self.iri(p)] = _one(sorted(vals, key=_value_key))
        return out


def _value_key(v: Any) -> str:
    """A total order on compacted values, cheaper than sorting by their JSON text."""
    if isinstance(v, str):
        return "0" + v
    if "@id" in v:
        return "1" + v["@id"]
    return "2" + v["@value"] + "\x00" + v.get("@language", "") + "\x00" + v.get("@type", "")


def _one(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def write_jsonld(release: Release, path: Path, context_path: Path) -> None:
    """calckg.jsonld: compact JSON-LD with the published context embedded (so it expands offline),
    one node object per line, sorted, so that the file is byte-reproducible and diffs by term."""
    ctx = context()
    context_path.write_text(json.dumps(ctx, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    comp, idx = _Compactor(ctx["@context"]), release.by_subject()
    dump = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
    with path.open("w", encoding="utf-8") as f:
        f.write('{"@context": ' + json.dumps(ctx["@context"], sort_keys=True, ensure_ascii=False) + ',\n"@graph": [\n')
        f.write(",\n".join(dump(comp.node(s, idx[s])) for s in release.subjects_sorted()))
        f.write("\n]}\n")


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


def write_void(release: Release, counts: dict[str, int], out: Path, version: str) -> None:
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
    idx = release.by_subject()
    d.add((ds, VOID.triples, Literal(len(release))))
    d.add((ds, VOID.classes, Literal(counts.get("classes", 0))))
    d.add((ds, VOID.entities, Literal(sum(1 for s in idx if isinstance(s, URIRef)))))
    d.add((ds, VOID.distinctSubjects, Literal(len(idx))))
    d.add((ds, VOID.properties, Literal(len({p for preds in idx.values() for p in preds}))))
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


class _View:
    """The inferred graph as the HTML page reads it: the release's subject index plus the inferred
    subsumptions, without building a graph (17,000 classes must render in seconds)."""

    def __init__(self, release: Release) -> None:
        self.idx = release.by_subject()
        self.extra: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in release.extra:
            self.extra[s][p].append(o)
        self.types: dict[Any, list[Any]] = defaultdict(list)
        for s, preds in self.idx.items():
            for t in preds.get(RDF.type, ()):
                self.types[t].append(s)

    def objects(self, n: Any, p: Any) -> list[Any]:
        own = self.idx.get(n, {}).get(p, [])
        more = self.extra[n].get(p) if n in self.extra else None
        return list(dict.fromkeys([*own, *more])) if more else list(own)

    def value(self, n: Any, p: Any) -> Any:
        vals = self.objects(n, p)
        return min(vals) if vals else None

    def subjects(self, t: Any) -> list[Any]:
        return self.types.get(t, [])


def _label(g: _View, n: Any) -> str:
    lab = g.value(n, RDFS.label)
    return str(lab) if lab is not None else str(n).rsplit("/", 1)[-1]


def _anchor(n: Any) -> str:
    return str(n).rsplit("/", 1)[-1]


def write_html(release: Release, path: Path, version: str) -> None:
    """index.html: the ontology's classes and properties, with labels, definitions, synonyms, parents
    (asserted and inferred, when given the inferred graph), direct edges and cross-references; in the
    manner of pyLODE (whose 3.4.1 install here fails on import), deterministic and self-contained."""
    e = html.escape
    g = _View(release)
    labels: dict[Any, str] = {}

    def label(n: Any) -> str:
        r = labels.get(n)
        if r is None:
            r = labels[n] = _label(g, n)
        return r

    def link(n: Any) -> str:
        if isinstance(n, URIRef) and str(n).startswith(str(CALC)):
            return f'<a href="#{e(_anchor(n))}">{e(label(n))}</a>'
        return f'<a href="{e(str(n))}">{e(str(n))}</a>'

    def block(n: URIRef) -> list[str]:
        out = [f'<section id="{e(_anchor(n))}"><h3>{e(label(n))}</h3>',
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
        return sorted((s for s in g.subjects(t) if isinstance(s, URIRef) and str(s).startswith(str(CALC))),
                      key=lambda s: (label(s).lower(), str(s)))

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
        digest = hashlib.sha256()
        with f.open("rb") as stream:  # in blocks: the Turtle files reach 600 MB at the Gamuts scale
            for block in iter(lambda stream=stream: stream.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {f.name}")
    (out / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
