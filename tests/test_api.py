"""The Python API is what the CLI prints: one class, KnowledgeGraph, with the CLI a thin layer over it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

import calckg
from calckg import KnowledgeGraph, UnknownTermError
from tests.conftest import ROOT, run_cli


def test_one_class_exported():
    assert calckg.KnowledgeGraph is KnowledgeGraph and "KnowledgeGraph" in calckg.__all__
    for method in ("load", "ddx", "show", "query", "resolve", "select"):
        assert callable(getattr(KnowledgeGraph, method)), method


def test_cli_ddx_json_is_the_api_result(kg, dist):
    api = kg.ddx(["chondrocalcinosis", "joint space widening"], sites=["knee"]).to_dict()
    cli = json.loads(run_cli("ddx", "chondrocalcinosis", "joint space widening", "--site", "knee", "--format", "json",
                             dist=dist).stdout)
    assert cli == json.loads(json.dumps(api))


def test_cli_show_json_is_the_api_result(kg, dist):
    cli = json.loads(run_cli("show", "pseudogout", "--format", "json", dist=dist).stdout)
    assert cli == json.loads(json.dumps(kg.show("pseudogout")))
    assert cli["label"] == "calcium pyrophosphate dihydrate deposition disease"
    assert "Fig. 7.6" in cli["figures"] and cli["figure_details"][0]["caption"]
    assert "hemochromatosis" in cli["mimicked_by"]
    assert any(g.startswith("Table 7.2: ") for g in cli["gamuts"])


def test_cli_query_json_is_the_api_result(kg, dist):
    cli = json.loads(run_cli("query", "differential", "--param", "finding=chondrocalcinosis", "--format", "json",
                             dist=dist).stdout)
    assert cli == kg.query("differential", {"finding": "chondrocalcinosis"}).to_dict()


def test_show_site_includes_its_parts(kg):
    knee = kg.show("knee")
    assert "meniscus" in knee["has_parts"]
    assert any(e["source"] == "Table 7.2, row 6" for e in knee["evidence"])  # ochronosis: menisci


def test_api_errors_are_typed(kg):
    with pytest.raises(UnknownTermError) as exc:
        kg.ddx(["chondrocalcinsis"])
    assert exc.value.kind == "finding" and "chondrocalcinosis" in exc.value.suggestions
    with pytest.raises(ValueError, match="at least one finding"):
        kg.ddx([])
    with pytest.raises(UnknownTermError):
        kg.show("no such thing at all")


def test_readme_api_example_runs(dist):
    """The README's Python example, run as written against the test's release."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), CALCKG_ROOT=str(ROOT), CALCKG_DIST=str(dist))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("acromegaly")


def test_store_benchmark_runs_and_both_stores_agree(dist):
    """bench/bench_store.py measures the same queries on both stores; their answers must agree in size."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bench_store
    finally:
        sys.path.pop(0)
    res = bench_store.measure(dist / "calckg-inferred.ttl", repeats=1)
    answered = [r for r in res["rows"] if r["ratio"] is not None]
    assert len(answered) >= 10
    assert all(r["rows_equal"] for r in answered), [r["what"] for r in answered if not r["rows_equal"]]
    assert res["summary"]["faster"] in ("pyoxigraph", "rdflib")
    assert "| what | rdflib (ms) | pyoxigraph (ms) |" in bench_store.markdown(res)


def test_api_docstring_examples(dist, monkeypatch):
    import doctest

    import calckg.kg

    monkeypatch.setenv("CALCKG_DIST", str(dist))
    result = doctest.testmod(calckg.kg)
    assert result.attempted >= 5 and result.failed == 0
