"""Shared fixtures: one real build of the chapter per test session, into a temporary dist/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SOURCE_FILE = SHARED / "source" / "000_dde0fc877e9e75c5.txt"


@pytest.fixture(scope="session")
def build_state(tmp_path_factory: pytest.TempPathFactory):
    from calckg.pipeline import build

    dist = tmp_path_factory.mktemp("release") / "dist"
    return build(root=ROOT, dist=dist, quiet=True)


@pytest.fixture(scope="session")
def dist(build_state) -> Path:
    return Path(build_state.out)


@pytest.fixture(scope="session")
def graph(dist: Path) -> Graph:
    g = Graph()
    g.parse(dist / "calckg-inferred.ttl", format="turtle")
    return g


@pytest.fixture(scope="session")
def asserted(dist: Path) -> Graph:
    g = Graph()
    g.parse(dist / "calckg.ttl", format="turtle")
    return g


@pytest.fixture(scope="session")
def kg(dist: Path):
    from calckg import KnowledgeGraph

    return KnowledgeGraph.load(dist / "calckg-inferred.ttl")


def run_cli(*args: str, dist: Path | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the real `calckg` command line in a subprocess, against this checkout."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), CALCKG_ROOT=str(ROOT))
    if dist is not None:
        env["CALCKG_DIST"] = str(dist)
    return subprocess.run([sys.executable, "-m", "calckg", *args], capture_output=True, text=True, env=env,
                          check=check, timeout=300)
