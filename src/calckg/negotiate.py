"""HTTP content negotiation: pick the best of the types a resource offers for an Accept header."""

from __future__ import annotations

# ?format= values people type, for clients that cannot set headers (browsers, plain links)
FORMAT_ALIASES = {
    "html": "text/html", "ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
    "json-ld": "application/ld+json", "nt": "application/n-triples", "ntriples": "application/n-triples",
    "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml", "xml": "application/sparql-results+xml",
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "srx": "application/sparql-results+xml", "csv": "text/csv", "tsv": "text/tab-separated-values",
}
# synonyms clients send for the types offered here
SYNONYMS = {"application/x-turtle": "text/turtle", "application/turtle": "text/turtle",
            "application/x-json+ld": "application/ld+json", "application/json": "application/ld+json",
            "text/plain": "application/n-triples", "application/xhtml+xml": "text/html"}


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """(media range, q, position) entries of an Accept header; empty header means */*."""
    out = []
    for i, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(f[2:])))
                except ValueError:
                    q = 0.0
        out.append((media, q, i))
    return out


def choose(header: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (ties: the client's order, then the server's), None if none is acceptable."""
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for o_i, offer in enumerate(offers):
        for media, q, pos in parse_accept(header):
            media = SYNONYMS.get(media, media)
            if media == offer:
                spec = 3
            elif media.endswith("/*") and offer.startswith(media[:-1]):
                spec = 2
            elif media == "*/*":
                spec = 1
            else:
                continue
            if q <= 0:
                continue
            key = (q, spec, -pos, -o_i)
            if best is None or key > best:
                best, chosen = key, offer
    return chosen


def from_format(value: str | None) -> str | None:
    """The media type named by a ?format= value (an alias or a media type), or None."""
    if not value:
        return None
    v = value.strip().lower()
    return FORMAT_ALIASES.get(v, v if "/" in v else None)
