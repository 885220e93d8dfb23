"""The benchmark: cost against scale, each figure beside a baseline measured in the same run.

    python bench/run.py --scales chapter,1x,10x,100x,gamuts      # results in bench/results/
    python bench/run.py --scales 1,10 --queries 50 --out /tmp/b   # quick

Per scale: the synthetic sources (bench/synth.py; "chapter" is the real one) are built in a child
process, timing every stage BuildState.seconds reports (whatever the pipeline's stages are called;
stage_names finds the SHACL, QC and reasoning ones by their functions) and its peak memory (the
child's own maximum RSS plus that of its children, i.e. HermiT's JVM when it runs; both from
getrusage). Then the measurements in MEASUREMENTS run, each in a child process with a time box;
one that cannot finish is recorded as a miss with its lower bound.
Measurements are pluggable: append (name, function) to MEASUREMENTS; a function returns a dict, or
{"status": "n/a", "why": ...} when what it measures does not exist on this branch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT / "src"), str(BENCH)]

from report import plot, report_markdown  # noqa: E402
from synth import SCALES, Scale, generate  # noqa: E402


@dataclass
class Ctx:
    scale: str
    root: Path
    dist: Path
    args: argparse.Namespace
    counts: dict[str, int] = field(default_factory=dict)
    build: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- child processes
def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(BENCH)]))


def run_child(kind: str, args: list[str], timeout: float) -> dict[str, Any]:
    """Run `run.py --child kind args` with a time box; its last stdout line is JSON."""
    t0 = time.perf_counter()
    # a session of its own, so that a time box also ends the child's children (HermiT's JVM)
    p = subprocess.Popen([sys.executable, str(BENCH / "run.py"), "--child", kind, *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=_env(), start_new_session=True)
    try:
        stdout, stderr = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return {"status": "timeout", "lower_bound_s": round(time.perf_counter() - t0, 1)}
    if p.returncode != 0:
        return {"status": "error", "stderr": stderr[-2000:]}
    out = json.loads(stdout.strip().splitlines()[-1])
    out.setdefault("status", "ok")
    out["wall_s"] = round(time.perf_counter() - t0, 3)
    return out


def _rss() -> dict[str, float]:
    """Peak RSS in MiB of this process and of its waited-for children (the JVM), from getrusage."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rss_self_mib": round(own, 1), "rss_children_mib": round(kids, 1),
            "peak_mib": round(own + kids, 1)}  # an upper bound: the JVM runs while Python holds its heap


def child_build(root: str, dist: str) -> dict[str, Any]:
    """One release build, every stage of pipeline.STAGES, timed by the pipeline itself."""
    from calckg.pipeline import build

    st = build(root=Path(root), dist=Path(dist), quiet=True)
    return {"seconds": st.seconds, "counts": st.counts, **_rss()}


def child_reason(root: str) -> dict[str, Any]:
    """HermiT on the whole ontology against the structural classifier, same axioms, same process."""
    from calckg.assemble import assemble
    from calckg.reason import classify_hermit, classify_structural
    from calckg.sources import load_sources

    ax = assemble(load_sources(Path(root)), "bench").axioms
    t0 = time.perf_counter()
    fast = classify_structural(ax)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    full = classify_hermit(ax)
    t_full = time.perf_counter() - t0
    same = fast is not None and fast.entailed == full.entailed and fast.inferred_direct == full.inferred_direct
    return {"hermit_s": round(t_full, 3), "structural_s": round(t_fast, 3), "same_classification": same,
            "entailed": len(full.entailed), **_rss()}


def child_shacl(ttl: str, shapes: str) -> dict[str, Any]:
    """Full pyshacl validation of the released asserted graph (what the pipeline validates), with the
    pipeline's options (SHACL-AF, no inference): the baseline for the pipeline's SHACL stage."""
    import pyshacl
    from rdflib import Graph

    data, sh = Graph(), Graph()
    data.parse(ttl, format="turtle")
    for f in shapes.split(os.pathsep):
        sh.parse(f, format="turtle")
    t0 = time.perf_counter()
    conforms, _, _ = pyshacl.validate(data, shacl_graph=sh, inference="none", advanced=True)
    return {"pyshacl_s": round(time.perf_counter() - t0, 3), "conforms": bool(conforms), **_rss()}


