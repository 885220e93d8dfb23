"""Turn bench results (results.json) into the markdown table and the cost-against-scale plot.

Why separate: the runner measures, this only formats, so the README's table can be regenerated
from a committed results.json (`python bench/report.py bench/results/results.json`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

TARGETS = {  # the targets on a 2-core machine
    "gamuts": {"build_s": 120.0, "peak_gib": 4.0, "ddx_median_ms": 20.0},
    "chapter": {"build_s": 10.0, "ddx_median_ms": 5.0},
}


def _get(d: dict[str, Any], *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.2f}{unit}" if v < 100 else f"{v:,.0f}{unit}"
    return f"{v:,}{unit}"


def _miss(m: dict[str, Any] | None, key: str, unit: str = " s") -> str:
    """A measurement's value, or '> lower bound (time box)', or n/a with why."""
    if not m:
        return "n/a"
    if m.get("status") == "timeout":
        return f"> {m['lower_bound_s']:.0f} s (time box)"
    if m.get("status") in ("n/a", "skipped", "error"):
        return m.get("status", "n/a")
    return _fmt(m.get(key), unit)


def _stages(results: dict[str, Any]) -> list[str]:
    """Stage names in the pipeline's order (results.json stores them sorted), unknown ones last."""
    names: list[str] = []
    for s in results["scales"]:
        for k in (_get(s, "build", "seconds") or {}):
            if k not in names:
                names.append(k)
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        from calckg.pipeline import STAGES

        order = [n for n, _ in STAGES]
    except ImportError:  # pragma: no cover
        order = []
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), names.index(n)))


def _size(s: dict[str, Any]) -> tuple[Any, Any]:
    counts = _get(s, "build", "counts") or {}
    classes = sum(counts.get(k, 0) for k in ("disorders", "findings", "sites"))
    return classes, counts.get("entries")


def _stage_s(s: dict[str, Any], prefix: str) -> float | None:
    """Seconds of the build stage whose name starts with prefix, from the scale's own build."""
    st = _get(s, "build", "seconds") or {}
    return next((v for k, v in st.items() if k.startswith(prefix)), None)


def _stage(s: dict[str, Any], prefix: str, unit: str) -> str:
    v = _stage_s(s, prefix)
    return "n/a" if v is None else f"{v:,.2f} {unit} (build stage)"


def _timeout_ratio(baseline: dict[str, Any], fast: float | None) -> str:
    """'> N×' when the baseline hit its time box and the fast figure is known."""
    lb = baseline.get("lower_bound_s")
    return f"> {lb / max(fast, 1e-3):.0f}×" if baseline.get("status") == "timeout" and lb and fast else "n/a"


