"""The generated `propctl verify` workflow's own steps, run the way the runner runs them, on a
small repository with its own roadmap: the SARIF, JUnit and Markdown reports appear where the
upload and summary steps look, nothing is appended to the history, and the gate passes on main
but fails a pull request that breaks a criterion recorded in the base branch's baseline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from propctl.cli.main import main

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
ROADMAP = """version: 1
name: Mini roadmap
start: 2026-01-12
dimensions:
- {id: devops, name: DevOps, baseline: 3.0, targets: {tier1: 4.0}}
overall_targets: {baseline: 3.0, tier1: 4.0}
tiers:
- id: tier1
  number: 1
  name: Only
  weeks: [1, 4]
  target_score: 4.0
  tasks:
  - id: 1
    title: Files
    priority: P1
    effort_hours: 1
    score_impact: 1.0
    impacts: {devops: 1.0}
    acceptance:
    - {id: 1.a1, text: A README exists, check: {kind: path_exists, path: README.md}}
    - {id: 1.a2, text: A licence exists, check: {kind: path_exists, path: LICENSE}}
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def _git(repo: Path, *args: str) -> None:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def repo(capsys, tmp_path: Path) -> Path:
    (tmp_path / "checklists").mkdir()
    (tmp_path / "checklists/roadmap.yaml").write_text(ROADMAP)
    (tmp_path / "README.md").write_text("hello\n")
    assert main(["scaffold", "workflow", "--verify", "--repo", str(tmp_path)]) == 0
    capsys.readouterr()
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "start")
    return tmp_path


def _step_runner(repo: Path):
    wf = yaml.safe_load((repo / ".github/workflows/propctl-verify.yml").read_text())
    steps = {step["name"]: step for step in wf["jobs"]["verify"]["steps"]}
    path = f"{BIN}{os.pathsep}{os.environ['PATH']}"

    def run(name: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", steps[name]["run"]],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PATH": path, "NO_COLOR": "1", **env},
        )

    return run


def _base(repo: Path, run, base_ref: str) -> dict[str, str]:
    """What the "Choose the base" step puts into $GITHUB_ENV for the steps after it."""
    env_file = repo.parent / f"github-env-{base_ref or 'push'}"
    done = run("Choose the base that decides the gate", BASE_REF=base_ref, GITHUB_ENV=str(env_file))
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in env_file.read_text().splitlines())


def test_every_verify_call_passes_the_base(repo: Path) -> None:
    wf = yaml.safe_load((repo / ".github/workflows/propctl-verify.yml").read_text())
    runs = [s.get("run", "") for s in wf["jobs"]["verify"]["steps"]]
    calls = [line for run in runs for line in run.splitlines() if "propctl verify" in line]
    assert len(calls) == 2 and all('--base "$PROPCTL_BASE"' in c for c in calls), calls


def test_reports_and_gate_on_main(repo: Path) -> None:
    run = _step_runner(repo)
    base = _base(repo, run, "")
    assert base == {"PROPCTL_BASE": "HEAD"}  # a push judges the reviewed commit itself
    done = run("Verify (SARIF and JUnit reports)", **base)
    assert done.returncode == 0, done.stderr  # 1.a2 fails: a finding, not a fault
    sarif = json.loads((repo / "propctl.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    ids = {r["ruleId"] for run_ in sarif["runs"] for r in run_["results"]}
    assert "1.a2" in ids
    cases = {c.get("name", "") for c in ET.parse(repo / "propctl.junit").iter("testcase")}
    assert any("1.a1" in name for name in cases) and any("1.a2" in name for name in cases)
    gate = run("Verify (gate; fails on a regression against the base branch)", **base)
    assert gate.returncode == 0, gate.stdout + gate.stderr
    summary = (repo / "propctl-summary.md").read_text()
    assert summary.startswith("## gate passed: nothing that must hold failed") and "1.a2" in summary
    summary_file = repo / "summary.md"
    assert run("Write the job summary", GITHUB_STEP_SUMMARY=str(summary_file)).returncode == 0
    assert summary_file.read_text() == summary
    assert not (repo / ".propctl/history.jsonl").exists()  # CI runs leave no history


def test_gate_fails_a_pull_request_that_breaks_the_baseline(capsys, repo: Path) -> None:
    assert main(["init", "--repo", str(repo)]) == 0  # verify writes a baseline only there
    assert main(["verify", "--repo", str(repo), "--update-baseline"]) == 0
    capsys.readouterr()
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "baseline: 1.a1 holds")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    _git(repo, "checkout", "-q", "-b", "feature")
    (repo / "README.md").unlink()
    _git(repo, "commit", "-q", "-am", "drop the README")
    run = _step_runner(repo)
    base = _base(repo, run, "main")
    assert base == {"PROPCTL_BASE": "origin/main"}
    gate = run("Verify (gate; fails on a regression against the base branch)", **base)
    assert gate.returncode == 1, gate.stdout + gate.stderr
    assert "1.a1" in (repo / "propctl-summary.md").read_text()
