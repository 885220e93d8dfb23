"""HTML for `calckg serve`: one page layout, escaping, and links from IRIs to local pages.

Pages are rendered on the server and work without JavaScript; the only script adds fields to the
differential form. Assets are served from the package (static/), never from a CDN.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

STATIC = Path(__file__).with_name("static")
CALC = "https://w3id.org/calckg/"


def e(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def local_href(iri: str) -> str:
    """The path that serves a CalcKG IRI on this server; external IRIs are returned as they are."""
    if iri.startswith(CALC):
        return "/" + iri[len(CALC):]
    if iri == CALC.rstrip("/"):
        return "/"
    return iri


def link(iri: str, text: str | None = None) -> str:
    ext = "" if iri.startswith(CALC) or iri == CALC.rstrip("/") else ' rel="external"'
    return f'<a href="{e(local_href(iri))}"{ext}>{e(text or iri)}</a>'


def page(title: str, body: str, *, alternates: dict[str, str] | None = None, script: str = "") -> str:
    """A complete, accessible, phone-friendly HTML document."""
    alt = "".join(f'<link rel="alternate" type="{e(t)}" href="{e(h)}">' for t, h in (alternates or {}).items())
    js = f'<script src="/static/{e(script)}" defer></script>' if script else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · CalcKG</title>
<link rel="stylesheet" href="/static/style.css">{alt}{js}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><nav aria-label="CalcKG">
<a href="/" class="brand">CalcKG</a>
<a href="/ddx">Differential</a>
<a href="/terms">Terms</a>
<a href="/sparql">SPARQL</a>
</nav></header>
<main id="main">
{body}
</main>
<footer class="site"><p>CalcKG: radiological differential diagnosis of joint and soft-tissue calcification.
Knowledge graph CC-BY-4.0.</p></footer>
</body>
</html>
"""
