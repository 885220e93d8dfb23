"""The HTML page of one term (what `calckg show` says, with links), and of any other CalcKG resource."""

from __future__ import annotations

import re
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS

from . import CALC, e, link, page

LOCAL = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
KIND_NAMES = {"disorder": "Disorder", "finding": "Imaging finding", "site": "Anatomical site",
              "mechanism": "Mechanism", "core": "Core class", "value": "Value", "other": "Class"}


def label_index(kg: Any) -> dict[str, str]:
    """Label → IRI for terms and figures, to link the labels `show` and `ddx` return."""
    out = {t.label: iri for iri, t in kg.terms.items()}
    for iri in getattr(kg, "figures", {}):
        out.setdefault(kg.label(iri), iri)
    return out


def linked(labels: list[str], index: dict[str, str]) -> str:
    return ", ".join(link(index[x], x) if x in index else e(x) for x in labels)


def describe_term(kg: Any, iri: str) -> dict[str, Any] | None:
    """kg.show for exactly this IRI (looked up by label, then by local name), or None."""
    t = kg.terms.get(iri)
    if t is None:
        return None
    for name in (t.label, t.id):
        try:
            d = kg.show(name)
        except LookupError:
            continue
        if d.get("iri") == iri:
            return d
    return None


def evidence_html(evs: list[dict[str, Any]], index: dict[str, str]) -> str:
    items = []
    for ev in evs:
        sites = ev.get("sites") or []
        site_iris = ev.get("site_iris") or []
        where = ""
        if sites:
            where = " at " + ", ".join(link(i, s) for s, i in zip(sites, site_iris, strict=False))
        who = linked(ev["disorders"], index) + " → " if ev.get("disorders") else ""
        finding = link(ev["finding_iri"], ev["finding"]) if ev.get("finding_iri") else e(ev.get("finding"))
        remark = f'<blockquote>{e(ev["remark"])}</blockquote>' if ev.get("remark") else ""
        figs = ""
        captions = ev.get("figure_captions") or {}
        if ev.get("figures"):
            figs = "<ul class=\"figures\">" + "".join(
                f"<li>{linked([f], index)}: {e(captions.get(f, ''))}</li>" for f in ev["figures"]) + "</ul>"
        freq = ev.get("frequency")
        freq_txt = f' <span class="freq">{freq["min"]:.0%}–{freq["max"]:.0%} of patients</span>' if freq else ""
        src = link(ev["iri"], ev.get("source") or ev["iri"]) if ev.get("iri") else e(ev.get("source"))
        items.append(f'<li><p><span class="source">{src}</span>: {who}{finding}{where}{freq_txt}</p>'
                     f"{remark}{figs}</li>")
    return "<ol class=\"evidence\">" + "".join(items) + "</ol>"


def term_page(kg: Any, d: dict[str, Any], fmt_links: dict[str, str]) -> str:
    index = label_index(kg)
    rows = [f'<p class="iri"><code>{e(d["iri"])}</code> · {e(KIND_NAMES.get(d.get("kind", ""), d.get("kind")))}</p>']
    if d.get("definition"):
        rows.append(f'<p class="definition">{e(d["definition"])}</p>')
    dl = []
    for key, title in (("synonyms", "Synonyms"), ("parents", "Parents"), ("children", "Children"),
                       ("part_of", "Part of"), ("gamuts", "Differential lists")):
        vals = d.get(key) or []
        if vals:
            if key == "gamuts":  # gamuts are shown by their local names
                index = {**{v: CALC + v for v in vals if LOCAL.match(v)}, **index}
            body = ", ".join(e(v) for v in vals) if key == "synonyms" else linked(vals, index)
            dl.append(f"<dt>{title}</dt><dd class=\"{key}\">{body}</dd>")
    for k, v in (d.get("facts") or {}).items():
        body = linked([str(x) for x in v], index) if isinstance(v, list) else e("yes" if v is True else v)
        dl.append(f"<dt>{e(k.replace('_', ' ').capitalize())}</dt><dd>{body}</dd>")
    if dl:
        rows.append("<dl>" + "".join(dl) + "</dl>")
    if d.get("evidence"):
        rows.append(f"<h2>Differential entries ({len(d['evidence'])})</h2>"
                    + evidence_html(d["evidence"], index))
    xrefs = d.get("cross_references") or []
    if xrefs:
        rows.append("<h2>Cross-references</h2><ul class=\"xrefs\">" + "".join(
            f"<li>{e(x['match'])}: {link(x['iri'])}</li>" for x in xrefs) + "</ul>")
    if d.get("db_xrefs"):
        rows.append("<p>Database identifiers: " + ", ".join(f"<code>{e(x)}</code>" for x in d["db_xrefs"]) + "</p>")
    for n in d.get("editorial_notes") or []:
        rows.append(f'<p class="note">Note: {e(n)}</p>')
    if d.get("kind") == "finding":
        rows.append(f'<p><a href="/ddx?finding={e(d["label"])}">Differential for {e(d["label"])}</a></p>')
    rows.append(_formats(fmt_links))
    return page(d["label"], f"<h1>{e(d['label'])}</h1>" + "\n".join(rows), alternates=_alternates(fmt_links))


