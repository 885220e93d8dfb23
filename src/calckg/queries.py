"""Named SPARQL queries: read queries/*.rq with their headers, bind parameters, run them anywhere.

A query runs on the embedded pyoxigraph store (values bound with pyoxigraph substitutions) or on any
SPARQL 1.1 endpoint through SPARQLWrapper. SPARQL 1.1 has no parameter-binding protocol, so for an
endpoint the values go into a VALUES block at the head of the WHERE clause, written as RDF terms
that are escaped here (literals) or validated (IRIs): user text never becomes query syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

#: parameter types that name a term of the graph, resolved by the forgiving lookup
TERM_TYPES = {"finding", "site", "disorder", "mechanism", "value"}
PARAM_TYPES = TERM_TYPES | {"iri", "string"}
_PARAM = re.compile(r"^#\s+([A-Za-z_]\w*)\s+\((\w+)(?:,\s*(required|optional))?\)\s*(.*)$")
_IRI_OK = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*$')


class QueryError(ValueError):
    """A query or parameter the runner refuses; the message names it and says what would work."""


@dataclass(frozen=True)
class Iri:
    value: str


@dataclass(frozen=True)
class Lit:
    value: str


Value = Iri | Lit


@dataclass
class Param:
    name: str
    type: str
    required: bool
    doc: str


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    summary: str = ""
    params: list[Param] = field(default_factory=list)
    example: str = ""


@dataclass
class QueryResult:
    variables: list[str]
    rows: list[dict[str, str | None]]

    def to_dict(self) -> dict[str, Any]:
        return {"variables": self.variables, "rows": self.rows, "count": len(self.rows)}


def queries_dir() -> Path:
    from .pipeline import project_root

    return project_root() / "queries"


def parse(path: Path) -> NamedQuery:
    """Read a .rq file and its header comment (summary, `name (type, required) doc` lines, example)."""
    text = path.read_text(encoding="utf-8")
    q = NamedQuery(path.stem, path, text)
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _PARAM.match(line)
        if m and m.group(2) in PARAM_TYPES:
            q.params.append(Param(m.group(1), m.group(2), m.group(3) != "optional", m.group(4).strip()))
        elif line.lower().startswith("# example:"):
            q.example = line.split(":", 1)[1].strip()
        elif not q.summary and ":" in line:
            q.summary = line[1:].split(":", 1)[1].strip()
    return q


def available(directory: Path | None = None) -> dict[str, NamedQuery]:
    d = directory or queries_dir()
    return {p.stem: parse(p) for p in sorted(d.glob("*.rq"))} if d.is_dir() else {}


def find(name_or_path: str, directory: Path | None = None) -> NamedQuery:
    """A named query by name, or any .rq file by path."""
    p = Path(name_or_path)
    if p.suffix == ".rq" and p.is_file():
        return parse(p)
    known = available(directory)
    if name_or_path in known:
        return known[name_or_path]
    import difflib

    near = difflib.get_close_matches(name_or_path, list(known), n=3, cutoff=0.5)
    hint = f"; did you mean: {', '.join(near)}?" if near else f"; known queries: {', '.join(known) or 'none'}"
    raise QueryError(f"unknown query '{name_or_path}'{hint}")


def sparql_term(v: Value) -> str:
    """The value as SPARQL term syntax: a validated <IRI> or an escaped "literal"."""
    if isinstance(v, Iri):
        if not _IRI_OK.match(v.value):
            raise QueryError(f"not an IRI: {v.value!r} (IRIs hold no spaces, quotes, <>{{}}|^` or backslashes)")
        return f"<{v.value}>"
    esc = (v.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
           .replace("\t", "\\t"))
    return f'"{esc}"'


def _where_brace(text: str) -> int:
    """Index of the '{' opening the query's WHERE group, skipping comments, strings and IRIs."""
    i, n = 0, len(text)
    after_where = False
    first_brace = -1
    head = ""
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<" and re.match(r"<[^\x00-\x20<>\"{}|^`\\]*>", text[i:]):
            i = text.index(">", i) + 1
            continue
        if c == "{":
            if after_where:
                return i
            if first_brace < 0:
                first_brace = i
                if re.search(r"\b(SELECT|ASK|DESCRIBE)\b", head, re.I):
                    return i
        head += c
        if re.search(r"(?<![?$\w])WHERE\s*$", head, re.I):
            after_where = True
        i += 1
    if first_brace >= 0:
        return first_brace
    raise QueryError("no WHERE group found in the query")


