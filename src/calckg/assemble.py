"""Turn the checked sources into RDF: the OWL axioms (the reasoner's input) and the provenance.

Two graphs come out, kept apart on purpose (see model.md's trap): `axioms` holds only classes,
properties and class axioms, so HermiT sees no punned individuals; `provenance` holds gamuts, entries,
statements, figures and the structured facts. Direct edges (`D calc:mayCause F`) are derived from
`axioms` after reasoning, in edges.py, using the evidence recorded here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from .namespaces import CALC, OBO, OIO, ONTOLOGY_IRI, PREFIXES, XREF_PREDICATE, xref_iri
from .sources import Sources, Term
from .triplegraph import TripleGraph

KIND_CLASS = {
    "disorder": CALC.Disorder,
    "finding": CALC.ImagingFinding,
    "site": CALC.AnatomicalSite,
    "mechanism": CALC.Mechanism,
}
INDIVIDUAL_CLASS = {
    "substance": CALC.Substance,
    "inheritance": CALC.InheritancePattern,
    "agegroup": CALC.AgeGroup,
}
RELATION = {
    "mayCause": CALC.mayCause,
    "predisposingCondition": CALC.predisposingCondition,
    "mayMimic": CALC.mayMimic,
    "associatedWith": CALC.associatedWith,
}
CHAPTER = CALC.Chapter7
INTRODUCTION = CALC.Chapter7_Introduction


@dataclass
class Assembled:
    axioms: Graph
    provenance: Graph
    # (subject, property, object) -> evidence IRIs that state it; annotates the direct edges
    evidence: dict[tuple[URIRef, URIRef, URIRef], set[URIRef]] = field(default_factory=dict)


def new_graph() -> Graph:
    """An empty graph for the assembler: a TripleGraph (adds are set insertions; see triplegraph.py)."""
    g = TripleGraph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    return g


def en(text: str) -> Literal:
    return Literal(" ".join(str(text).split()), lang="en")


def _list(g: Graph, items: list[Any]) -> BNode:
    """An RDF list, written directly: rdflib's Collection walks the list on every append (quadratic)."""
    head = BNode()
    node: Any = head
    for i, x in enumerate(items):
        g.add((node, RDF.first, x))
        nxt = BNode() if i < len(items) - 1 else RDF.nil
        g.add((node, RDF.rest, nxt))
        node = nxt
    return head


def some(g: Graph, prop: URIRef, filler: Any) -> BNode:
    r = BNode()
    g.add((r, RDF.type, OWL.Restriction))
    g.add((r, OWL.onProperty, prop))
    g.add((r, OWL.someValuesFrom, filler))
    return r


def _combine(g: Graph, op: URIRef, members: list[Any]) -> Any:
    if len(members) == 1:
        return members[0]
    c = BNode()
    g.add((c, RDF.type, OWL.Class))
    g.add((c, op, _list(g, members)))
    return c


def intersection(g: Graph, *members: Any) -> Any:
    return _combine(g, OWL.intersectionOf, list(members))


def union(g: Graph, members: Iterable[Any]) -> Any:
    return _combine(g, OWL.unionOf, list(members))


def term(tid: str) -> URIRef:
    return CALC[tid]


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def citation(table: str, row: int | None = None) -> str:
    return f"Table {table}, row {row}" if row is not None else f"Table {table}"


