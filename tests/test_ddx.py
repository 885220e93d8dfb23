"""The ranked differential on the real graph: combined findings, information content, sites through
partOf, frequencies, explanations in the source's words, and the findings that narrow it."""

from __future__ import annotations

import json
import math

import pytest

from tests.conftest import run_cli

CPPD = "calcium pyrophosphate dihydrate deposition disease"


def _labels(res) -> list[str]:
    return [c.label for c in res.results]


def test_combined_findings_put_acromegaly_first(kg):
    res = kg.ddx(["chondrocalcinosis", "joint space widening"], sites=["knee"])
    assert _labels(res)[0] == "acromegaly"
    d = res.to_dict()["results"][0]
    assert d["explanation"]["findings_explained"] == "2 of 2"
    # the others explain one finding only, and all rank below
    assert all(r["explanation"]["findings_explained"] == "1 of 2" for r in res.to_dict()["results"][1:])


def test_more_findings_explained_ranks_higher(kg):
    res = kg.ddx(["loose body", "soft-tissue mass"]).to_dict()["results"]
    explained = [int(r["explanation"]["findings_explained"].split()[0]) for r in res]
    assert explained == sorted(explained, reverse=True)
    assert {r["label"] for r in res if r["explanation"]["findings_explained"] == "2 of 2"} == {
        "intracapsular chondroma", "synovial sarcoma"}


def test_specific_finding_weighs_more_than_a_common_one(kg):
    """IC = ln((N+1)/n): joint space widening (one cause) outweighs chondrocalcinosis (a dozen)."""
    acro = kg.ddx(["chondrocalcinosis", "joint space widening"]).results[0]
    parts = {p["finding"]: p for p in acro.parts}
    common, rare = parts["chondrocalcinosis"], parts["joint space widening"]
    assert rare["causes_of_finding"] == 1 < common["causes_of_finding"]
    assert rare["ic"] > common["ic"] > 0
    n_all = len({d for ev in kg.evidence for d in ev.disorders})
    assert rare["ic"] == pytest.approx(math.log((n_all + 1) / 1), abs=1e-4)


def test_score_is_the_sum_of_its_explained_parts(kg):
    for c in kg.ddx(["chondrocalcinosis", "periarticular calcification"], sites=["wrist"]).results:
        assert c.score == pytest.approx(sum(p["contribution"] for p in c.parts), abs=1e-3)
        for p in c.parts:
            assert p["contribution"] == pytest.approx(p["ic"] * p["site_factor"] * p["frequency_factor"], abs=1e-3)


def test_site_match_through_part_of_counts(kg):
    """Ochronosis's row names the menisci: asked for the knee, it matches fully through partOf."""
    res = kg.ddx(["chondrocalcinosis"], sites=["knee"])
    och = next(c for c in res.results if c.label == "ochronosis")
    assert och.parts[0]["site_factor"] == 1.0 and "meniscus" in och.parts[0]["site_match"]
    unstated = next(c for c in res.results if c.label == "primary osteoarthritis")
    assert unstated.parts[0]["site_factor"] < 1.0 and unstated.score < och.score
    # a row placing the finding elsewhere only does not match the site at all
    assert "gout" not in _labels(kg.ddx(["chondrocalcinosis"], sites=["wrist"]))


def test_known_frequencies_count(kg):
    hemo = next(c for c in kg.ddx(["chondrocalcinosis"]).results if c.label == "hemochromatosis")
    part = hemo.parts[0]
    assert part["frequency"] == "20%–60% of patients" and part["frequency_factor"] == pytest.approx(0.7)
    wilson = next(c for c in kg.ddx(["chondrocalcinosis"]).results if c.label == "Wilson disease")
    assert wilson.parts[0]["frequency_factor"] != part["frequency_factor"]


def test_each_candidate_explained_by_the_source(kg):
    res = kg.ddx(["chondrocalcinosis"], sites=["knee"]).to_dict()
    top = res["results"][0]
    assert top["label"] == CPPD
    row = next(e for e in top["evidence"] if e["source"] == "Table 7.2, row 1")
    assert row["figures"] == ["Fig. 7.6", "Fig. 7.7"] and row["remark"].startswith("Knees, wrists, hips")
    assert "knee joint" in row["sites"]
    assert "IC" in top["explanation"]["summary"] and top["explanation"]["parts"]
    for r in res["results"]:
        assert r["evidence"] and all(e["source"] for e in r["evidence"])