def _lat(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {"median_ms": round(statistics.median(s) * 1000, 3),
            "p95_ms": round(s[min(len(s) - 1, int(0.95 * len(s)))] * 1000, 3), "n": len(s)}


SPARQL = """PREFIX calc: <https://w3id.org/calckg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?d WHERE {
  ?e a calc:DifferentialEntry ; calc:disorder ?d ; calc:finding ?f .
  ?f rdfs:subClassOf* <%(finding)s> .
  %(site)s
}"""
SITE = "?e calc:site ?s . ?s (calc:partOf|rdfs:subClassOf)* <%s> ."


def _sparql(q: dict[str, str]) -> str:
    return SPARQL % {"finding": q["finding_iri"], "site": SITE % q["site_iri"] if q.get("site_iri") else ""}


def child_ddx(ttl: str, queries: str) -> dict[str, Any]:
    """The engine's ddx (embedded) and the same gamut as SPARQL on the engine's store (pyoxigraph)."""
    from calckg import KnowledgeGraph

    qs = json.loads(Path(queries).read_text())
    t0 = time.perf_counter()
    kg = KnowledgeGraph.load(ttl)
    load_s = time.perf_counter() - t0
    lat, ox_lat = [], []
    for q in qs[:3]:  # warm-up
        kg.ddx([q["finding"]], [q["site"]] if q.get("site") else [])
    for q in qs:
        t = time.perf_counter()
        kg.ddx([q["finding"]], [q["site"]] if q.get("site") else [])
        lat.append(time.perf_counter() - t)
    for q in qs:
        t = time.perf_counter()
        list(kg.store.query(_sparql(q)))
        ox_lat.append(time.perf_counter() - t)
    return {"load_s": round(load_s, 3), "ddx": _lat(lat), "sparql_oxigraph": _lat(ox_lat), **_rss()}


def child_rdflib(ttl: str, queries: str) -> dict[str, Any]:
    """Baseline: the same SPARQL on rdflib's in-memory store."""
    from rdflib import Graph

    qs = json.loads(Path(queries).read_text())
    g = Graph()
    t0 = time.perf_counter()
    g.parse(ttl, format="turtle")
    load_s = time.perf_counter() - t0
    lat = []
    for q in qs:
        t = time.perf_counter()
        list(g.query(_sparql(q)))
        lat.append(time.perf_counter() - t)
    return {"load_s": round(load_s, 3), "sparql_rdflib": _lat(lat), **_rss()}


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "build": child_build, "reason": child_reason, "shacl": child_shacl, "ddx": child_ddx, "rdflib": child_rdflib}


# ---------------------------------------------------------------- measurements (in the parent)
def m_reason(ctx: Ctx) -> dict[str, Any]:
    if ctx.args.hermit_timeout <= 0:
        return {"status": "skipped"}
    return run_child("reason", [str(ctx.root)], ctx.args.hermit_timeout)


def _shapes(root: Path) -> list[Path]:
    """The shapes the pipeline reads for this root (its shapes/, else this checkout's)."""
    try:
        from calckg.pipeline import code_dir

        return sorted(code_dir(root, "shapes").glob("*.ttl"))
    except ImportError:  # pragma: no cover - a branch without it
        return sorted((ROOT / "shapes").glob("*.ttl"))


def stage_names(seconds: dict[str, float]) -> dict[str, str]:
    """Which of the build's stages is the SHACL one, the QC one, the reasoning one, by their functions.

    Stage labels change (reason (HermiT) → reason); pipeline.STAGES pairs each label with its function,
    so a stage is found by what it runs (stage_validate, stage_qc, stage_reason), else by a word of its
    label. Only stages the build reported are returned.
    """
    want = {"shacl": ("stage_validate", ("shacl", "validat")), "qc": ("stage_qc", ("quality", "qc")),
            "reason": ("stage_reason", ("reason",))}
    try:
        from calckg.pipeline import STAGES

        by_fn = {getattr(fn, "__name__", ""): name for name, fn in STAGES}
    except ImportError:  # pragma: no cover
        by_fn = {}
    out: dict[str, str] = {}
    for key, (fn, words) in want.items():
        name = by_fn.get(fn)
        if name not in seconds:
            name = next((k for k in seconds if any(w in k.lower() for w in words)), None)
        if name is not None:
            out[key] = name
    return out


