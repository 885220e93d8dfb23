"""The `calckg` command line and the differential it answers, for every row of the chapter."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.source_rows import ROWS


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"T{r['table']}r{r['row']}")
def test_ddx_answers_every_row(kg, row):
    """The row's disorders come back for its finding, and for each of its sites."""
    finding = kg.terms[f"https://w3id.org/calckg/{row['finding']}"].label
    expected = {kg.terms[f"https://w3id.org/calckg/{d}"].label for d in row["disorders"]}
    got = {r.label for r in kg.ddx([finding]).results}
    assert expected <= got
    for site in row["sites"]:
        label = kg.terms[f"https://w3id.org/calckg/{site}"].label
        res = kg.ddx([finding], [label], strict_sites=True).results
        assert expected <= {r.label for r in res}, site


def test_site_through_part_of(kg):
    """Ochronosis names the menisci; the knee includes them."""
    labels = [r.label for r in kg.ddx(["chondrocalcinosis"], ["knee"], strict_sites=True).results]
    assert "ochronosis" in labels and "gout" in labels
    wrist = [r.label for r in kg.ddx(["chondrocalcinosis"], ["wrist"], strict_sites=True).results]
    assert "calcium pyrophosphate dihydrate deposition disease" in wrist
    assert "gout" not in wrist and "ochronosis" not in wrist


def test_defined_findings_through_sites(kg):
    """Intervertebral disc calcification: ochronosis (a row with disc sites) and the remark's five."""
    labels = {r.label for r in kg.ddx(["disc calcification"]).results}
    assert labels == {"ochronosis", "hypervitaminosis D", "hypophosphatasia", "ankylosing spondylitis",
                      "spondylosis", "intervertebral disc degeneration"}


def test_ddx_table(dist):
    p = run_cli("ddx", "chondrocalcinosis", "--site", "knee", dist=dist)
    assert p.returncode == 0, p.stderr
    assert "calcium pyrophosphate dihydrate deposition disease" in p.stdout
    assert "Table 7.2, row 1" in p.stdout and "Fig. 7.6" in p.stdout
    assert max(len(line) for line in p.stdout.splitlines()) <= 100


def test_ddx_json_fields(dist):
    p = run_cli("ddx", "Loose Bodies", "--site", "ELBOW", "--format", "json", dist=dist)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["results"], d
    for r in d["results"]:
        assert {"iri", "label", "synonyms", "evidence", "facts", "score", "explanation"} <= set(r)
        for e in r["evidence"]:
            assert {"finding", "sites", "remark", "source", "figures"} <= set(e)
    ocd = next(r for r in d["results"] if r["label"] == "osteochondrosis dissecans")
    assert "osteochondritis dissecans" in ocd["synonyms"]
    row = next(e for e in ocd["evidence"] if e["source"] == "Table 7.1, row 3")
    assert "elbow joint" in row["sites"] and row["figures"] == ["Fig. 7.5"]
    assert "residual pit" in row["remark"]


def test_ddx_structured_facts_in_json(dist):
    d = json.loads(run_cli("ddx", "chondrocalcinosis", "--format", "json", dist=dist).stdout)
    hemo = next(r for r in d["results"] if r["label"] == "hemochromatosis")
    assert hemo["facts"]["inheritance"] == ["autosomal recessive inheritance"]
    assert hemo["facts"]["accumulated_substances"] == ["iron"]
    assert hemo["evidence"][0]["frequency"] == {"min": 0.2, "max": 0.6}


@pytest.mark.parametrize("typed", ["haemochromatosis", "PSEUDOGOUT", "Wilsons disease", "charcot joint"])
def test_show_forgiving_lookup(dist, typed):
    p = run_cli("show", typed, "--format", "json", dist=dist)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["kind"] == "disorder"


def test_unknown_finding_exits_2_with_suggestions(dist):
    p = run_cli("ddx", "chondrocalcinsis", dist=dist)
    assert p.returncode == 2
    assert "unknown finding 'chondrocalcinsis'" in p.stderr and "chondrocalcinosis" in p.stderr
    assert "Traceback" not in p.stderr


def test_unknown_site_exits_2_with_suggestions(dist):
    p = run_cli("ddx", "loose body", "--site", "kneee", dist=dist)
    assert p.returncode == 2
    assert "unknown site 'kneee'" in p.stderr and "knee" in p.stderr


def test_disorder_is_not_a_finding(dist):
    p = run_cli("ddx", "gout", dist=dist)
    assert p.returncode == 2 and "unknown finding" in p.stderr


def test_build_command_writes_release(tmp_path):
    """`calckg build` on a copy of the sources writes both Turtle artifacts."""
    import shutil

    from tests.conftest import ROOT
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    import os
    import subprocess
    import sys
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), CALCKG_ROOT=str(tmp_path))
    p = subprocess.run([sys.executable, "-m", "calckg", "build"], capture_output=True, text=True, env=env,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    assert "reason" in p.stderr
    assert (tmp_path / "dist" / "calckg.ttl").stat().st_size > 0
    assert (tmp_path / "dist" / "calckg-inferred.ttl").stat().st_size > 0
