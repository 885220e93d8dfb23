"""`calckg export`: the released graph on standard output, in a standard RDF format.

The build's own files in dist/ are streamed byte for byte when they exist (they are the release,
deterministic and reviewed); a format the build did not write is serialized from the Turtle.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import BinaryIO

#: format → (file the build may write, rdflib serializer name)
FORMATS = {"ttl": ("ttl", "turtle"), "jsonld": ("jsonld", "json-ld"), "owl": ("owl", "xml"), "nt": ("nt", "nt")}


class ExportError(RuntimeError):
    """No release to export, or an unknown format; the message says what to run."""


def dist_dir() -> Path:
    from .pipeline import project_root

    return Path(os.environ["CALCKG_DIST"]) if os.environ.get("CALCKG_DIST") else project_root() / "dist"


def export(fmt: str, out: BinaryIO, *, inferred: bool = False, dist: Path | None = None) -> None:
    """Write the asserted (default) or inferred release graph to out in fmt (ttl, jsonld, owl, nt)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}'; use one of: {', '.join(FORMATS)}")
    d = dist or dist_dir()
    stem = "calckg-inferred" if inferred else "calckg"
    ttl = d / f"{stem}.ttl"
    if not ttl.exists():
        raise ExportError(f"{ttl}: no release here; run 'calckg build' first")
    ready = d / f"{stem}.{FORMATS[fmt][0]}"
    if ready.exists():
        with ready.open("rb") as f:
            shutil.copyfileobj(f, out)
        return
    if fmt == "nt":  # pyoxigraph streams N-Triples without building an rdflib graph
        import pyoxigraph as ox

        for q in ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE):
            out.write(f"{q.subject} {q.predicate} {q.object} .\n".encode())
        return
    from rdflib import Graph

    g = Graph()
    g.parse(ttl, format="turtle")
    out.write(g.serialize(format=FORMATS[fmt][1], encoding="utf-8"))
