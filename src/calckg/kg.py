"""The Python API: one class over the released graph, that the CLI and the server are thin layers on.

    >>> from calckg import KnowledgeGraph
    >>> kg = KnowledgeGraph.load()                     # dist/calckg-inferred.ttl, built if missing
    >>> result = kg.ddx(["chondrocalcinosis"], sites=["knee"])
    >>> result.results[0].label
    'calcium pyrophosphate dihydrate deposition disease'
    >>> kg.query("mimics", {"disorder": "haemochromatosis"}).rows[0]["otherLabel"]   # queries/mimics.rq
    'calcium pyrophosphate dihydrate deposition disease'
    >>> kg.show("pseudogout")["label"]
    'calcium pyrophosphate dihydrate deposition disease'

The graph sits in an embedded pyoxigraph store, chosen by measurement (bench/bench_store.py: the same
queries run one to two orders of magnitude faster than on rdflib's in-memory store, and rdflib cannot
answer one of them). Named queries run there; the differential runs on
an in-memory index read from the store once, so a ddx costs microseconds, not a SPARQL round trip.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .lookup import TermIndex

CALC = "https://w3id.org/calckg/"
KINDS = {"disorder": CALC + "Disorder", "finding": CALC + "ImagingFinding",
         "site": CALC + "AnatomicalSite", "mechanism": CALC + "Mechanism"}
PREFIXES = """PREFIX calc: <https://w3id.org/calckg/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
"""


class UnknownTermError(LookupError):
    """A name that matches no term of the expected kind; carries suggestions."""

    def __init__(self, kind: str, text: str, suggestions: list[str], actual: str | None = None) -> None:
        self.kind, self.text, self.suggestions, self.actual = kind, text, suggestions, actual
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        if actual:  # the name is a term, of another kind: say which, and where it belongs
            use = {"site": f"give it with --site '{text}'", "finding": "give it as a finding"}.get(
                actual, f"try: calckg show '{text}'")
            hint = f" ('{text}' is a {actual}: {use})" + hint
        super().__init__(f"unknown {kind} '{text}'{hint}")


@dataclass
class Term:
    iri: str
    label: str
    kind: str
    definition: str = ""
    synonyms: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    xrefs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass
class Evidence:
    iri: str
    kind: str  # "entry" (a table row) or "statement" (remark, caption, introduction)
    citation: str
    disorders: list[str]
    finding: str
    sites: list[str]
    remark: str
    figures: list[str]
    source_line: int
    gamut: str = ""
    freq_min: float | None = None
    freq_max: float | None = None
    frequency_category: str = ""
    qualifier: str = ""
    not_seen_in: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _v(term: Any) -> str:
    return "" if term is None else term.value


class KnowledgeGraph:
    """The released CalcKG graph, with lookup, differential diagnosis and named queries."""

    def __init__(self, store: ox.Store, path: Path | None = None) -> None:
        self.store = store
        self.path = path
        self.terms: dict[str, Term] = {}
        self.index = TermIndex()
        self.ancestors: dict[str, set[str]] = defaultdict(set)  # subClassOf*, reflexive
        self.part_of: dict[str, set[str]] = defaultdict(set)  # direct partOf edges
        self.evidence: list[Evidence] = []
        self.by_disorder: dict[str, list[Evidence]] = defaultdict(list)
        self.defined_site: dict[str, tuple[str, str]] = {}  # finding -> (base finding, site)
        self.facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.figures: dict[str, dict[str, str]] = {}
        self.depicts: dict[str, set[str]] = defaultdict(set)  # term -> figures whose caption shows it
        self.source_labels: dict[str, str] = {}  # gamuts and source documents -> label
        # the differential's indexes (see _index_evidence): a ddx reads the gamut it asks for, not the graph
        self.findings_below: dict[str, list[str]] = defaultdict(list)  # class -> findings with evidence is_a it
        self.n_causes = 0  # disorders that cause anything: the N of the information content
        self._by_finding: dict[str, list[int]] = defaultdict(list)  # finding -> positions in self.evidence
        self._below: dict[str, tuple[int, ...]] = {}  # memo of evidence_below
        self._causes_below: dict[str, int] = {}  # memo of cause_count
        self._within: dict[tuple[str, str], bool] = {}  # memo of site_within
        from .saturate import paused_gc

        with paused_gc():  # a few million small, long-lived objects: the collector would re-walk them all
            self._build_index()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path | None = None, *, build_if_missing: bool = True) -> KnowledgeGraph:
        """Load dist/calckg-inferred.ttl (or the given Turtle file); build the release if missing."""
        from .pipeline import build, project_root

        if path is None:
            dist = Path(os.environ["CALCKG_DIST"]) if os.environ.get("CALCKG_DIST") else project_root() / "dist"
            path = dist / "calckg-inferred.ttl"
            if not Path(path).exists() and build_if_missing:
                build(quiet=True)
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no release graph here; run 'calckg build' first")
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        return cls(store, path)

    def select(self, query: str, **bindings: Any) -> list[dict[str, str]]:
        """Run a SELECT with bound parameters; values as strings (IRIs and literal lexical forms)."""
        subs = {ox.Variable(k): v for k, v in bindings.items()}
        res = self.store.query(query, substitutions=subs) if subs else self.store.query(query)
        names = [v.value for v in res.variables]
        return [{n: _v(row[n]) for n in names} for row in res]

    def _rows(self, query: str) -> list[tuple[str, ...]]:
        """select() as tuples in the order of the projection: half its cost on the loader's big queries."""
        return [tuple("" if t is None else t.value for t in row) for row in self.store.query(PREFIXES + query)]

    def _build_index(self) -> None:
        q = self._rows
        for sub, sup in q("SELECT ?s ?o WHERE { ?s rdfs:subClassOf ?o . FILTER(isIRI(?s) && isIRI(?o)) }"):
            self.ancestors[sub].add(sup)
        # transitive closure (small graphs; iterative to avoid recursion limits at scale)
        closed: dict[str, set[str]] = {}
        for c in list(self.ancestors):
            seen: set[str] = set()
            stack = list(self.ancestors[c])
            while stack:
                p = stack.pop()
                if p in seen:
                    continue
                seen.add(p)
                if p in closed:
                    seen |= closed[p]
                else:
                    stack.extend(self.ancestors.get(p, ()))
            closed[c] = seen
        self.ancestors = defaultdict(set, closed)
        for c in list(self.ancestors):
            self.ancestors[c].add(c)
        for part, whole in q("SELECT ?s ?o WHERE { ?s calc:partOf ?o . FILTER(isIRI(?s) && isIRI(?o)) }"):
            self.part_of[part].add(whole)
        rows = q("""SELECT ?c ?label ?def WHERE {
            ?c a owl:Class ; rdfs:label ?label . OPTIONAL { ?c skos:definition ?def }
            FILTER(isIRI(?c) && STRSTARTS(STR(?c), "https://w3id.org/calckg/")) }""")
        for c, label, definition in rows:
            kind = next((k for k, root in KINDS.items() if root in self.ancestors.get(c, ())), "other")
            if c in KINDS.values():
                kind = "core"
            self.terms[c] = Term(c, label, kind, definition)
        for i, label, definition in q("""SELECT ?i ?label ?def WHERE { ?i a owl:NamedIndividual ; rdfs:label ?label .
                   ?i a ?t . FILTER(?t IN (calc:Substance, calc:InheritancePattern, calc:AgeGroup))
                   OPTIONAL { ?i skos:definition ?def } }"""):
            self.terms[i] = Term(i, label, "value", definition)
        # VALUES, not FILTER(?p IN …): the store then reads its predicate index instead of every triple
        for c, pred, o in q("SELECT ?c ?p ?o WHERE { VALUES ?p { skos:altLabel skos:editorialNote "
                            "oboInOwl:hasDbXref skos:exactMatch skos:closeMatch skos:narrowMatch skos:broadMatch } "
                            "?c ?p ?o } ORDER BY ?c ?p ?o"):
            t = self.terms.get(c)
            if t is None:
                continue
            p = pred.rsplit("#", 1)[-1]
            if p == "altLabel":
                t.synonyms.append(o)
            elif p == "editorialNote":
                t.notes.append(o)
            elif p == "hasDbXref":
                t.xrefs.append(o)
        for t in self.terms.values():
            t.parents = self._direct_parents(t.iri)
            self.index.add(t.kind, t.iri, t.label, [*t.synonyms, t.id, *t.xrefs])
        for f, base, site in q("""SELECT ?f ?base ?site WHERE {
                ?f owl:equivalentClass [ owl:intersectionOf ( ?base
                    [ owl:onProperty calc:locatedIn ; owl:someValuesFrom ?site ] ) ] .
                FILTER(isIRI(?base) && isIRI(?site)) }"""):
            self.defined_site[f] = (base, site)
        for f, n, cap in q("""SELECT ?f ?n ?cap WHERE { ?f a calc:Figure ; calc:figureNumber ?n .
                   OPTIONAL { ?f calc:caption ?cap } }"""):
            self.figures[f] = {"number": n, "caption": cap}
        for f, t in q("SELECT ?f ?t WHERE { ?f a calc:Figure ; calc:depicts ?t }"):
            self.depicts[t].add(f)
        for src, label in q("SELECT ?s ?l WHERE { ?s a calc:SourceDocument ; rdfs:label ?l }"):
            self.source_labels[src] = label
        self._load_evidence()
        self._index_evidence()
        self._load_facts()

    def _direct(self, c: str, p: str) -> bool:
        """p is a direct parent of c: no other ancestor of c lies below p."""
        return not any(m not in (c, p) and p in self.ancestors.get(m, ()) and m in self.ancestors[c]
                       for m in self.ancestors[c])

    def _direct_parents(self, c: str) -> list[str]:
        """The terms p with _direct(c, p), sorted: c's ancestors that no other ancestor m of c lies below.

        As set unions (what lies above some other ancestor), not a test per pair: at the Gamuts scale the
        pairwise test made 12 million Python-level steps, a sixth of loading the graph.
        """
        anc = self.ancestors.get(c)
        if not anc:
            return []
        above_others: set[str] = set()
        for m in anc:
            if m != c:
                above = self.ancestors.get(m)
                if above:
                    above_others |= above - {m}
        return sorted(p for p in anc if p != c and p in self.terms and p not in above_others)

    def _load_evidence(self) -> None:
        multi = defaultdict(lambda: defaultdict(list))
        rows = self._rows("""
            SELECT ?e ?type ?p ?o WHERE {
              { ?e a calc:DifferentialEntry . BIND("entry" AS ?type) }
              UNION { ?e a calc:SourceStatement ; calc:assertedRelation calc:mayCause .
                      BIND("statement" AS ?type) }
              ?e ?p ?o .
              FILTER(?p IN (calc:disorder, calc:finding, calc:site, calc:remark, calc:quote, calc:illustratedBy,
                calc:citation, calc:sourceLine, calc:gamut, calc:frequencyMin, calc:frequencyMax,
                calc:frequencyCategory, calc:qualifier, calc:notSeenIn, skos:editorialNote))
            }""")  # no ORDER BY: records are sorted below, values per key in Python (a third of the query)
        types: dict[str, str] = {}
        for e, kind, p, o in rows:
            types[e] = kind
            multi[e][p.rsplit("/", 1)[-1].rsplit("#", 1)[-1]].append(o)
        for e, d in sorted(multi.items()):
            def one(key: str, default: str = "", d: dict[str, list[str]] = d) -> str:
                # single-valued in the release (shapes/entries.ttl); min() keeps a stray second value stable
                return min(d[key]) if d.get(key) else default
            ev = Evidence(
                iri=e, kind=types[e], citation=one("citation"), disorders=sorted(set(d["disorder"])),
                finding=one("finding"), sites=sorted(set(d["site"])),
                remark=one("remark") or one("quote"), figures=sorted(set(d["illustratedBy"])),
                source_line=int(one("sourceLine", "0")), gamut=one("gamut"),
                freq_min=float(one("frequencyMin")) if d.get("frequencyMin") else None,
                freq_max=float(one("frequencyMax")) if d.get("frequencyMax") else None,
                frequency_category=one("frequencyCategory"), qualifier=one("qualifier"),
                not_seen_in=sorted(set(d["notSeenIn"])), notes=sorted(set(d["editorialNote"])))
            self.evidence.append(ev)
            for x in ev.disorders:
                self.by_disorder[x].append(ev)

    def _index_evidence(self) -> None:
        """Evidence by finding, and each class's findings with evidence, from the ancestor index.

        Why: ddx used to test every evidence record against every asked finding (60,000 records at the
        Gamuts scale, ~80 ms a query); with these a query touches only the records of its own gamut.
        """
        for i, ev in enumerate(self.evidence):
            self._by_finding[ev.finding].append(i)
        for f in self._by_finding:
            for a in self.ancestors.get(f, {f}):  # exactly is_a(f, a)
                self.findings_below[a].append(f)
        self.n_causes = len({d for ev in self.evidence for d in ev.disorders})

    def evidence_below(self, iri: str) -> tuple[int, ...]:
        """Positions in self.evidence, ascending, of the records whose finding is iri or a subclass."""
        hit = self._below.get(iri)
        if hit is None:
            by = self._by_finding
            hit = self._below[iri] = tuple(sorted(i for f in self.findings_below.get(iri, ()) for i in by[f]))
        return hit

    def cause_count(self, iri: str) -> int:
        """Disorders that may cause iri or one of its subclasses (n_q of the information content)."""
        hit = self._causes_below.get(iri)
        if hit is None:
            ev = self.evidence
            hit = self._causes_below[iri] = len({d for i in self.evidence_below(iri) for d in ev[i].disorders})
        return hit

    def _load_facts(self) -> None:
        for d, p, o in self._rows("""SELECT ?d ?p ?o WHERE {
                VALUES ?p { calc:hasMechanism calc:mayMimic calc:predisposingCondition calc:associatedWith
                  calc:inheritance calc:accumulatedSubstance calc:affectsOrgan calc:rarity calc:hereditary
                  calc:variantOf }
                ?d ?p ?o . ?d a owl:Class } ORDER BY ?d ?p ?o"""):
            self.facts[d][p.rsplit("/", 1)[-1]].append(o)

    # ------------------------------------------------------------------ lookup
    def resolve(self, text: str, kind: str) -> str:
        """The IRI of the term of this kind named by text; UnknownTermError with suggestions if none."""
        iri = self.index.find(text, [kind])
        raw = str(text).strip()
        full = CALC + raw[5:] if raw.startswith("calc:") else raw
        if iri is None and full in self.terms and self.terms[full].kind == kind:
            iri = full
        if iri is None:
            other = next((k for k in ("finding", "site", "disorder", "mechanism", "value")
                          if k != kind and self.index.find(text, [k])), None)
            raise UnknownTermError(kind, str(text), self.index.suggest(text, [kind]), actual=other)
        return iri

    def label(self, iri: str) -> str:
        t = self.terms.get(iri)
        if t is not None:
            return t.label
        fig = self.figures.get(iri)
        if fig:
            return f"Fig. {fig['number']}"
        return self.source_labels.get(iri) or iri.rsplit("/", 1)[-1]

    def is_a(self, c: str, ancestor: str) -> bool:
        return ancestor in self.ancestors.get(c, {c})

    def site_within(self, s: str, target: str) -> bool:
        """s is target, a subtype of it, or (transitively) part of it or of one of its subtypes' wholes.

        Memoised: a ddx asks it for every site of every record of its gamut, and sites repeat."""
        hit = self._within.get((s, target))
        if hit is None:
            if len(self._within) > 1_000_000:  # a long-running server: bound the memo
                self._within.clear()
            hit = self._within[(s, target)] = self._site_within(s, target)
        return hit

    def _site_within(self, s: str, target: str) -> bool:
        seen: set[str] = set()
        stack = [s]
        while stack:
            x = stack.pop()
            if x in seen:
                continue
            seen.add(x)
            if x == target:
                return True
            for a in self.ancestors.get(x, ()):
                if a == target:
                    return True
                stack.extend(self.part_of.get(a, ()))
            stack.extend(self.part_of.get(x, ()))
        return False

    # ------------------------------------------------------------------ the differential
    def ddx(self, findings: list[str] | str, sites: list[str] | None = None, *, limit: int | None = None,
            strict_sites: bool = False) -> Any:
        from .ddx import differential

        if isinstance(findings, str):
            findings = [findings]
        return differential(self, findings, sites or [], limit=limit, strict_sites=strict_sites)

    def query(self, name: str, params: dict[str, str] | None = None, *, endpoint: str | None = None) -> Any:
        """Run a named query (queries/NAME.rq) or any .rq file, here or on a SPARQL endpoint.

        Term parameters are looked up forgivingly in this graph (UnknownTermError if none matches);
        values are bound, never pasted into the query text. Returns a queries.QueryResult.
        """
        from . import queries

        q = queries.find(name)
        bindings = queries.bind(self, q, dict(params or {}))
        if endpoint:
            return queries.run_endpoint(endpoint, q.text, bindings)
        return queries.run_embedded(self.store, q.text, bindings)

    def show(self, text: str) -> dict[str, Any]:
        from .ddx import describe

        return describe(self, text)
