"""The release pipeline: sources → graph → SHACL → QC → reason → export, into dist/ atomically.

Artifacts are written to a fresh temporary directory beside dist/ and swapped in only when every
stage has passed, so a failed or interrupted build leaves the previous dist/ exactly as it was.
The release is never an rdflib graph: its triples are read once from the assembled parts into
export.Release (canonical blank-node labels, a subject index) and every check and artifact reads
that; SHACL and QC share one pyoxigraph store of it. At the Gamuts scale (4 million triples) graph
copies, rdflib's serializers, pyshacl and the cyclic GC's rescans each cost minutes or gigabytes.

Shapes (shapes/) and QC queries (queries/qc/) are code: they are read from the root being built
when it has them, else from this checkout, so a copy of ontology/ alone builds too.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from . import __version__, artifacts
from .assemble import Assembled, assemble
from .edges import derive_edges, edge_triples
from .export import Release, named_classes, relabel_index, triples_of, write_turtle
from .locate import Location, locate, locations
from .qc import load_queries, run_qc, store_of
from .reason import Classification, ReasoningError, classify
from .sources import Sources, load_sources
from .validate import Problem, load_shapes, validate_release

CODE_ROOT = Path(__file__).resolve().parents[2]


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
    """A stage refused the sources; the message names the file, term and fault.

    `problems` holds one line per fault (SHACL violations, QC errors, unsatisfiable classes), each
    naming the term's label and IRI and the file and line that define it.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


def code_dir(root: Path, name: str) -> Path:
    """shapes/ or queries/qc/ of the root being built if it has one, else of this checkout."""
    own = root / name
    return own if own.is_dir() else CODE_ROOT / name


@dataclass
class BuildState:
    """What the stages hand on. The release is `release` (plain canonical triples, see export.Release);
    `asserted` builds an rdflib Graph of it on first use, for callers that want rdflib's API."""

    root: Path
    out: Path
    src: Sources | None = None
    assembled: Assembled | None = None
    classification: Classification | None = None
    release: Release | None = None
    where: dict[URIRef, Location] = field(default_factory=dict)
    violations: list[Problem] = field(default_factory=list)
    qc: list[Problem] = field(default_factory=list)
    note: str = ""  # what the stage just did, for the progress line
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    store: Any = field(default=None, repr=False)  # a pyoxigraph Store of the release, from SHACL to QC
    _asserted: Graph | None = field(default=None, repr=False)

    @property
    def asserted(self) -> Graph | None:
        """The released asserted graph as an rdflib Graph (built on demand, never by the build)."""
        if self._asserted is None and self.release is not None:
            self._asserted = self.release.graph()
        return self._asserted


Stage = tuple[str, Callable[[BuildState], None]]


def stage_load(st: BuildState) -> None:
    st.src = load_sources(st.root)
    kinds: dict[str, int] = {}
    for t in st.src.terms.values():
        kinds[t.kind] = kinds.get(t.kind, 0) + 1
    st.counts.update({f"{k}s": v for k, v in sorted(kinds.items())})
    st.counts["entries"] = sum(len(g.get("rows") or []) for g in st.src.gamuts)
    st.note = ", ".join(f"{v} {k}" for k, v in st.counts.items())


def stage_assemble(st: BuildState) -> None:
    assert st.src is not None
    st.assembled = assemble(st.src, __version__)
    st.where = locations(st.src)
    st.counts["axiom_triples"] = len(st.assembled.axioms)
    st.note = f"{len(st.assembled.axioms)} axiom triples, {len(st.assembled.provenance)} provenance triples"


def stage_graph(st: BuildState) -> None:
    """The released asserted graph: axioms + provenance + direct edges derived from the axioms, read
    once from the parts into canonical triples (stable blank-node labels, an axiom stated twice
    merged into one), so that counts, checks and every artifact see the released graph."""
    assert st.assembled is not None
    a = st.assembled
    raw = list(triples_of(a.axioms))
    edges = derive_edges(raw)
    st.counts["direct_edges"] = len(edges)
    raw += triples_of(a.provenance)
    raw += edge_triples(edges, a.evidence)
    st.release = Release(index=relabel_index(raw))
    del raw
    st.counts["triples"] = len(st.release)
    st.counts["classes"] = named_classes(st.release)
    st.note = f"{len(edges)} edges, {st.counts['triples']} triples, {st.counts['classes']} classes"