def m_shacl(ctx: Ctx) -> dict[str, Any]:
    """pyshacl on the whole released graph against the pipeline's own SHACL and QC stages (same build)."""
    shapes = _shapes(ctx.root)
    seconds = ctx.build.get("seconds", {})
    names = stage_names(seconds)
    if not shapes or "shacl" not in names:
        return {"status": "n/a", "why": "no SHACL stage or shapes on this branch"}
    out = run_child("shacl", [str(ctx.dist / "calckg.ttl"), os.pathsep.join(map(str, shapes))],
                    ctx.args.shacl_timeout)
    out["pipeline_shacl_s"] = seconds[names["shacl"]]
    out["shacl_stage"] = names["shacl"]
    if "qc" in names:
        out["pipeline_qc_s"] = seconds[names["qc"]]
        out["qc_stage"] = names["qc"]
    if out.get("pyshacl_s"):
        out["ratio"] = round(out["pyshacl_s"] / max(out["pipeline_shacl_s"], 1e-3), 1)
    return out


def _queries(ctx: Ctx, n: int) -> Path:
    """Deterministic (finding, site) queries drawn from the sources' own rows, by label."""
    import yaml

    onto = ctx.root / "ontology"
    labels: dict[str, str] = {}
    for f, key in (("findings.yaml", "findings"), ("sites.yaml", "sites")):
        for t in yaml.load((onto / f).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))[key]:
            labels[t["id"]] = t["label"]
    gdata = yaml.load((onto / "gamuts.yaml").read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    pool = [(g["finding"], (r.get("sites") or [None])[0]) for g in gdata["gamuts"] for r in g.get("rows") or []]
    rnd = random.Random(ctx.args.seed)
    out = []
    base = "https://w3id.org/calckg/"
    for i in range(n):
        f, s = rnd.choice(pool)
        q = {"finding": labels[f], "finding_iri": base + f}
        if s and i % 2 == 0:
            q |= {"site": labels[s], "site_iri": base + s}
        out.append(q)
    path = ctx.dist.parent / f"{ctx.scale}-queries.json"
    path.write_text(json.dumps(out))
    return path


def m_ddx(ctx: Ctx) -> dict[str, Any]:
    qpath = _queries(ctx, ctx.args.queries)
    ttl = str(ctx.dist / "calckg-inferred.ttl")
    out = run_child("ddx", [ttl, str(qpath)], ctx.args.ddx_timeout)
    base = run_child("rdflib", [ttl, str(qpath)], ctx.args.rdflib_timeout)
    out["rdflib"] = base
    if base.get("status") == "ok" and out.get("status") == "ok":
        out["sparql_ratio"] = round(base["sparql_rdflib"]["median_ms"] / max(out["sparql_oxigraph"]["median_ms"],
                                                                              1e-6), 1)
    return out


def m_http(ctx: Ctx) -> dict[str, Any]:
    """The ddx JSON API of the project's server (`calckg serve`) on loopback: latency, then requests/s.

    The server is started as tests/serverkit.py starts it (port 0, it prints its URL once ready) on
    the build's dist/, and stopped afterwards; its start-up time (loading the graph) is reported too.
    """
    import http.client
    from urllib.parse import urlencode

    qs = json.loads(_queries(ctx, ctx.args.queries).read_text())
    paths = ["/api/ddx?" + urlencode({"finding": q["finding"], **({"site": q["site"]} if q.get("site") else {}),
                                      "limit": 20}) for q in qs]
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "calckg", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--dist", str(ctx.dist)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=_env(), start_new_session=True)
    label = "calckg serve (/api/ddx, limit 20)"
    try:
        url = proc.stdout.readline().strip() if proc.stdout else ""
        if not url.startswith("http://127.0.0.1:"):
            return {"status": "error", "server": label, "why": f"server did not start (printed {url!r})"}
        startup = time.perf_counter() - t0
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        lat, bad = [], 0
        for p in paths[:3] + paths:
            t = time.perf_counter()
            conn.request("GET", p)
            resp = conn.getresponse()
            resp.read()
            bad += resp.status != 200
            lat.append(time.perf_counter() - t)
        conn.close()
        done, failed = [0], [0]
        stop = time.perf_counter() + ctx.args.http_seconds

        def client(k: int) -> None:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            i = k
            while time.perf_counter() < stop:
                c.request("GET", paths[i % len(paths)])
                r = c.getresponse()
                r.read()
                done[0] += 1
                failed[0] += r.status != 200
                i += 1
            c.close()

        t1 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(ctx.args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rps = done[0] / (time.perf_counter() - t1)
        return {"status": "ok", "server": label, "startup_s": round(startup, 2), "latency": _lat(lat[3:]),
                "rps": round(rps, 1), "concurrency": ctx.args.concurrency, "failures": bad + failed[0]}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


MEASUREMENTS: list[tuple[str, Callable[[Ctx], dict[str, Any]]]] = [
    ("reason_baseline", m_reason), ("shacl_baseline", m_shacl), ("ddx", m_ddx), ("http", m_http)]


# ---------------------------------------------------------------- driver
def _scale(name: str) -> Scale | None:
    if name == "chapter":
        return None
    if name.isdigit():
        name = f"{name}x"
    if name in SCALES:
        return SCALES[name]
    if name.endswith("x") and name[:-1].isdigit():
        k = int(name[:-1])
        return Scale(name, k * SCALES["1x"].classes, k * SCALES["1x"].rows)
    raise SystemExit(f"unknown scale {name!r}: chapter, 1x, 10x, 100x, gamuts or Nx")


def run_scale(name: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    name = f"{name}x" if name.isdigit() else name
    scale = _scale(name)
    root = work / name
    if scale is None:
        root = ROOT
        counts: dict[str, int] = {}
    else:
        t0 = time.perf_counter()
        counts = generate(root, scale, seed=args.seed)
        counts["generate_s"] = round(time.perf_counter() - t0, 2)
    ctx = Ctx(scale=name, root=root, dist=work / f"{name}-dist", args=args, counts=counts)
    print(f"[{name}] build …", file=sys.stderr, flush=True)
    ctx.build = run_child("build", [str(root), str(ctx.dist)], args.build_timeout)
    result: dict[str, Any] = {"scale": name, "generated": counts, "build": ctx.build}
    if ctx.build.get("status") != "ok":
        return result
    result["build"]["total_s"] = round(sum(ctx.build["seconds"].values()), 3)
    for mname, fn in MEASUREMENTS:
        if mname in args.skip:
            result[mname] = {"status": "skipped"}
            continue
        print(f"[{name}] {mname} …", file=sys.stderr, flush=True)
        result[mname] = fn(ctx)
    if not args.keep:
        shutil.rmtree(ctx.dist, ignore_errors=True)
        if scale is not None:
            shutil.rmtree(root, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="calckg bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="chapter,1x,10x,100x,gamuts", help="comma list: chapter, 1x, 10x, Nx, gamuts")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=BENCH / "results")
    ap.add_argument("--queries", type=int, default=200, help="ddx queries per scale")
    ap.add_argument("--build-timeout", type=float, default=1800)
    ap.add_argument("--hermit-timeout", type=float, default=600, help="0 skips the HermiT baseline")
    ap.add_argument("--shacl-timeout", type=float, default=600)
    ap.add_argument("--ddx-timeout", type=float, default=900)
    ap.add_argument("--rdflib-timeout", type=float, default=600)
    ap.add_argument("--http-seconds", type=float, default=5)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--skip", default="", help="comma list of measurements to skip")
    ap.add_argument("--keep", action="store_true", help="keep the generated sources and builds")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(CHILDREN[args.child[0]](*args.child[1:])))
        return 0
    args.skip = {s for s in args.skip.split(",") if s}
    args.out.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    results = {"machine": machine,
               "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seed": args.seed, "scales": []}
    with tempfile.TemporaryDirectory(prefix="calckg-bench-") as tmp:
        for name in [s.strip() for s in args.scales.split(",") if s.strip()]:
            results["scales"].append(run_scale(name, args, Path(tmp)))
            write_results(results, args.out)  # after every scale: a long run leaves partial results
    print(report_markdown(results))
    return 0


def write_results(results: dict[str, Any], out: Path) -> None:
    (out / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    (out / "results.md").write_text(report_markdown(results))
    plot(results, out / "cost-vs-scale.png")


if __name__ == "__main__":
    sys.exit(main())
