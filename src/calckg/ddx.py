"""The differential: rank disorders for findings at sites, explain each, and say what would narrow it.

Scoring, per query finding q that a disorder D explains (summed over q):

    information content  IC(q) = ln((N + 1) / n_q)   n_q: disorders that may cause q, N: all causes
    × site factor        1.0 the source puts the finding at a given site (through partOf and is-a),
                         0.6 the source gives no site for it (dropped with strict_sites)
    × frequency factor   0.5 + p/2 for a stated share p of patients (20–60% → 0.7); 0.5 'rare';
                         0.75 when the source states none

Disorders explaining more of the findings rank first (as in the Phenomizer), then by score, then in
the source's own order (its tables list the commoner causes first). Every part of the score is
returned, with the rows and captions that support it. A finding or site typed twice counts once.

To narrow: among the leaders (the candidates explaining the most findings, if two or more do; else
the first six), the other findings the source gives for some and not the others, then the other
sites where it puts the asked finding for some only; suggestions pointing to the same candidates
are merged. Each is ranked by how evenly it splits the leaders and how high the ones it points to rank.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kg import Evidence, KnowledgeGraph

SITE_UNSTATED = 0.6
FREQ_UNKNOWN = 0.75
FREQ_CATEGORY = {"rare": 0.5, "sometimes": 0.6, "usual": 1.0, "most common": 1.0}


@dataclass
class Query:
    text: str
    iri: str
    label: str
    base: str
    implied_site: str | None


@dataclass
class Candidate:
    iri: str
    label: str
    synonyms: list[str]
    score: float = 0.0
    matched: list[str] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    xrefs: list[str] = field(default_factory=list)
    source_order: tuple[int, str, int] = (9, "", 0)


@dataclass
class DdxResult:
    findings: list[dict[str, str]]
    sites: list[dict[str, str]]
    results: list[Candidate]
    narrowing: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        out = []
        for rank, c in enumerate(self.results, 1):
            d = asdict(c)
            d["rank"] = rank
            d["id"] = c.iri.rsplit("/", 1)[-1]
            d["score"] = round(c.score, 4)
            d["explanation"] = {
                "matched_findings": c.matched,
                "findings_explained": f"{len(c.matched)} of {len(self.findings)}",
                "parts": d.pop("parts"),
                "summary": _summary(c, len(self.findings)),
            }
            d.pop("matched")
            d.pop("source_order")
            out.append(d)
        return {"query": {"findings": self.findings, "sites": self.sites}, "count": len(out),
                "results": out, "narrowing": self.narrowing}


def _summary(c: Candidate, n: int) -> str:
    bits = [f"explains {len(c.matched)} of {n} finding(s)"]
    for p in c.parts:
        bits.append(f"{p['finding']}: IC {p['ic']:.2f} × site {p['site_factor']:.2f} × frequency "
                    f"{p['frequency_factor']:.2f} = {p['contribution']:.2f} ({p['site_match']})")
    return "; ".join(bits)


def _order(ev: Evidence) -> tuple[int, str, int]:
    """Where the evidence stands in the source: table rows first, by table and row."""
    if ev.kind == "entry" and ev.gamut:
        return (0, ev.gamut, int(ev.citation.rsplit(" ", 1)[-1]))
    return (1, ev.citation, ev.source_line)


def _query(kg: KnowledgeGraph, text: str) -> Query:
    iri = kg.resolve(text, "finding")
    base, site = kg.defined_site.get(iri, (iri, None))
    return Query(text, iri, kg.label(iri), base, site)


def finding_matches(kg: KnowledgeGraph, ev: Evidence, q: Query) -> bool:
    if kg.is_a(ev.finding, q.iri):
        return True
    if q.implied_site and kg.is_a(ev.finding, q.base):
        return any(kg.site_within(s, q.implied_site) for s in ev.sites)
    return False


def site_match(kg: KnowledgeGraph, ev: Evidence, sites: list[str]) -> tuple[float, str, list[str]] | None:
    """(factor, description, matching sites) or None where the evidence puts the finding elsewhere."""
    if not sites:
        return 1.0, "no site asked", []
    if not ev.sites:
        return SITE_UNSTATED, "site not stated in source", []
    hit = [s for s in ev.sites if any(kg.site_within(s, q) or kg.is_a(q, s) for q in sites)]
    if not hit:
        return None
    return 1.0, "at " + ", ".join(kg.label(s) for s in hit), hit


def frequency_factor(ev: Evidence) -> tuple[float, str]:
    if ev.freq_min is not None and ev.freq_max is not None:
        p = (ev.freq_min + ev.freq_max) / 2
        return 0.5 + p / 2, f"{ev.freq_min:.0%}–{ev.freq_max:.0%} of patients"
    cat = ev.frequency_category.lower()
    for key, f in FREQ_CATEGORY.items():
        if key in cat:
            return f, cat
    return FREQ_UNKNOWN, "frequency not stated"


def evidence_dict(kg: KnowledgeGraph, ev: Evidence) -> dict[str, Any]:
    table = kg.terms.get(ev.gamut)
    return {
        "iri": ev.iri,
        "kind": "table row" if ev.kind == "entry" else "statement",
        "finding": kg.label(ev.finding),
        "finding_iri": ev.finding,
        "sites": [kg.label(s) for s in ev.sites],
        "site_iris": ev.sites,
        "remark": ev.remark,
        "source": ev.citation,
        "source_line": ev.source_line,
        "gamut": table.label if table else (kg.label(ev.gamut) if ev.gamut else ""),
        "figures": [kg.label(f) for f in ev.figures],
        "figure_captions": {kg.label(f): kg.figures.get(f, {}).get("caption", "") for f in ev.figures},
        "frequency": ({"min": ev.freq_min, "max": ev.freq_max} if ev.freq_min is not None else None),
        "frequency_category": ev.frequency_category or None,
        "qualifier": ev.qualifier or None,
        "not_seen_in": [kg.label(x) for x in ev.not_seen_in],
        "editorial_notes": ev.notes,
    }


FACT_KEYS = {"hasMechanism": "mechanisms", "mayMimic": "may_mimic", "predisposingCondition": "predisposing_conditions",
             "associatedWith": "associated_with", "inheritance": "inheritance",
             "accumulatedSubstance": "accumulated_substances", "affectsOrgan": "affects_organs",
             "rarity": "rarity", "hereditary": "hereditary", "variantOf": "variant_of"}


def disorder_facts(kg: KnowledgeGraph, iri: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # facts hold on a class and on its subclasses (a mechanism of the group is one of its members)
    for anc in sorted(kg.ancestors.get(iri, {iri})):
        for key, vals in kg.facts.get(anc, {}).items():
            name = FACT_KEYS.get(key, key)
            if anc != iri and name not in ("mechanisms",):
                continue
            for v in vals:
                val: Any = (v == "true") if name == "hereditary" else kg.label(v) if v.startswith("http") else v
                if name == "hereditary":
                    out[name] = val
                    continue
                out.setdefault(name, [])
                if val not in out[name]:
                    out[name].append(val)
    return out


def scan_matching(kg: KnowledgeGraph, q: Query) -> list[Evidence]:
    """The definition of a finding's gamut: every record whose finding answers q, in the graph's order.

    Kept as the reference that tests/test_ddx.py checks the index (indexed_matching) against.
    """
    return [ev for ev in kg.evidence if finding_matches(kg, ev, q)]


def indexed_matching(kg: KnowledgeGraph, q: Query) -> list[Evidence]:
    """scan_matching through the finding index: cost proportional to the gamut, not to the graph."""
    pos = kg.evidence_below(q.iri)
    if q.implied_site:  # a finding defined by its site: the base finding's records at that site count too
        site = q.implied_site
        extra = [i for i in kg.evidence_below(q.base) if any(kg.site_within(s, site) for s in kg.evidence[i].sites)]
        if extra:
            pos = tuple(sorted(set(pos).union(extra)))
    return [kg.evidence[i] for i in pos]


def differential(kg: KnowledgeGraph, findings: list[str], sites: list[str], *, limit: int | None = None,
                 strict_sites: bool = False, match: Any = indexed_matching) -> DdxResult:
    """Rank the causes of the findings. `match` selects a finding's records (scan_matching in tests)."""
    if not findings:
        raise ValueError("give at least one finding")
    queries: list[Query] = []
    for f in findings:  # the same finding typed twice (or by two synonyms) counts once
        q = _query(kg, f)
        if all(q.iri != other.iri for other in queries):
            queries.append(q)
    site_iris: list[str] = []
    site_texts: list[str] = []
    for s in sites:
        iri = kg.resolve(s, "site")
        if iri not in site_iris:
            site_iris.append(iri)
            site_texts.append(s)
    n_all = max(kg.n_causes, 1)
    cands: dict[str, Candidate] = {}
    support_of: dict[str, dict[str, Evidence]] = {}  # candidate -> its records, first seen first
    for q in queries:
        matching = match(kg, q)
        if q.implied_site or match is not indexed_matching:
            n_q = len({d for ev in matching for d in ev.disorders}) or 1
        else:
            n_q = kg.cause_count(q.iri) or 1
        ic = math.log((n_all + 1) / n_q)
        best: dict[str, tuple[float, dict[str, Any]]] = {}
        support: dict[str, list[Evidence]] = {}
        for ev in matching:
            sm = site_match(kg, ev, site_iris)
            if sm is None or (strict_sites and sm[0] < 1.0):
                continue
            ff, ftxt = frequency_factor(ev)
            contribution = ic * sm[0] * ff
            for d in ev.disorders:
                support.setdefault(d, []).append(ev)
                if d not in best or contribution > best[d][0]:
                    best[d] = (contribution, {
                        "finding": q.label, "finding_iri": q.iri, "ic": round(ic, 4), "causes_of_finding": n_q,
                        "site_factor": sm[0], "site_match": sm[1], "frequency_factor": ff, "frequency": ftxt,
                        "contribution": round(contribution, 4), "best_evidence": ev.citation})
        for d, (contribution, part) in best.items():
            t = kg.terms[d]
            c = cands.setdefault(d, Candidate(d, t.label, list(t.synonyms), xrefs=list(t.xrefs)))
            c.score += contribution
            c.matched.append(q.label)
            c.parts.append(part)
            mine = support_of.setdefault(d, {})
            for ev in support[d]:
                c.source_order = min(c.source_order, _order(ev))
                mine.setdefault(ev.iri, ev)
    # ties keep the source's own order: the tables list the commoner causes first
    ranked = sorted(cands.values(),
                    key=lambda c: (-len(c.matched), -round(c.score, 9), c.source_order, c.label.lower()))
    # explanations only for what is shown and for the leaders narrowing looks at (the first six)
    shown = ranked[:limit] if limit else ranked
    for c in ranked[:max(len(shown), 6)]:
        c.evidence = sorted((evidence_dict(kg, ev) for ev in support_of[c.iri].values()),
                            key=lambda e: (e["kind"] != "table row", e["source"]))
    for c in shown:
        c.facts = disorder_facts(kg, c.iri)
        c.groups = sorted({kg.label(g) for g in kg.ancestors.get(c.iri, ()) if g != c.iri
                           and kg.terms.get(g) is not None and kg.terms[g].kind == "disorder"})
    narrowing = narrowing_findings(kg, ranked, queries, sites=site_iris)
    return DdxResult(
        findings=[{"text": q.text, "iri": q.iri, "label": q.label} for q in queries],
        sites=[{"text": s, "iri": i, "label": kg.label(i)} for s, i in zip(site_texts, site_iris, strict=True)],
        results=shown, narrowing=narrowing)