def _fail(what: str, problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        raise BuildError(f"{len(errors)} {what}; first: {first}", [str(p) for p in errors])


def stage_validate(st: BuildState) -> None:
    """SHACL (shapes/*.ttl) over the asserted graph; any violation fails the build."""
    assert st.release is not None
    shapes = load_shapes(code_dir(st.root, "shapes"))
    # one pyoxigraph store of the release serves the shapes' SPARQL and then the QC queries
    st.store = store_of(st.release)
    st.violations = validate_release(st.release.triples, st.release, shapes, st.src, st.where, store=st.store,
                                     index=st.release.by_subject())
    st.counts["violations"] = sum(1 for p in st.violations if p.severity == "error")
    st.warnings += [str(p) for p in st.violations if p.severity != "error"]
    st.note = f"{st.counts['violations']} violations"
    _fail("SHACL violation(s)", st.violations)


def stage_qc(st: BuildState) -> None:
    """The SPARQL QC queries (queries/qc/*.rq): errors fail the build, warnings are reported."""
    assert st.release is not None
    store, st.store = st.store or store_of(st.release), None  # released here: it is the size of the graph
    st.qc = run_qc(st.release, load_queries(code_dir(st.root, "queries/qc")), st.src, st.where, store=store)
    del store
    _release_freed_memory()
    st.counts["qc_errors"] = sum(1 for p in st.qc if p.severity == "error")
    st.counts["qc_warnings"] = sum(1 for p in st.qc if p.severity == "warning")
    st.warnings += [str(p) for p in st.qc if p.severity == "warning"]
    st.note = f"{st.counts['qc_errors']} errors, {st.counts['qc_warnings']} warnings"
    _fail("QC error(s)", st.qc)


def _release_freed_memory() -> None:
    """Hand the store's freed memory back to the OS (glibc keeps freed heap pages otherwise, and
    Python's own allocator never reuses them: the reasoner's objects would add to the peak)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def stage_reason(st: BuildState) -> None:
    """The classification: structural by default, HermiT when $CALCKG_REASONER=hermit or when the
    axioms leave the structural fragment; unsatisfiable classes are named with label and file."""
    assert st.assembled is not None
    try:
        st.classification = classify(st.assembled.axioms)
    except ReasoningError as exc:
        lines = []
        for label, iri in exc.unsatisfiable:
            file, line = locate(URIRef(iri), st.where, st.src)
            lines.append(f"error: '{label}' <{iri}> is unsatisfiable (HermiT) ({file}:{line})")
        raise BuildError(f"{exc}" + (f"; first: {lines[0]}" if lines else ""), lines) from exc
    st.counts["inferred_subsumptions"] = len(st.classification.inferred)
    st.note = f"consistent, {len(st.classification.inferred)} inferred subsumptions"


def stage_export(st: BuildState) -> None:
    """The Turtle, RDF/XML and JSON-LD serialisations, the SSSOM mappings and the HTML docs."""
    assert st.release is not None and st.src is not None and st.classification is not None
    # the inferred graph is never built: the writers add these to the asserted triples as they go
    st.release.extra = {(s, RDFS.subClassOf, o) for s, o in st.classification.inferred_direct}
    st.counts["inferred_triples"] = len(st.release) + sum(1 for t in st.release.extra if t not in st.release)
    write_turtle(st.release, st.out / "calckg.ttl", st.out / "calckg-inferred.ttl")
    artifacts.write_rdfxml(st.out / "calckg.ttl", st.out / "calckg.owl")
    artifacts.write_jsonld(st.release, st.out / "calckg.jsonld", st.out / "context.jsonld")
    artifacts.write_sssom(st.src, st.out / "calckg.sssom.tsv", __version__)
    artifacts.write_html(st.release, st.out / "index.html", __version__)


def stage_describe(st: BuildState) -> None:
    """The VoID/DCAT description of the release, then SHA256SUMS over every file."""
    assert st.release is not None
    artifacts.write_void(st.release, st.counts, st.out, __version__)
    artifacts.write_checksums(st.out)
    st.counts["files"] = sum(1 for _ in st.out.iterdir())
    st.note = f"{st.counts['files']} files"


STAGES: list[Stage] = [
    ("load sources", stage_load),
    ("assemble graph", stage_assemble),
    ("direct edges", stage_graph),
    ("validate (SHACL)", stage_validate),
    ("quality control", stage_qc),
    ("reason", stage_reason),
    ("export artifacts", stage_export),
    ("describe, checksum", stage_describe),
]


def build(root: Path | None = None, dist: Path | None = None, *, stages: list[Stage] | None = None,
          log: TextIO | None = sys.stderr, quiet: bool = False) -> BuildState:
    """Run every stage into a temporary directory, then swap it in for dist/."""
    root = root or project_root()
    dist = dist or root / "dist"
    dist.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dist-build-", dir=dist.parent))
    tmp.chmod(0o755)
    st = BuildState(root=root, out=tmp)
    show = log is not None and not quiet
    # Python's cyclic GC rescans every live container each time enough new ones pile up; the build
    # creates tens of millions (tuples, dicts, lists of the release) that live until it ends, so the
    # scans grow with the graph and made the graph stage superlinear (85 s at the Gamuts scale).
    # Nothing the build keeps is cyclic garbage worth collecting early: collect once, afterwards.
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        for name, fn in stages or STAGES:
            t0 = time.perf_counter()
            if show:
                print(f"  {name:<22}", end="", file=log, flush=True)
            st.note, seen = "", len(st.warnings)
            fn(st)
            st.seconds[name] = round(time.perf_counter() - t0, 3)
            if show:
                print(f"{st.seconds[name]:7.2f} s  {st.note}".rstrip(), file=log, flush=True)
                for w in st.warnings[seen:]:
                    print(f"    {w}", file=log, flush=True)
        _swap(tmp, dist)
    except BaseException:
        if log and not quiet:
            print(" FAILED", file=log, flush=True)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if gc_enabled:
            gc.enable()
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
