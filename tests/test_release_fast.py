"""The opt-in fast release stages write the same graphs as the pipeline's own, deterministically."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.compare import isomorphic

from calckg.pipeline import build
from calckg.release_fast import fast_stages

ROOT = Path(__file__).resolve().parents[1]


def test_isomorphic_to_the_pipeline_and_byte_reproducible(tmp_path, dist, build_state):
    a = build(root=ROOT, dist=tmp_path / "a", quiet=True, stages=fast_stages())
    build(root=ROOT, dist=tmp_path / "b", quiet=True, stages=fast_stages())
    for name in ("calckg.ttl", "calckg-inferred.ttl"):
        fast = (tmp_path / "a" / name).read_bytes()
        assert fast == (tmp_path / "b" / name).read_bytes()
        g_fast = Graph().parse(data=fast.decode("utf-8"), format="turtle")
        g_pipe = Graph().parse(dist / name, format="turtle")
        assert isomorphic(g_fast, g_pipe), name
    assert a.counts == build_state.counts
