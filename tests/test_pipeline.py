"""The release pipeline end to end, on the real chapter and on broken copies of its sources.

Broken sources live in a copy of ontology/ under tmp_path; shapes/ and queries/qc/ come from this
checkout. Every failing build must name the term and the file, and leave dist/ byte for byte as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from calckg.pipeline import STAGES, BuildError, build
from calckg.sources import SourceError

ROOT = Path(__file__).resolve().parents[1]


def snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A copy of the sources with a good release in its dist/, shared by the breaking tests."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    build(root=root, dist=root / "dist", quiet=True)
    return root, snapshot(root / "dist")


@pytest.fixture
def project(released: tuple[Path, dict[str, bytes]], tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A fresh copy of the released project, free to break."""
    root, snap = released
    shutil.copytree(root, tmp_path / "p")
    return tmp_path / "p", snap


def edit(path: Path, old: str, new: str) -> int:
    """Replace old by new once in a source file; return the 1-based line where the edit lands."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


# ------------------------------------------------------------------ the real chapter


def test_release_has_every_artifact(dist: Path):
    names = sorted(p.name for p in dist.iterdir())
    assert names == ["SHA256SUMS", "calckg-inferred.ttl", "calckg.jsonld", "calckg.owl", "calckg.sssom.tsv",
                     "calckg.ttl", "context.jsonld", "index.html", "void.ttl"]


def test_real_chapter_passes_every_check(build_state):
    assert build_state.violations == []
    assert [p for p in build_state.qc if p.severity == "error"] == []
    c = build_state.counts
    assert c["violations"] == 0 and c["qc_errors"] == 0
    assert c["classes"] > 100 and c["entries"] == 19 and c["triples"] > 5000
    assert c["inferred_subsumptions"] > 0
    assert set(build_state.seconds) == {name for name, _ in STAGES}


def test_two_builds_are_byte_identical(dist: Path, tmp_path: Path):
    """A second build, in another process with another hash seed, gives the same bytes."""
    other = tmp_path / "dist"
    code = f"from pathlib import Path; from calckg.pipeline import build; build(root=Path({str(ROOT)!r}), " \
           f"dist=Path({str(other)!r}), quiet=True)"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=300)
    assert snapshot(other) == snapshot(dist)


def test_sha256sums_cover_every_file_sorted(dist: Path):
    import hashlib

    lines = (dist / "SHA256SUMS").read_text().splitlines()
    names = [line.split("  ", 1)[1] for line in lines]
    assert names == sorted(p.name for p in dist.iterdir() if p.name != "SHA256SUMS")
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest


# ------------------------------------------------------------------ broken sources: loud, located, lossless


def test_missing_label_fails_naming_file_and_term(project):
    root, snap = project
    line = edit(root / "ontology/disorders.yaml", "    label: hemochromatosis\n", "")
    with pytest.raises(SourceError) as err:
        build(root=root, dist=root / "dist", quiet=True)
    msg = str(err.value)
    assert "ontology/disorders.yaml" in msg and "Hemochromatosis" in msg and "missing label" in msg
    assert f":{line - 1}:" in msg  # the record starts on the line above the removed label
    assert "\n" not in msg
    assert snapshot(root / "dist") == snap


def test_unknown_site_fails_naming_file_and_term(project):
    root, snap = project
    edit(root / "ontology/gamuts.yaml", "sites: [KneeJoint, LargeJoint]", "sites: [KneeJoint, LargeJiont]")
    with pytest.raises(SourceError) as err:
        build(root=root, dist=root / "dist", quiet=True)
    msg = str(err.value)
    assert msg.startswith("ontology/gamuts.yaml:") and "LargeJiont" in msg and "did you mean LargeJoint" in msg
    assert snapshot(root / "dist") == snap


def test_statement_without_disorder_fails_naming_file_and_term(project):
    root, snap = project
    line = edit(root / "ontology/statements.yaml", "    disorders: [ChronicRenalFailure]\n", "")
    with pytest.raises(SourceError) as err:
        build(root=root, dist=root / "dist", quiet=True)
    msg = str(err.value)
    assert msg.startswith(f"ontology/statements.yaml:{line - 4}: Fig7_1_SoftTissueCalcification")
    assert "statement without disorders" in msg
    assert snapshot(root / "dist") == snap


def test_unsatisfiable_class_fails_naming_label_and_file(project):
    """Making postsurgical hypoparathyroidism a hypoparathyroidism contradicts 'not seen in' (Table 7.3)."""
    root, snap = project
    text = (root / "ontology/disorders.yaml").read_text()
    start = text.index("  - id: PostsurgicalHypoparathyroidism")
    line = text[:start].count("\n") + 1
    tail = text[start:].replace("is_a: [Disorder]", "is_a: [Hypoparathyroidism]", 1)
    (root / "ontology/disorders.yaml").write_text(text[:start] + tail)
    with pytest.raises(BuildError) as err:
        build(root=root, dist=root / "dist", quiet=True)
    assert "unsatisfiable" in str(err.value)
    [problem] = [p for p in err.value.problems if "PostsurgicalHypoparathyroidism" in p]
    assert "'postsurgical hypoparathyroidism'" in problem and f"(ontology/disorders.yaml:{line})" in problem
    assert snapshot(root / "dist") == snap


def test_shacl_violation_fails_naming_file_and_term(project):
    """A malformed cross-reference passes the loader; SHACL catches it with the term's file and line."""
    root, snap = project
    text = (root / "ontology/disorders.yaml").read_text()
    line = text[: text.index("  - id: Hemochromatosis")].count("\n") + 1
    edit(root / "ontology/disorders.yaml", "ORPHA:139498", "ORPHA:139498x")
    with pytest.raises(BuildError) as err:
        build(root=root, dist=root / "dist", quiet=True)
    assert len(err.value.problems) >= 1
    problem = next(p for p in err.value.problems if "139498x" in p)
    assert problem.startswith("error: 'hemochromatosis' <https://w3id.org/calckg/Hemochromatosis>")
    assert f"(ontology/disorders.yaml:{line})" in problem and "CrossReference" in problem
    assert snapshot(root / "dist") == snap


