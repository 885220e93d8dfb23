"""The benchmark runs end to end at a tiny scale and writes what the report promises.

Speed is never asserted here (that is bench/'s job, as ratios within one run): only that every
measurement ran against the real thing (the built release, `calckg serve`, pyshacl, HermiT) and
that results.json and results.md hold the expected figures and columns.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    p = subprocess.run([sys.executable, "-m", "calckg", "bench", "--scales", "1x", "--queries", "8", "--out", str(out),
                        "--http-seconds", "0.3", "--concurrency", "2", "--hermit-timeout", "120"],
                       capture_output=True, text=True, timeout=600, cwd=ROOT,
                       env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "src")})
    assert p.returncode == 0, p.stderr[-3000:]
    return out


def test_outputs_exist(bench_out):
    assert (bench_out / "results.json").is_file() and (bench_out / "results.md").is_file()
    assert not (ROOT / "bench" / "loopback.py").exists()  # the placeholder server is gone


def test_results_hold_every_measurement(bench_out):
    res = json.loads((bench_out / "results.json").read_text())
    (s,) = res["scales"]
    assert s["scale"] == "1x" and s["build"]["status"] == "ok"
    seconds = s["build"]["seconds"]
    assert s["build"]["total_s"] == pytest.approx(sum(seconds.values()), abs=1e-2)
    d = s["ddx"]
    assert d["status"] == "ok" and d["ddx"]["n"] == 8 and d["ddx"]["median_ms"] <= d["ddx"]["p95_ms"]
    assert d["sparql_ratio"] > 0 and d["rdflib"]["status"] == "ok"
    h = s["http"]
    assert h["status"] == "ok" and h["server"].startswith("calckg serve") and h["failures"] == 0
    assert h["latency"]["n"] == 8 and h["rps"] > 0 and h["startup_s"] > 0
    sh = s["shacl_baseline"]
    assert sh["status"] == "ok" and sh["conforms"] is True
    # the pipeline's own SHACL and QC stages, found by name in this build's BuildState.seconds
    assert sh["shacl_stage"] in seconds and sh["pipeline_shacl_s"] == seconds[sh["shacl_stage"]]
    assert sh["qc_stage"] in seconds and sh["pipeline_qc_s"] == seconds[sh["qc_stage"]]
    assert sh["ratio"] == pytest.approx(sh["pyshacl_s"] / max(sh["pipeline_shacl_s"], 1e-3), rel=0.05, abs=0.1)
    r = s["reason_baseline"]
    assert r["status"] == "ok" and r["same_classification"] is True


def test_report_has_the_columns(bench_out):
    md = (bench_out / "results.md").read_text()
    for header in ("### Build, per stage", "### Against the baselines", "### Queries", "SHACL: pyshacl full",
                   "pipeline SHACL", "pipeline QC", "HTTP ddx median", "HTTP req/s", "ddx median", "ddx p95"):
        assert header in md, header
    row = next(line for line in md.splitlines() if line.startswith("| 1x |") and "×" in line)
    assert "yes" in row  # the structural classifier agrees with HermiT


def test_stage_names_follow_the_pipeline():
    sys.path.insert(0, str(ROOT / "bench"))
    from run import stage_names

    from calckg.pipeline import STAGES

    names = stage_names({name: 1.0 for name, _ in STAGES})
    assert set(names) == {"shacl", "qc", "reason"}
    # a renamed stage is still found, by its function first and by a word of its label otherwise
    assert stage_names({"load": 1.0, "reason": 2.0, "SHACL shapes": 3.0}) == {"reason": "reason",
                                                                             "shacl": "SHACL shapes"}