def test_narrowing_for_chondrocalcinosis_at_the_knee(kg):
    narrowing = kg.ddx(["chondrocalcinosis"], sites=["knee"]).narrowing
    texts = [n["text"] for n in narrowing]
    assert "look for joint space widening → acromegaly" in texts
    wsw = next(n for n in narrowing if n["finding"] == "joint space widening")
    assert wsw["suggests"] == ["acromegaly"] and CPPD in wsw["against"]
    sites = [n for n in narrowing if n["kind"] == "site"]
    assert sites and all("knee" not in n["site"] for n in sites)  # the asked site itself separates nothing
    assert any("wrist joint" in n["site"] and CPPD in n["suggests"] for n in sites)


def test_site_narrowing_names_the_finding_seen_there(kg):
    """With two findings asked, a site suggestion names the one the source puts at that site."""
    narrowing = kg.ddx(["chondrocalcinosis", "joint space widening"], sites=["knee"]).narrowing
    sites = [n for n in narrowing if n["kind"] == "site"]
    assert sites and all(n["finding"] == "chondrocalcinosis" for n in sites)
    assert any(n["text"].startswith("look for chondrocalcinosis at the hip joint") for n in sites)


def test_narrowing_for_loose_bodies(kg):
    narrowing = kg.ddx(["loose bodies"]).narrowing
    found = {n["finding"]: n["suggests"] for n in narrowing if n["kind"] == "finding"}
    assert found["residual pit in articular surface"] == ["osteochondrosis dissecans"]
    assert any("neuropathic arthropathy" in s for s in found.values())
    # every suggestion truly splits the leaders: some have it, some do not
    for n in narrowing:
        assert n["suggests"] and n["against"]


def test_narrowing_separates_the_leading_tier(kg):
    """Five disorders explain both findings (one row names them all); only what splits those five is offered."""
    res = kg.ddx(["periarticular calcification", "subcutaneous calcification"])
    tier = {c.label for c in res.results if len(c.matched) == 2}
    assert len(tier) == 5
    for n in res.narrowing:
        assert set(n["suggests"]) | set(n["against"]) == tier
    assert any(n["finding"] == "intervertebral disc calcification" and n["suggests"] == ["hypervitaminosis D"]
               for n in res.narrowing)


def test_no_narrowing_when_one_candidate(kg):
    res = kg.ddx(["joint space widening"])
    assert _labels(res) == ["acromegaly"] and res.narrowing == []


def test_same_finding_twice_counts_once(kg):
    res = kg.ddx(["chondrocalcinosis", "Chondrocalcinoses", "cartilage calcification"], sites=["knee", "Knees"])
    d = res.to_dict()
    assert len(d["query"]["findings"]) == 1 and len(d["query"]["sites"]) == 1
    assert d["results"][0]["explanation"]["findings_explained"] == "1 of 1"


def test_limit_and_strict_sites(kg):
    assert len(kg.ddx(["chondrocalcinosis"], limit=3).results) == 3
    strict = _labels(kg.ddx(["chondrocalcinosis"], sites=["knee"], strict_sites=True))
    assert "primary osteoarthritis" not in strict and CPPD in strict


def test_ddx_json_tsv_and_table(dist):
    d = json.loads(run_cli("ddx", "chondrocalcinosis", "joint-space widening", "--site", "knees", "--format", "json",
                           dist=dist).stdout)
    assert d["results"][0]["label"] == "acromegaly"
    assert {"score", "explanation", "evidence", "facts", "synonyms", "iri", "label"} <= set(d["results"][0])
    assert d["narrowing"]
    tsv = run_cli("ddx", "loose body", "--format", "tsv", dist=dist).stdout.splitlines()
    assert tsv[0].split("\t")[:4] == ["rank", "iri", "label", "score"]
    assert all(len(line.split("\t")) == len(tsv[0].split("\t")) for line in tsv)
    for args in (["chondrocalcinosis", "--site", "knee"], ["loose body"], ["periarticular calcification"],
                 ["chondrocalcinosis", "joint space widening"]):
        p = run_cli("ddx", *args, dist=dist)
        assert p.returncode == 0, p.stderr
        assert max(len(line) for line in p.stdout.splitlines()) <= 100, args
        assert "To narrow:" in p.stdout
