"""The differential page: a form (findings, sites) and the ranked result of the `calckg ddx` engine."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ..lookup import normalize
from . import e, link, page
from .term import evidence_html, label_index

FINDING_FIELDS = 3
SITE_FIELDS = 2


def names(kg: Any, kind: str) -> list[dict[str, str]]:
    """Every label and synonym of the terms of a kind, labels first, for completion."""
    out: list[dict[str, str]] = []
    terms = sorted((t for t in kg.terms.values() if t.kind == kind), key=lambda t: t.label.lower())
    for t in terms:
        out.append({"name": t.label, "label": t.label, "iri": t.iri})
    for t in terms:
        for s in t.synonyms:
            out.append({"name": s, "label": t.label, "iri": t.iri})
    return out


def completions(kg: Any, kind: str, q: str, limit: int = 20) -> list[dict[str, str]]:
    """Names containing the typed text (normalised: case, spelling, plurals), prefix matches first."""
    key = normalize(q)
    pool = names(kg, kind)
    if not key:
        return pool[:limit]
    hits = [(not normalize(n["name"]).startswith(key), i, n) for i, n in enumerate(pool)
            if key in normalize(n["name"])]
    return [n for *_, n in sorted(hits, key=lambda x: (x[0], x[1]))][:limit]


def _datalist(kg: Any, kind: str) -> str:
    opts = "".join(f'<option value="{e(n["name"])}">{e(n["label"]) if n["name"] != n["label"] else ""}</option>'
                   for n in names(kg, kind))
    return f'<datalist id="{kind}-names">{opts}</datalist>'


def _inputs(kind: str, values: list[str], n: int, title: str) -> str:
    vals = values + [""] * max(0, n - len(values))
    fields = "".join(
        f'<div class="field"><label for="{kind}-{i}">{title} {i + 1}</label>'
        f'<input id="{kind}-{i}" name="{kind}" type="text" list="{kind}-names" value="{e(v)}" '
        f'autocomplete="off" autocapitalize="none" spellcheck="false"></div>'
        for i, v in enumerate(vals))
    return (f'<div class="fields" data-kind="{kind}" data-title="{title}">{fields}</div>'
            f'<button type="button" class="add" data-add="{kind}" hidden>Add a {title.lower()}</button>')


def form(kg: Any, findings: list[str], sites: list[str], strict: bool = False) -> str:
    return f"""<form method="get" action="/ddx" class="ddx" role="search" aria-label="Differential diagnosis">
<fieldset><legend>Findings</legend>{_inputs("finding", findings, FINDING_FIELDS, "Finding")}</fieldset>
<fieldset><legend>Sites <span class="hint">(optional)</span></legend>{_inputs("site", sites, SITE_FIELDS, "Site")}
</fieldset>
<label class="check"><input type="checkbox" name="strict" value="1"{" checked" if strict else ""}> Only rows that
state a site</label>
<button type="submit" class="primary">Show the differential</button>
{_datalist(kg, "finding")}{_datalist(kg, "site")}
</form>"""


def _suggest_links(exc: Any, findings: list[str], sites: list[str], strict: bool) -> str:
    links = []
    for s in getattr(exc, "suggestions", []) or []:
        f = [s if x == exc.text and exc.kind == "finding" else x for x in findings]
        st = [s if x == exc.text and exc.kind == "site" else x for x in sites]
        q = urlencode([("finding", x) for x in f] + [("site", x) for x in st] + ([("strict", "1")] if strict else []))
        links.append(f'<a href="/ddx?{e(q)}">{e(s)}</a>')
    return ("<p>Did you mean: " + ", ".join(links) + "?</p>") if links else ""


def results_html(kg: Any, d: dict[str, Any]) -> str:
    index = label_index(kg)
    q = d["query"]
    asked = ", ".join(link(f["iri"], f["label"]) for f in q["findings"])
    at = (" at " + ", ".join(link(s["iri"], s["label"]) for s in q["sites"])) if q.get("sites") else ""
    items = []
    for r in d["results"]:
        ex = r.get("explanation") or {}
        syn = f'<p class="aka">also: {e(", ".join(r["synonyms"][:5]))}</p>' if r.get("synonyms") else ""
        facts = "".join(
            f"<li>{e(k.replace('_', ' '))}: {linked_value(v, index)}</li>" for k, v in (r.get("facts") or {}).items())
        items.append(
            f'<li class="result"><h3>{link(r["iri"], r["label"])}</h3>'
            f'<p class="score">score <data value="{r["score"]}">{r["score"]:.2f}</data> · explains '
            f'{e(ex.get("findings_explained", ""))}</p>{syn}'
            f'<details><summary>Why</summary><p>{e(ex.get("summary", ""))}</p>'
            + (f"<ul>{facts}</ul>" if facts else "") + "</details>"
            + evidence_html(r.get("evidence") or [], index) + "</li>")
    narrowing = ""
    if d.get("narrowing"):
        narrowing = ('<section aria-labelledby="narrow-h" id="narrowing"><h2 id="narrow-h">To narrow it down</h2><ul>'
                     + "".join(f'<li>look for {link(n["finding_iri"], n["finding"])} → '
                               f'{e(", ".join(n.get("suggests") or []))}</li>' for n in d["narrowing"])
                     + "</ul></section>")
    return (f'<section aria-labelledby="res-h" aria-live="polite"><h2 id="res-h">{d["count"]} candidate(s) for '
            f"{asked}{at}</h2>"
            + (f'<ol id="results" class="results">{"".join(items)}</ol>' if items
               else "<p>No disorder in CalcKG causes this combination.</p>")
            + "</section>" + narrowing)


def linked_value(v: Any, index: dict[str, str]) -> str:
    if isinstance(v, list):
        return ", ".join(link(index[str(x)], str(x)) if str(x) in index else e(x) for x in v)
    return e("yes" if v is True else "no" if v is False else v)


def ddx_page(kg: Any, findings: list[str], sites: list[str], strict: bool) -> str:
    from ..kg import UnknownTermError

    findings = [f.strip() for f in findings if f.strip()]
    sites = [s.strip() for s in sites if s.strip()]
    out = ["<h1>Differential diagnosis</h1>",
           "<p>Type one or more imaging findings (labels or synonyms), optionally the sites, and see the ranked "
           "causes with the table rows and figures behind them.</p>", form(kg, findings, sites, strict)]
    if findings:
        try:
            d = kg.ddx(findings, sites, strict_sites=strict).to_dict()
            out.append(results_html(kg, d))
        except UnknownTermError as exc:
            out.append(f'<div role="alert" class="error"><p>{e(exc)}</p>'
                       f"{_suggest_links(exc, findings, sites, strict)}</div>")
    title = "Differential" + (f": {', '.join(findings)}" if findings else "")
    return page(title, "\n".join(out), script="ddx.js")
