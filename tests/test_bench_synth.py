"""The synthetic sources: deterministic by seed, shaped like the chapter, and they load and build."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from synth import SCALES, Scale, generate  # noqa: E402


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "ontology").iterdir())}


def test_same_seed_same_bytes(tmp_path):
    generate(tmp_path / "a", "1x", seed=3)
    generate(tmp_path / "b", "1x", seed=3)
    generate(tmp_path / "c", "1x", seed=4)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_counts_follow_the_scale(tmp_path):
    counts = generate(tmp_path, Scale("t", 1000, 600), seed=1)
    assert counts["classes"] == 1000
    assert counts["rows"] == 600
    assert SCALES["gamuts"].classes == 17_000 and SCALES["gamuts"].rows == 55_000


def test_shaped_like_the_chapter(tmp_path):
    from calckg.sources import load_sources

    generate(tmp_path, Scale("t", 800, 400), seed=2)
    src = load_sources(tmp_path)
    terms = list(src.terms.values())
    assert all(len(t.data.get("synonyms") or []) >= 2 for t in terms if t.kind in ("site", "finding", "disorder"))
    findings = [t for t in terms if t.kind == "finding"]
    assert any(t.data.get("defined_as") for t in findings) and any(t.data.get("either") for t in findings)
    sites = {t.id: t.data for t in terms if t.kind == "site"}

    def depth(sid: str) -> int:
        d, parent = 0, sites[sid]
        while True:
            up = (parent.get("part_of") or []) + [p for p in parent.get("is_a") or [] if p in sites]
            if not up:
                return d
            d, parent = d + 1, sites[up[0]]

    assert max(depth(s) for s in sites) >= 3
    rows = [r for g in src.gamuts for r in g["rows"]]
    assert {len(r.get("sites") or []) for r in rows} >= {0, 1, 2}
    assert any(r.get("not_seen_in") for r in rows)


@pytest.mark.parametrize("scale", ["1x"])
def test_builds_and_answers_a_differential(tmp_path, scale):
    from calckg import KnowledgeGraph
    from calckg.pipeline import build

    generate(tmp_path, scale, seed=7)
    st = build(root=tmp_path, dist=tmp_path / "dist", quiet=True)
    assert st.counts["entries"] == SCALES[scale].rows
    assert st.counts["inferred_subsumptions"] > 0
    kg = KnowledgeGraph.load(tmp_path / "dist" / "calckg-inferred.ttl")
    import yaml

    gamut = yaml.safe_load((tmp_path / "ontology" / "gamuts.yaml").read_text())["gamuts"][0]
    label = next(f["label"] for f in yaml.safe_load((tmp_path / "ontology" / "findings.yaml").read_text())["findings"]
                 if f["id"] == gamut["finding"])
    result = kg.ddx([label])
    expected = {d for r in gamut["rows"] for d in r["disorders"]}
    assert expected <= {c.iri.rsplit("/", 1)[-1] for c in result.results}