def with_values(text: str, bindings: dict[str, Value]) -> str:
    """The query with a VALUES block binding the parameters placed at the head of its WHERE group."""
    if not bindings:
        return text
    names = sorted(bindings)
    block = (f"\n  VALUES ({' '.join('?' + n for n in names)}) "
             f"{{ ({' '.join(sparql_term(bindings[n]) for n in names)}) }}\n")
    at = _where_brace(text) + 1
    return text[:at] + block + text[at:]


def run_embedded(store: Any, text: str, bindings: dict[str, Value]) -> QueryResult:
    import pyoxigraph as ox

    for v in bindings.values():
        sparql_term(v)  # the same validation as for endpoints
    subs = {ox.Variable(k): (ox.NamedNode(v.value) if isinstance(v, Iri) else ox.Literal(v.value))
            for k, v in bindings.items()}
    try:
        res = store.query(text, substitutions=subs) if subs else store.query(text)
    except (SyntaxError, RuntimeError, OSError) as exc:
        raise QueryError(f"query failed: {exc}") from None
    if isinstance(res, bool | ox.QueryBoolean):
        return QueryResult(["boolean"], [{"boolean": str(bool(res)).lower()}])
    if not isinstance(res, ox.QuerySolutions):
        raise QueryError("only SELECT and ASK queries can be run here")
    names = [v.value for v in res.variables]
    return QueryResult(names, [{k: (None if row[k] is None else row[k].value) for k in names} for row in res])


def run_endpoint(url: str, text: str, bindings: dict[str, Value]) -> QueryResult:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    sw = SPARQLWrapper(url)
    sw.setMethod(POST)
    sw.setReturnFormat(JSON)
    sw.setQuery(with_values(text, bindings))
    try:
        data = sw.queryAndConvert()
    except Exception as exc:  # noqa: BLE001 - network and protocol failures alike become one clear error
        raise QueryError(f"endpoint {url} failed: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}") from None
    if not isinstance(data, dict):
        raise QueryError(f"endpoint {url} returned no SPARQL JSON results")
    if "boolean" in data:
        return QueryResult(["boolean"], [{"boolean": str(data["boolean"]).lower()}])
    names = list(data["head"].get("vars", []))
    rows = [{k: (b[k]["value"] if k in b else None) for k in names} for b in data["results"]["bindings"]]
    return QueryResult(names, rows)


def bind(kg: KnowledgeGraph | None, q: NamedQuery, given: dict[str, str]) -> dict[str, Value]:
    """Check the given parameters against the header and turn them into RDF values."""
    declared = {p.name: p for p in q.params}
    unknown = sorted(set(given) - set(declared))
    if unknown and declared:
        raise QueryError(f"query '{q.name}' has no parameter '{unknown[0]}'; its parameters: "
                         f"{', '.join(declared)}")
    out: dict[str, Value] = {}
    for p in q.params:
        if p.name not in given:
            if p.required:
                raise QueryError(f"query '{q.name}' needs --param {p.name}=… ({p.type}: {p.doc})")
            continue
        raw = given[p.name]
        if p.type == "string":
            out[p.name] = Lit(raw)
        elif p.type == "iri":
            out[p.name] = Iri(_expand(raw))
        else:
            if kg is None:
                raise QueryError(f"parameter '{p.name}' names a {p.type}; a graph is needed to look it up")
            out[p.name] = Iri(kg.resolve(raw, p.type))
    for name in unknown:  # an .rq file without a header: bind what was given, as IRIs or literals
        raw = given[name]
        out[name] = Iri(_expand(raw)) if raw.startswith(("http://", "https://", "calc:")) else Lit(raw)
    return out


def _expand(raw: str) -> str:
    return "https://w3id.org/calckg/" + raw[5:] if raw.startswith("calc:") else raw