class Assembler:
    def __init__(self, src: Sources, version: str) -> None:
        self.src = src
        self.version = version
        self.ax = new_graph()
        self.pv = new_graph()
        self.evidence: dict[tuple[URIRef, URIRef, URIRef], set[URIRef]] = defaultdict(set)
        self.row_iri: dict[tuple[str, int], URIRef] = {}

    # ------------------------------------------------------------------ entry point
    def run(self) -> Assembled:
        self.ax.parse(self.src.vocabulary, format="turtle")
        self._ontology_header()
        for t in self.src.terms.values():
            self._term(t)
        self._chapter()
        for g in self.src.gamuts:
            self._gamut(g)
        for s in self.src.statements:
            self._statement(s)
        return Assembled(self.ax, self.pv, dict(self.evidence))

    # ------------------------------------------------------------------ metadata
    def _ontology_header(self) -> None:
        g, o = self.ax, ONTOLOGY_IRI
        g.add((o, RDF.type, OWL.Ontology))
        g.add((o, OWL.versionIRI, URIRef(f"https://w3id.org/calckg/releases/{self.version}/calckg.owl")))
        g.add((o, OWL.versionInfo, Literal(self.version)))
        g.add((o, DCTERMS.title, en("CalcKG: joint and soft-tissue calcification")))
        g.add((o, DCTERMS.description, en(
            "A provenance-tracked knowledge graph and OWL 2 ontology of the radiological differential "
            "diagnosis of joint and soft-tissue calcification and ossification: disorders, imaging "
            "findings, anatomical sites and mechanisms, with every causal link traced to the table row, "
            "figure or passage of the source chapter that states it.")))
        g.add((o, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
        g.add((o, DCTERMS.source, en(
            "Chapter 7, 'Joint and Soft-Tissue Calcification', of a radiology differential-diagnosis "
            "text (Tables 7.1-7.3 and Figures 7.1-7.10 as far as the available copy reaches).")))
        g.add((o, DCTERMS.source, CHAPTER))
        g.add((o, RDFS.comment, en(
            "Direct edges between classes (D calc:mayCause F) use OWL 2 punning; the reasoner works on "
            "the class axioms alone.")))

    # ------------------------------------------------------------------ terms
    def _term(self, t: Term) -> None:
        d, s = t.data, term(t.id)
        g = self.pv if t.kind in INDIVIDUAL_CLASS or t.kind == "figure" else self.ax
        if t.kind == "figure":
            self._figure(t)
            return
        if t.kind in INDIVIDUAL_CLASS:
            g.add((s, RDF.type, OWL.NamedIndividual))
            g.add((s, RDF.type, INDIVIDUAL_CLASS[t.kind]))
        else:
            g.add((s, RDF.type, OWL.Class))
            for p in _as_list(d.get("is_a")):
                g.add((s, RDFS.subClassOf, term(p)))
        self._annotations(g, s, d)
        if t.kind == "site":
            for p in _as_list(d.get("part_of")):
                g.add((s, RDFS.subClassOf, some(g, CALC.partOf, term(p))))
        elif t.kind == "finding":
            self._finding_axioms(s, d)
        elif t.kind == "disorder":
            self._disorder(s, d)

    def _annotations(self, g: Graph, s: URIRef, d: dict[str, Any]) -> None:
        g.add((s, RDFS.label, en(d["label"])))
        if d.get("definition"):
            g.add((s, SKOS.definition, en(d["definition"])))
        if d.get("definition_source"):
            g.add((s, OBO.IAO_0000119, Literal(str(d["definition_source"]))))
        for syn in _as_list(d.get("synonyms")):
            g.add((s, SKOS.altLabel, en(syn)))
        for note in _as_list(d.get("notes")):
            g.add((s, SKOS.editorialNote, en(note)))
        for kind, curies in (d.get("xrefs") or {}).items():
            if kind == "__line__":
                continue
            for curie in curies:
                iri = xref_iri(curie)
                if iri is not None:
                    g.add((s, XREF_PREDICATE[kind], iri))
                g.add((s, OIO.hasDbXref, Literal(curie)))

    def _finding_axioms(self, s: URIRef, d: dict[str, Any]) -> None:
        g = self.ax
        if d.get("either"):
            g.add((s, RDFS.subClassOf, union(g, [term(x) for x in d["either"]])))
        if d.get("located_in"):
            g.add((s, RDFS.subClassOf, some(g, CALC.locatedIn, union(g, [term(x) for x in d["located_in"]]))))
        if d.get("defined_as"):
            base, site = term(d["defined_as"]["base"]), term(d["defined_as"]["site"])
            g.add((s, OWL.equivalentClass, intersection(g, base, some(g, CALC.locatedIn, site))))
        for r in _as_list(d.get("expected_region")):
            self.pv.add((s, CALC.expectedRegion, term(r)))

    def _disorder(self, s: URIRef, d: dict[str, Any]) -> None:
        g = self.ax
        for m in _as_list(d.get("mechanisms")):
            g.add((s, RDFS.subClassOf, some(g, CALC.hasMechanism, term(m))))
        if d.get("mechanism_basis"):
            g.add((s, SKOS.scopeNote, en(f"Mechanism: {d['mechanism_basis']}")))
        if d.get("variant_of"):
            g.add((s, CALC.variantOf, term(d["variant_of"])))
        facts = d.get("facts") or {}
        fs = d.get("facts_source") or {}
        source = self.row_ref(str(fs["table"]), int(fs["row"])) if fs else None
        for key, prop in (("accumulates", CALC.accumulatedSubstance), ("inheritance", CALC.inheritance),
                          ("affects_organs", CALC.affectsOrgan)):
            for v in _as_list(facts.get(key)):
                self._fact(s, prop, term(v), source)
        if "hereditary" in facts:
            self._fact(s, CALC.hereditary, Literal(bool(facts["hereditary"])), source)
        if facts.get("rarity"):
            self._fact(s, CALC.rarity, Literal(str(facts["rarity"])), source)

    def _fact(self, s: URIRef, p: URIRef, o: Any, source: URIRef | None) -> None:
        self.pv.add((s, p, o))
        if source is not None:
            self._annotate(s, p, o, [source])

    def _annotate(self, s: URIRef, p: URIRef, o: Any, sources: Iterable[URIRef]) -> None:
        """An owl:Axiom reification carrying the evidence of one punned edge."""
        a = BNode()
        g = self.pv
        g.add((a, RDF.type, OWL.Axiom))
        g.add((a, OWL.annotatedSource, s))
        g.add((a, OWL.annotatedProperty, p))
        g.add((a, OWL.annotatedTarget, o))
        for src in sorted(sources):
            g.add((a, DCTERMS.source, src))

    def row_ref(self, table: str, row: int) -> URIRef:
        return CALC[f"Table{table.replace('.', '_')}_Row{row}"]

    # ------------------------------------------------------------------ source documents
    def _chapter(self) -> None:
        g, c = self.pv, CHAPTER
        g.add((c, RDF.type, CALC.SourceDocument))
        g.add((c, RDF.type, OWL.NamedIndividual))
        g.add((c, RDFS.label, en(f"Chapter 7: {self.src.chapter.get('title', '')}")))
        g.add((c, DCTERMS.title, en(self.src.chapter.get("title", ""))))
        g.add((c, CALC.sourceText, Literal(f"shared/source/{self.src.chapter.get('source_file', '')}")))
        g.add((c, SKOS.editorialNote, en(
            "The available copy is a web copy of the chapter cut off inside Table 7.3; the introduction "
            "announces Tables 7.1-7.6, of which 7.4-7.6 and the rest of 7.3 are missing, as are the "
            "captions of Figs. 7.9 and 7.10. Web-site boilerplate after the last row is not encoded.")))
        i = INTRODUCTION
        g.add((i, RDF.type, CALC.SourceDocument))
        g.add((i, RDF.type, OWL.NamedIndividual))
        g.add((i, RDFS.label, en("Chapter 7, introduction")))
        g.add((i, DCTERMS.isPartOf, c))
        g.add((i, CALC.sourceLine, Literal(1)))
        g.add((i, CALC.citation, Literal("Chapter 7, introduction")))

    def _figure(self, t: Term) -> None:
        g, f, d = self.pv, term(t.id), t.data
        g.add((f, RDF.type, CALC.Figure))
        g.add((f, RDF.type, OWL.NamedIndividual))
        g.add((f, RDFS.label, en(f"Fig. {d['number']}")))
        g.add((f, CALC.figureNumber, Literal(str(d["number"]))))
        for p in _as_list(d.get("panels")):
            g.add((f, CALC.panel, Literal(str(p))))
        if d.get("caption"):
            g.add((f, CALC.caption, en(d["caption"])))
            g.add((f, SKOS.definition, en(d["caption"])))
        g.add((f, CALC.sourceText, Literal(d["source_text"])))
        g.add((f, CALC.sourceLine, Literal(int(d["line"]))))
        g.add((f, DCTERMS.source, CHAPTER))
        g.add((f, CALC.citation, Literal(f"Fig. {d['number']}")))
        for x in _as_list(d.get("depicts")):
            g.add((f, CALC.depicts, term(x)))
            g.add((term(x), CALC.illustratedBy, f))
        for note in _as_list(d.get("notes")):
            g.add((f, SKOS.editorialNote, en(note)))

    # ------------------------------------------------------------------ gamuts and rows
    def _gamut(self, gm: dict[str, Any]) -> None:
        g, gi = self.pv, term(gm["id"])
        table = str(gm["table"])
        finding = term(gm["finding"])
        g.add((gi, RDF.type, CALC.Gamut))
        g.add((gi, RDF.type, CALC.SourceDocument))
        g.add((gi, RDF.type, OWL.NamedIndividual))
        g.add((gi, RDFS.label, en(f"Table {table}: {gm['title']}")))
        g.add((gi, DCTERMS.title, en(gm["title"])))
        g.add((gi, CALC.tableNumber, Literal(table)))
        g.add((gi, CALC.finding, finding))
        g.add((gi, CALC.sourceLine, Literal(int(gm["line"]))))
        g.add((gi, CALC.citation, Literal(citation(table))))
        g.add((gi, DCTERMS.isPartOf, CHAPTER))
        for note in _as_list(gm.get("notes")):
            g.add((gi, SKOS.editorialNote, en(note)))
        for r in gm.get("rows") or []:
            self._row(gi, table, finding, r)

    def _row(self, gi: URIRef, table: str, finding: URIRef, r: dict[str, Any]) -> None:
        g = self.pv
        n = int(r["row"])
        e = self.row_ref(table, n)
        self.row_iri[(table, n)] = e
        disorders = [term(x) for x in r["disorders"]]
        sites = [term(x) for x in _as_list(r.get("sites"))]
        g.add((gi, CALC.entry, e))
        g.add((e, RDF.type, CALC.DifferentialEntry))
        g.add((e, RDF.type, OWL.NamedIndividual))
        g.add((e, CALC.gamut, gi))
        names = ", ".join(self.src.terms[x].label for x in r["disorders"])
        g.add((e, RDFS.label, en(f"{citation(table, n)}: {names}")))
        g.add((e, CALC.rowNumber, Literal(n)))
        g.add((e, DCTERMS.source, gi))
        g.add((e, CALC.citation, Literal(citation(table, n))))
        g.add((e, CALC.sourceLine, Literal(int(r["line"]))))
        g.add((e, CALC.sourceText, Literal(r["source_text"])))
        g.add((e, CALC.finding, finding))
        for x in disorders:
            g.add((e, CALC.disorder, x))
        for s in sites:
            g.add((e, CALC.site, s))
        if r.get("group"):
            g.add((e, CALC.disorderGroup, term(r["group"])))
        self._evidence_details(e, r)
        for x in _as_list(r.get("not_seen_in")):
            self._negative(e, term(x), finding)
        for x in _as_list(r.get("absent")):
            g.add((e, CALC.absentFinding, term(x)))
        for x in _as_list(r.get("fragment_origin")):
            g.add((e, CALC.fragmentOrigin, term(x)))
        if r.get("age_predilection"):
            g.add((e, CALC.agePredilection, term(r["age_predilection"])))
        if r.get("number_of_deposits"):
            g.add((e, CALC.numberOfDeposits, Literal(str(r["number_of_deposits"]))))
        if r.get("secondary_manifestation"):
            g.add((e, CALC.secondaryManifestation, Literal(True)))
        if r.get("open_list"):
            g.add((e, CALC.openList, Literal(True)))
        for d in disorders:
            self._causal(d, finding, sites, e)
        # the row's further assertions, each its own statement citing this row
        k = 0
        for rel, key, on_entry in (("mayMimic", "mimics", CALC.mimic),
                                   ("predisposingCondition", "predisposing", CALC.predisposing),
                                   ("associatedWith", "associated_disorders", CALC.associatedDisorder)):
            for other in _as_list(r.get(key)):
                g.add((e, on_entry, term(other)))
                k += 1
                self._statement({
                    "id": f"{e.split('/')[-1]}_S{k}", "relation": rel, "disorders": r["disorders"],
                    "related": [other], "quote": r["remark"], "line": r["line"],
                    "source": {"table": table, "row": n}})
        for af in r.get("associated_findings") or []:
            k += 1
            g.add((e, CALC.associatedFinding, term(af["finding"])))
            self._statement({
                "id": f"{e.split('/')[-1]}_S{k}", "disorders": r["disorders"], "finding": af["finding"],
                # the row's common locations qualify its remark, unless the finding names its own site
                "sites": af["sites"] if "sites" in af else _as_list(r.get("sites")),
                "quote": r["remark"], "line": r["line"],
                "source": {"table": table, "row": n}})

    def _evidence_details(self, e: URIRef, r: dict[str, Any]) -> None:
        g = self.pv
        if r.get("remark"):
            g.add((e, CALC.remark, en(r["remark"])))
        if r.get("quote"):
            g.add((e, CALC.quote, en(r["quote"])))
        for f in _as_list(r.get("figures")):
            g.add((e, CALC.illustratedBy, term(f)))
        freq = r.get("frequency")
        if freq:
            g.add((e, CALC.frequencyMin, Literal(Decimal(str(freq["min"])), datatype=XSD.decimal)))
            g.add((e, CALC.frequencyMax, Literal(Decimal(str(freq["max"])), datatype=XSD.decimal)))
        if r.get("frequency_category"):
            g.add((e, CALC.frequencyCategory, Literal(str(r["frequency_category"]))))
        if r.get("qualifier"):
            g.add((e, CALC.qualifier, Literal(str(r["qualifier"]))))
        for m in _as_list(r.get("mechanisms")):
            g.add((e, CALC.hasMechanism, term(m)))
        for note in _as_list(r.get("notes")):
            g.add((e, SKOS.editorialNote, en(note)))

    def _causal(self, d: URIRef, finding: URIRef, sites: list[URIRef], ev: URIRef) -> None:
        """model.md's pattern: one axiom over the union of sites, plus one per site.

        The per-site axioms say what a 'common locations' list means (the disorder may cause the
        finding at each site) and let the reasoner place CPPD (knees, wrists, hips) among the causes
        of calcification in the knee, which the union alone does not entail.
        """
        g = self.ax
        if not sites:
            g.add((d, RDFS.subClassOf, some(g, CALC.mayCause, finding)))
        else:
            if len(sites) > 1:
                g.add((d, RDFS.subClassOf, some(g, CALC.mayCause, intersection(
                    g, finding, some(g, CALC.locatedIn, union(g, sites))))))
            for s in sites:
                g.add((d, RDFS.subClassOf, some(g, CALC.mayCause, intersection(
                    g, finding, some(g, CALC.locatedIn, s)))))
        self.evidence.setdefault((d, CALC.mayCause, finding), set()).add(ev)

    def _negative(self, e: URIRef, disorder: URIRef, finding: URIRef) -> None:
        """'Not seen in X': an entry link, a class axiom the reasoner checks, a negative assertion."""
        self.pv.add((e, CALC.notSeenIn, disorder))
        neg = BNode()
        self.ax.add((neg, RDF.type, OWL.Class))
        self.ax.add((neg, OWL.complementOf, some(self.ax, CALC.mayCause, finding)))
        self.ax.add((disorder, RDFS.subClassOf, neg))
        n = BNode()
        self.pv.add((n, RDF.type, OWL.NegativePropertyAssertion))
        self.pv.add((n, OWL.sourceIndividual, disorder))
        self.pv.add((n, OWL.assertionProperty, CALC.mayCause))
        self.pv.add((n, OWL.targetIndividual, finding))
        self.pv.add((n, DCTERMS.source, e))

    # ------------------------------------------------------------------ statements
    def _statement(self, s: dict[str, Any]) -> None:
        g = self.pv
        st = CALC[f"Statement_{s['id']}"]
        relation = s.get("relation", "mayCause")
        prop = RELATION[relation]
        g.add((st, RDF.type, CALC.SourceStatement))
        g.add((st, RDF.type, OWL.NamedIndividual))
        g.add((st, CALC.assertedRelation, prop))
        source = s["source"]
        if source == "introduction":
            doc, cite = INTRODUCTION, "Chapter 7, introduction"
        elif "figure" in source:
            fig = self.src.terms[source["figure"]]
            doc, cite = term(fig.id), f"Fig. {fig.data['number']}"
            g.add((st, CALC.illustratedBy, doc))
        else:
            table, row = str(source["table"]), int(source["row"])
            doc, cite = self.row_ref(table, row), f"{citation(table, row)}, remark"
            g.add((st, CALC.statedInEntry, doc))
            g.add((st, CALC.rowNumber, Literal(row)))
            doc = term(f"Table{table.replace('.', '_')}")
        g.add((st, DCTERMS.source, doc))
        g.add((st, CALC.citation, Literal(cite)))
        g.add((st, CALC.sourceLine, Literal(int(s["line"]))))
        g.add((st, CALC.quote, en(s["quote"])))
        self._evidence_details(st, {k: v for k, v in s.items() if k not in ("quote", "remark")})
        disorders = [term(x) for x in s["disorders"]]
        for x in disorders:
            g.add((st, CALC.disorder, x))
        names = ", ".join(self.src.terms[x].label for x in s["disorders"])
        if relation == "mayCause":
            finding = term(s["finding"])
            sites = [term(x) for x in _as_list(s.get("sites"))]
            g.add((st, CALC.finding, finding))
            for x in sites:
                g.add((st, CALC.site, x))
            for d in disorders:
                self._causal(d, finding, sites, st)
            g.add((st, RDFS.label, en(f"{cite}: {names} may cause {self.src.terms[s['finding']].label}")))
        else:
            for other in _as_list(s.get("related")):
                o = term(other)
                g.add((st, CALC.relatedDisorder, o))
                for d in disorders:
                    self.ax.add((d, RDFS.subClassOf, some(self.ax, prop, o)))
                    self.evidence.setdefault((d, prop, o), set()).add(st)
            rel_names = ", ".join(self.src.terms[x].label for x in _as_list(s.get("related")))
            g.add((st, RDFS.label, en(f"{cite}: {names} {relation} {rel_names}")))


def assemble(src: Sources, version: str) -> Assembled:
    return Assembler(src, version).run()