def test_duplicate_label_fails(project):
    root, snap = project
    edit(root / "ontology/disorders.yaml", "    label: hemochromatosis\n", "    label: gout\n")
    with pytest.raises(BuildError) as err:
        build(root=root, dist=root / "dist", quiet=True)
    named = {re.search(r"<(\S+)>", p).group(1).rsplit("/", 1)[1] for p in err.value.problems}
    assert named == {"Gout", "Hemochromatosis"}
    assert all("UniqueLabelShape" in p and "ontology/disorders.yaml:" in p for p in err.value.problems)
    assert snapshot(root / "dist") == snap


def test_qc_error_fails_the_build(project):
    """An entry that puts chondrocalcinosis only in the upper arm contradicts the finding's region."""
    root, snap = project
    line = edit(root / "ontology/statements.yaml", "    sites: [ProximalInterphalangealJointOfIndexFinger]\n",
                "    sites: [UpperArm]\n")
    with pytest.raises(BuildError) as err:
        build(root=root, dist=root / "dist", quiet=True)
    [problem] = err.value.problems
    assert "qc:entry_site_outside_region" in problem and "'upper arm'" in problem
    assert problem.endswith(f"(ontology/statements.yaml:{line - 6})")
    assert snapshot(root / "dist") == snap


def test_interrupted_build_leaves_dist_untouched(project):
    root, snap = project

    def interrupt(_st):
        raise KeyboardInterrupt

    stages = list(STAGES)
    stages.insert(len(stages) - 1, ("interrupt", interrupt))  # after the artifacts are written
    with pytest.raises(KeyboardInterrupt):
        build(root=root, dist=root / "dist", stages=stages, quiet=True)
    assert snapshot(root / "dist") == snap
    assert not list(root.glob(".dist-*")), "the half-written release is removed"


# ------------------------------------------------------------------ the command line


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), CALCKG_ROOT=str(root))
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_prints_stages_and_json_summary(project):
    root, _ = project
    run = cli(root)
    assert run.returncode == 0, run.stderr
    for name, _fn in STAGES:
        assert re.search(rf"^  {re.escape(name)}\s+\d+\.\d\d s", run.stderr, re.M), name
    assert "0 violations" in run.stderr
    quiet = cli(root, "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    summary = json.loads(cli(root, "--json").stdout)
    for key in ("classes", "entries", "triples", "violations", "inferred_subsumptions"):
        assert isinstance(summary["counts"][key], int)
    assert set(summary["seconds"]) == {name for name, _ in STAGES}


def test_cli_failure_is_one_line_per_problem_and_exit_1(project):
    root, snap = project
    edit(root / "ontology/disorders.yaml", "ORPHA:139498", "ORPHA:139498x")
    run = cli(root, "--quiet")
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert lines[0].startswith("error: 'hemochromatosis' <https://w3id.org/calckg/Hemochromatosis>")
    assert lines[-1].startswith("error: build failed:") and "dist/ left unchanged" in lines[-1]
    assert snapshot(root / "dist") == snap


def test_cli_missing_label_is_one_line_naming_file_and_term(project):
    root, snap = project
    edit(root / "ontology/disorders.yaml", "    label: hemochromatosis\n", "")
    run = cli(root, "--quiet")
    assert run.returncode == 1
    [line] = run.stderr.strip().splitlines()
    assert re.match(r"error: ontology/disorders\.yaml:\d+: Hemochromatosis: missing label", line)
    assert snapshot(root / "dist") == snap