def _alternates(fmt_links: dict[str, str]) -> dict[str, str]:
    return {"text/turtle": fmt_links["Turtle"], "application/ld+json": fmt_links["JSON-LD"]}


def _formats(fmt_links: dict[str, str]) -> str:
    return "<p class=\"formats\">Also as " + ", ".join(
        f'<a href="{e(h)}">{e(n)}</a>' for n, h in fmt_links.items()) + "</p>"


def _node(g: Graph, n: Any) -> str:
    if isinstance(n, URIRef):
        lab = g.value(n, RDFS.label)
        return link(str(n), str(lab) if lab else None)
    if isinstance(n, Literal):
        lang = f' <span class="lang">@{e(n.language)}</span>' if n.language else ""
        return f"{e(n)}{lang}"
    if isinstance(n, BNode):
        inner = "".join(f"<li>{_node(g, p)} {_node(g, o)}</li>" for p, o in sorted(g.predicate_objects(n)))
        return f"<ul class=\"bnode\">{inner}</ul>"
    return e(n)


def resource_page(g: Graph, iri: str, fmt_links: dict[str, str]) -> str:
    """Any CalcKG resource (a table row, figure, property …): its statements and what refers to it."""
    node = URIRef(iri)
    title = str(g.value(node, RDFS.label) or iri.rsplit("/", 1)[-1])
    rows = [f'<p class="iri"><code>{e(iri)}</code></p>', "<dl>"]
    for p, o in sorted(g.predicate_objects(node), key=lambda x: (str(x[0]), str(x[1]))):
        rows.append(f"<dt>{_node(g, p)}</dt><dd>{_node(g, o)}</dd>")
    rows.append("</dl>")
    refs = sorted({(s, p) for s, p in g.subject_predicates(node) if isinstance(s, URIRef)}, key=str)[:100]
    if refs:
        rows.append("<h2>Referred to by</h2><ul>" + "".join(
            f"<li>{_node(g, s)} ({_node(g, p)})</li>" for s, p in refs) + "</ul>")
    rows.append(_formats(fmt_links))
    return page(title, f"<h1>{e(title)}</h1>" + "\n".join(rows), alternates=_alternates(fmt_links))


def terms_index_page(kg: Any) -> str:
    groups: dict[str, list[tuple[str, str]]] = {}
    for iri, t in kg.terms.items():
        groups.setdefault(t.kind, []).append((t.label, iri))
    parts = ["<h1>Terms</h1>"]
    for kind in ("disorder", "finding", "site", "mechanism", "core", "value", "other"):
        if kind in groups:
            items = "".join(f"<li>{link(i, lab)}</li>" for lab, i in sorted(groups[kind], key=lambda x: x[0].lower()))
            parts.append(f"<section><h2>{e(KIND_NAMES[kind])}s ({len(groups[kind])})</h2>"
                         f"<ul class=\"columns\">{items}</ul></section>")
    return page("Terms", "\n".join(parts))
