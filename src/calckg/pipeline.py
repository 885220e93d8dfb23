"""The release pipeline: sources → graph → validate → reason → export, into dist/ atomically.

Artifacts are written to a fresh temporary directory beside dist/ and swapped in only when every
stage has passed, so a failed or interrupted build leaves the previous dist/ exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rdflib import Graph
from rdflib.namespace import RDFS

from . import __version__
from .assemble import Assembled, assemble
from .edges import derive_edges, edge_graph
from .export import write_turtle
from .reason import Classification, classify
from .sources import Sources, load_sources


def project_root() -> Path:
    """The checkout holding ontology/: $CALCKG_ROOT, the package's own checkout, or the cwd."""
    env = os.environ.get("CALCKG_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2]
    if (here / "ontology" / "vocabulary.ttl").exists():
        return here
    return Path.cwd()


class BuildError(RuntimeError):
    """A stage refused the sources; the message names the file, term and fault."""


@dataclass
class BuildState:
    root: Path
    out: Path
    src: Sources | None = None
    assembled: Assembled | None = None
    classification: Classification | None = None
    asserted: Graph | None = None
    inferred: Graph | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


Stage = tuple[str, Callable[[BuildState], None]]


def stage_load(st: BuildState) -> None:
    st.src = load_sources(st.root)
    kinds: dict[str, int] = {}
    for t in st.src.terms.values():
        kinds[t.kind] = kinds.get(t.kind, 0) + 1
    st.counts.update({f"{k}s": v for k, v in sorted(kinds.items())})
    st.counts["entries"] = sum(len(g.get("rows") or []) for g in st.src.gamuts)


def stage_assemble(st: BuildState) -> None:
    assert st.src is not None
    st.assembled = assemble(st.src, __version__)
    st.counts["axiom_triples"] = len(st.assembled.axioms)


def stage_reason(st: BuildState) -> None:
    assert st.assembled is not None
    st.classification = classify(st.assembled.axioms)
    st.counts["inferred_subsumptions"] = len(st.classification.inferred)


def stage_graph(st: BuildState) -> None:
    """Assemble the release graphs: axioms + provenance + direct edges (+ classification)."""
    assert st.assembled is not None and st.classification is not None
    a = st.assembled
    edges = derive_edges(a.axioms)
    st.counts["direct_edges"] = len(edges)
    asserted = Graph()
    for g in (a.axioms, a.provenance, edge_graph(edges, a.evidence)):
        for t in g:
            asserted.add(t)
    for p, ns in a.axioms.namespaces():
        asserted.bind(p, ns)
    inferred = Graph()
    for t in asserted:
        inferred.add(t)
    for s, o in st.classification.inferred_direct:
        inferred.add((s, RDFS.subClassOf, o))
    st.asserted, st.inferred = asserted, inferred
    st.counts["triples"] = len(asserted)
    st.counts["inferred_triples"] = len(inferred)


def stage_export(st: BuildState) -> None:
    assert st.asserted is not None and st.inferred is not None
    write_turtle(st.asserted, st.out / "calckg.ttl")
    write_turtle(st.inferred, st.out / "calckg-inferred.ttl")


STAGES: list[Stage] = [
    ("load sources", stage_load),
    ("assemble graph", stage_assemble),
    ("reason (HermiT)", stage_reason),
    ("direct edges", stage_graph),
    ("export", stage_export),
]


def build(root: Path | None = None, dist: Path | None = None, *, stages: list[Stage] | None = None,
          log: TextIO | None = sys.stderr, quiet: bool = False) -> BuildState:
    """Run every stage into a temporary directory, then swap it in for dist/."""
    root = root or project_root()
    dist = dist or root / "dist"
    dist.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dist-build-", dir=dist.parent))
    st = BuildState(root=root, out=tmp)
    try:
        for name, fn in stages or STAGES:
            t0 = time.perf_counter()
            if log and not quiet:
                print(f"  {name:<22}", end="", file=log, flush=True)
            fn(st)
            st.seconds[name] = round(time.perf_counter() - t0, 3)
            if log and not quiet:
                print(f"{st.seconds[name]:7.2f} s", file=log, flush=True)
        _swap(tmp, dist)
    except BaseException:
        if log and not quiet:
            print(" FAILED", file=log, flush=True)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    st.out = dist
    return st


def _swap(new: Path, dist: Path) -> None:
    """Replace dist/ by new/ with two renames; the old tree is removed only afterwards."""
    old = None
    if dist.exists():
        old = dist.with_name(f".dist-old-{os.getpid()}")
        os.replace(dist, old)
    os.replace(new, dist)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def summary(st: BuildState) -> dict[str, Any]:
    return {"counts": dict(st.counts), "seconds": dict(st.seconds), "warnings": list(st.warnings),
            "dist": str(st.out)}