def _split_score(lead: list[Candidate], ds: set[str]) -> float:
    """How well 'present in ds' separates the leaders: an even split, and pointing at the top ones."""
    split = min(len(ds), len(lead) - len(ds)) / len(lead)
    # a finding that points to one candidate among the leaders is the most useful to look for
    rank_bonus = sum(1.0 / (1 + i) for i, c in enumerate(lead) if c.iri in ds)
    return split + 0.25 * rank_bonus


def _grouped(scored: list[tuple[float, str, str, set[str]]]) -> list[tuple[list[str], list[str], set[str]]]:
    """Merge items that point to the same candidates: (labels, IRIs, candidates), best first."""
    groups: dict[frozenset[str], tuple[list[str], list[str], set[str]]] = {}
    for _, label, iri, ds in sorted(scored):
        g = groups.setdefault(frozenset(ds), ([], [], ds))
        g[0].append(label)
        g[1].append(iri)
    return list(groups.values())


def _or(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def narrowing_findings(kg: KnowledgeGraph, ranked: list[Candidate], queries: list[Query],
                       top: int = 6, n: int = 5, sites: list[str] | None = None,
                       n_sites: int = 3) -> list[dict[str, Any]]:
    """What separates the leading candidates: other findings the source gives for some of them and not
    the others, then other sites where the source puts the asked finding for some of them only.
    Findings (or sites) pointing to the same candidates are merged into one suggestion. The leaders are
    the candidates explaining the most findings when two or more do, else the first `top`."""
    best = len(ranked[0].matched) if ranked else 0
    tier = [c for c in ranked if len(c.matched) == best]
    lead = tier[:top] if len(tier) >= 2 else ranked[:top]
    if len(lead) < 2:
        return []
    asked = {q.iri for q in queries}
    has: dict[str, set[str]] = {}
    for c in lead:
        for ev in kg.by_disorder.get(c.iri, []):
            if ev.finding in asked or any(kg.is_a(ev.finding, a) for a in asked):
                continue
            has.setdefault(ev.finding, set()).add(c.iri)
    scored = [(-_split_score(lead, ds), kg.label(f), f, ds) for f, ds in has.items() if 0 < len(ds) < len(lead)]
    out = []
    for labels, iris, ds in _grouped(scored)[:n]:
        present = [c.label for c in lead if c.iri in ds]
        out.append({"kind": "finding", "finding": _or(labels), "finding_iri": iris[0], "finding_iris": iris,
                    "site": None, "site_iri": None, "suggests": present,
                    "against": [c.label for c in lead if c.iri not in ds],
                    "text": f"look for {_or(labels)} → {', '.join(present)}"})
    asked_sites = sites or []
    at: dict[str, set[str]] = {}
    seen_as: dict[str, set[str]] = {}  # site -> the findings the source puts there for these leaders
    for c in lead:
        for e in c.evidence:
            for s in e["site_iris"]:
                if not any(kg.site_within(s, a) or kg.site_within(a, s) for a in asked_sites):
                    at.setdefault(s, set()).add(c.iri)
                    seen_as.setdefault(s, set()).add(e["finding_iri"])
    site_scored = [(-_split_score(lead, ds), kg.label(s), s, ds)
                   for s, ds in at.items() if 0 < len(ds) < len(lead)]
    for labels, iris, ds in _grouped(site_scored)[:n_sites]:
        present = [c.label for c in lead if c.iri in ds]
        found = sorted({f for s in iris for f in seen_as[s]}, key=kg.label)
        what = _or([kg.label(f) for f in found])
        out.append({"kind": "site", "finding": what, "finding_iri": found[0], "finding_iris": found,
                    "site": _or(labels), "site_iri": iris[0], "site_iris": iris, "suggests": present,
                    "against": [c.label for c in lead if c.iri not in ds],
                    "text": f"look for {what} at the {_or(labels)} → {', '.join(present)}"})
    return out


def describe(kg: KnowledgeGraph, text: str) -> dict[str, Any]:
    """Everything known about one term: for `calckg show`."""
    iri = None
    for kind in ("disorder", "finding", "site", "mechanism", "core", "value", "other"):
        iri = kg.index.find(text, [kind])
        if iri:
            break
    if iri is None:
        from .kg import UnknownTermError

        raise UnknownTermError("term", text, kg.index.suggest(text, ["disorder", "finding", "site", "mechanism"]))
    t = kg.terms[iri]
    children = sorted(kg.label(c) for c, anc in kg.ancestors.items()
                      if c != iri and c in kg.terms and iri in anc and iri in kg.terms[c].parents)
    if t.kind == "site":  # everything known at a site includes what is known at its parts
        evs = [ev for ev in kg.evidence if any(kg.site_within(s, iri) for s in ev.sites)]
    else:
        evs = [ev for ev in kg.evidence if iri in ev.disorders or ev.finding == iri or iri in ev.sites]
    figs = sorted({f for ev in evs for f in ev.figures} | kg.depicts.get(iri, set()),
                  key=lambda f: kg.figures[f]["number"])
    xrefs = kg.select(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?t ?p ?x WHERE { ?t ?p ?x . "
        "FILTER(?p IN (skos:exactMatch, skos:closeMatch, skos:narrowMatch, skos:broadMatch)) } ORDER BY ?p ?x",
        t=__import__("pyoxigraph").NamedNode(iri))
    return {
        "iri": iri, "id": t.id, "label": t.label, "kind": t.kind, "definition": t.definition,
        "synonyms": t.synonyms, "parents": [kg.label(p) for p in t.parents], "children": children,
        "part_of": sorted(kg.label(p) for p in kg.part_of.get(iri, ())),
        "has_parts": sorted(kg.label(s) for s, wholes in kg.part_of.items() if iri in wholes),
        "cross_references": [{"match": r["p"].rsplit("#", 1)[-1], "iri": r["x"]} for r in xrefs],
        "db_xrefs": t.xrefs, "editorial_notes": t.notes,
        "facts": disorder_facts(kg, iri) if t.kind == "disorder" else {},
        "gamuts": sorted({kg.label(ev.gamut) for ev in evs if ev.gamut}),
        "evidence": [evidence_dict(kg, ev) | {"disorders": [kg.label(d) for d in ev.disorders]}
                     for ev in sorted(evs, key=_order)],
        "figures": [kg.label(f) for f in figs],
        "figure_details": [{"iri": f, "label": kg.label(f), **kg.figures[f]} for f in figs],
        "mimicked_by": sorted(kg.label(d) for d, fs in kg.facts.items() if iri in fs.get("mayMimic", [])),
    }