def report_markdown(results: dict[str, Any]) -> str:
    stages = _stages(results)
    lines = [f"Benchmark of {results.get('started', '')} (seed {results.get('seed')}, "
             f"{_get(results, 'machine', 'cpus')} CPUs, Python {_get(results, 'machine', 'python')}).", "",
             "### Build, per stage (seconds)", ""]
    head = ["scale", "classes", "entries", "triples", *stages, "build total", "peak MiB"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in results["scales"]:
        b = s.get("build") or {}
        classes, entries = _size(s)
        if b.get("status") != "ok":
            lines.append(f"| {s['scale']} | {_fmt(s.get('generated', {}).get('classes'))} | "
                         f"{_fmt(s.get('generated', {}).get('rows'))} | | {_miss(b, 'total_s')} |")
            continue
        row = [s["scale"], _fmt(classes), _fmt(entries), _fmt(_get(b, "counts", "inferred_triples"))]
        row += [_fmt(b["seconds"].get(k)) for k in stages]
        row += [_fmt(b.get("total_s")), _fmt(b.get("peak_mib"))]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "### Against the baselines (same run)", ""]
    head = ["scale", "reasoning: HermiT, whole ontology", "HermiT JVM peak MiB", "structural classifier", "ratio",
            "same classes", "SHACL: pyshacl full", "pipeline SHACL", "ratio", "pipeline QC"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in results["scales"]:
        r, sh = s.get("reason_baseline") or {}, s.get("shacl_baseline") or {}
        if r.get("status") == "ok" and r.get("structural_s"):
            ratio = f"{r['hermit_s'] / max(r['structural_s'], 1e-3):.0f}×"
        else:
            ratio = _timeout_ratio(r, _stage_s(s, "reason"))
        same = {True: "yes", False: "NO"}.get(r.get("same_classification"), "n/a")
        lines.append("| " + " | ".join([
            s["scale"], _miss(r, "hermit_s"), _fmt(r.get("rss_children_mib")),
            _miss(r, "structural_s") if r.get("status") == "ok" else _stage(s, "reason", "s"),
            ratio, same,
            _miss(sh, "pyshacl_s"),
            _miss(sh, "pipeline_shacl_s") if sh.get("status") == "ok" else _stage(s, "validate", "s"),
            f"{sh['ratio']}×" if sh.get("ratio") else _timeout_ratio(sh, _stage_s(s, "validate")),
            _fmt(sh.get("pipeline_qc_s"), " s")]) + " |")
    lines += ["", "### Queries (milliseconds)", ""]
    head = ["scale", "load KG s", "ddx median", "ddx p95", "SPARQL oxigraph median", "SPARQL rdflib median",
            "ratio", "HTTP ddx median", "HTTP p95", "HTTP req/s", "server start s"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    server = None
    for s in results["scales"]:
        d, h = s.get("ddx") or {}, s.get("http") or {}
        rd = d.get("rdflib") or {}
        server = server or h.get("server")
        lines.append("| " + " | ".join([
            s["scale"], _miss(d, "load_s", ""), _fmt(_get(d, "ddx", "median_ms")), _fmt(_get(d, "ddx", "p95_ms")),
            _fmt(_get(d, "sparql_oxigraph", "median_ms")),
            _fmt(_get(rd, "sparql_rdflib", "median_ms")) if rd.get("status") == "ok" else _miss(rd, "x"),
            f"{d['sparql_ratio']}×" if d.get("sparql_ratio") else "n/a",
            _fmt(_get(h, "latency", "median_ms")), _fmt(_get(h, "latency", "p95_ms")), _fmt(h.get("rps")),
            _fmt(h.get("startup_s"))]) + " |")
    if server:
        lines += ["", f"HTTP figures: {server}, {_get(results['scales'][-1], 'http', 'concurrency')} concurrent "
                      "keep-alive clients on loopback."]
    lines += ["", "### Targets", "", "| scale | target | measured | holds |", "|---|---|---|---|"]
    for s in results["scales"]:
        t = TARGETS.get(s["scale"])
        if not t:
            continue
        b = s.get("build") or {}
        got = {"build_s": b.get("total_s") if b.get("status") == "ok" else None,
               "peak_gib": (b.get("peak_mib") or 0) / 1024 if b.get("status") == "ok" else None,
               "ddx_median_ms": _get(s, "ddx", "ddx", "median_ms")}
        for k, limit in t.items():
            v = got.get(k)
            verdict = "n/a" if v is None else ("yes" if v < limit else f"NO ({v / limit:.1f}× the target)")
            lines.append(f"| {s['scale']} | {k} < {limit:g} | {_fmt(v)} | {verdict} |")
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], path: Path) -> None:
    """Log-log: seconds per build stage and in total against rows; ddx latency; peak memory."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - the bench extra is not installed
        return
    scales = [s for s in results["scales"] if _get(s, "build", "status") == "ok"]
    if not scales:
        return
    # x: causal rows (entries); the Gamuts scale grows rows 13x over 100x but classes only 1.5x
    xs = [max(_size(s)[1] or 1, 1) for s in scales]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.8))
    for k in _stages(results):
        ys = [_get(s, "build", "seconds", k) for s in scales]
        a1.plot(xs, [y if y else 1e-3 for y in ys], marker="o", label=k)
    a1.plot(xs, [s["build"]["total_s"] for s in scales], marker="s", color="black", lw=2, label="build total")
    hx = [x for x, s in zip(xs, scales, strict=True) if _get(s, "reason_baseline", "status") == "ok"]
    hy = [s["reason_baseline"]["hermit_s"] for s in scales if _get(s, "reason_baseline", "status") == "ok"]
    if hx:
        a1.plot(hx, hy, ls="--", marker="x", color="red", label="baseline: HermiT, whole ontology")
    tx = [x for x, s in zip(xs, scales, strict=True) if _get(s, "reason_baseline", "status") == "timeout"]
    ty = [s["reason_baseline"]["lower_bound_s"] for s in scales if _get(s, "reason_baseline", "status") == "timeout"]
    if tx:
        a1.scatter(tx, ty, marker="^", color="red", label="HermiT time box (lower bound)")
    a1.axhline(120, color="grey", ls=":", lw=1)
    a1.set(xscale="log", yscale="log", xlabel="causal rows (entries)", ylabel="seconds",
           title="Build cost against scale")
    a1.legend(fontsize=7)
    dx = [(x, _get(s, "ddx", "ddx", "median_ms"), _get(s, "ddx", "ddx", "p95_ms")) for x, s in zip(xs, scales,
                                                                                                   strict=True)]
    dx = [t for t in dx if t[1] is not None]
    if dx:
        a2.plot([t[0] for t in dx], [t[1] for t in dx], marker="o", label="ddx median (ms)")
        a2.plot([t[0] for t in dx], [t[2] for t in dx], marker="o", ls="--", label="ddx p95 (ms)")
    ox = [(x, _get(s, "ddx", "sparql_oxigraph", "median_ms")) for x, s in zip(xs, scales, strict=True)]
    ox = [t for t in ox if t[1] is not None]
    if ox:
        a2.plot([t[0] for t in ox], [t[1] for t in ox], marker="s", label="SPARQL oxigraph median (ms)")
    rd = [(x, _get(s, "ddx", "rdflib", "sparql_rdflib", "median_ms")) for x, s in zip(xs, scales, strict=True)]
    rd = [t for t in rd if t[1] is not None]
    if rd:
        a2.plot([t[0] for t in rd], [t[1] for t in rd], marker="x", ls="--", color="red",
                label="baseline: SPARQL rdflib median (ms)")
    a2.plot(xs, [s["build"].get("peak_mib", 0) for s in scales], marker="d", color="purple", label="build peak MiB")
    a2.set(xscale="log", yscale="log", xlabel="causal rows (entries)", title="Query latency and build memory")
    a2.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    res = json.loads(Path(sys.argv[1]).read_text())
    print(report_markdown(res))
    if len(sys.argv) > 2:
        plot(res, Path(sys.argv[2]))
