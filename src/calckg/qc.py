"""Quality control beyond SHACL: the SPARQL queries of queries/qc/, in the manner of ROBOT's report.

Each query file starts with a comment header: its rule, its level (error or warning), a one-line
message and what it catches; it selects `?entity` and optionally `?property` and `?value`. Errors fail the
build, warnings are printed. Queries run in pyoxigraph, which evaluates property paths quickly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from .export import Release
from .locate import Location, label_of, locate
from .oxrdf import to_rdflib
from .sources import Sources
from .validate import Problem, short

LEVELS = ("error", "warning")


class QCQueryError(ValueError):
    """A QC query file is malformed (missing header, unknown level, no ?entity)."""


@dataclass(frozen=True)
class QCQuery:
    name: str
    level: str
    message: str
    catches: str
    text: str
    path: Path


def _header(text: str, key: str) -> str:
    """The value of `# key: …` in the header, continued over indented comment lines."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(rf"#\s*{key}:\s*(.*)", line)
        if m:
            parts = [m.group(1).strip()]
            for more in lines[i + 1:]:
                if not re.match(r"#\s{2,}\S", more):
                    break
                parts.append(more.lstrip("# ").strip())
            return " ".join(parts)
    return ""


def load_queries(qc_dir: Path) -> list[QCQuery]:
    """Every *.rq under qc_dir, sorted by name, with its header checked."""
    queries = []
    for path in sorted(qc_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        level, catches, message = _header(text, "level"), _header(text, "catches"), _header(text, "message")
        rel = f"{qc_dir.name}/{path.name}"
        if level not in LEVELS:
            raise QCQueryError(f"{rel}: header needs '# level: error' or '# level: warning', got {level!r}")
        if not catches or not message:
            raise QCQueryError(f"{rel}: header needs '# message: <one line>' and '# catches: <what it finds>'")
        if "?entity" not in text:
            raise QCQueryError(f"{rel}: the query must select ?entity")
        queries.append(QCQuery(path.stem, level, message, catches, text, path))
    return queries


def to_store(g: Graph) -> ox.Store:
    store = ox.Store()
    store.load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def store_of(release: Release) -> ox.Store:
    """A pyoxigraph Store of the release, loaded from its N-Triples in chunks (no rdflib graph: at
    4 million triples rdflib's serializer alone takes minutes). Blank-node labels are kept."""
    store = ox.Store()
    for chunk in release.ntriples_chunks():
        store.load(chunk, format=ox.RdfFormat.N_TRIPLES)
    return store


def run_qc(g: Graph | Release, queries: list[QCQuery], src: Sources | None = None,
           where: dict[URIRef, Location] | None = None, store: ox.Store | None = None) -> list[Problem]:
    """Run every query over g (or the given store of it); one Problem per result row, located in the
    sources. g answers the labels: an rdflib Graph or the release itself."""
    store = store or to_store(g)
    problems: set[Problem] = set()
    for q in queries:
        solutions = store.query(q.text)
        selected = {v.value for v in solutions.variables}  # type: ignore[union-attr]
        for row in solutions:  # type: ignore[union-attr]
            entity, prop, value, other = (to_rdflib(row[v]) if v in selected else None
                                          for v in ("entity", "property", "value", "other"))
            msg = _message(q, value, other, g)
            file, line = locate(entity, where or {}, src)
            problems.add(Problem(q.level, file, line, str(entity), label_of(g, entity),
                                 short(prop) if prop is not None else "-", msg, f"qc:{q.name}"))
    return sorted(problems)


def _message(q: QCQuery, value: object, other: object, g: Graph | Release) -> str:
    text = q.message
    if value is not None:
        text += f" — value '{label_of(g, value) if isinstance(value, URIRef) else value}'"
    if other is not None:
        text += f" — also '{label_of(g, other)}' <{other}>"
    return text
