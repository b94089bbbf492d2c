"""`verify --base REF`: REF's roadmap (checks, waivers) and .propctl/ state decide the gate; what
the tree changes in them is reported as `gate_changes` and never applied."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from propctl.api.verify import VerifyRequest, verify
from propctl.cli.main import main
from propctl.errors import UserError

ROADMAP = """\
version: 1
name: own
start: 2026-01-12
dimensions:
- {id: security, name: Security, baseline: 4.0, targets: {tier1: 5}}
overall_targets: {baseline: 4.0, tier1: 5}
tiers:
- id: tier1
  number: 1
  name: Immediate
  weeks: [1, 4]
  target_score: 5.0
  tasks:
  - id: 1
    title: Gateway
    priority: P0
    effort_hours: 1
    score_impact: 1.0
    impacts: {security: 1.0}
    acceptance:
    - {id: 1.a1, text: a gateway, check: {kind: path_exists, path: gateway/kong.yaml}}
    - id: 1.a2
      text: the base's own program
      check: {kind: command, run: [python, -c, "open('ran-at-base', 'w').write('1')"]}
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repo whose main branch has its own roadmap, a gateway and a baseline holding 1.a1."""
    root = tmp_path / "repo"
    (root / "checklists").mkdir(parents=True)
    (root / "gateway").mkdir()
    (root / "checklists/roadmap.yaml").write_text(ROADMAP)
    (root / "gateway/kong.yaml").write_text("services: []\n")
    (root / ".propctl").mkdir()
    (root / ".propctl/target.yaml").write_text("version: 1\nroadmap: own\n")
    (root / ".propctl/baseline.json").write_text('{"passing": ["1.a1"]}')
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def relax(repo: Path) -> None:
    """The pull request: no gateway, a roadmap that asks for a README and waives 1.a1."""
    (repo / "gateway/kong.yaml").unlink()
    text = ROADMAP.replace("path: gateway/kong.yaml", "path: checklists/roadmap.yaml")
    text = text.replace(
        "tiers:\n",
        "waivers:\n- {criterion: 1.a1, owner: pr, reason: later, expires: 2999-12-31}\ntiers:\n",
        1,
    )
    (repo / "checklists/roadmap.yaml").write_text(text)
    (repo / ".propctl/baseline.json").write_text('{"passing": []}')


def test_the_base_roadmap_decides_and_the_changes_are_reported(repo: Path) -> None:
    relax(repo)
    run = verify(VerifyRequest(repo=repo, base="main", write=False))
    results = {r["id"]: r["status"] for r in run.results}
    assert results["1.a1"] == "fail" and run.exit_code == 1
    assert any("1.a1 must hold (it is in the baseline)" in p for p in run.problems)
    changes = {(c["what"], c["id"], c["change"]) for c in run.gate_changes or []}
    assert ("check", "1.a1", "changed") in changes
    assert ("waiver", "1.a1", "added") in changes
    assert ("baseline", "1.a1", "removed") in changes
    assert run.as_json()["base"]["roadmap"] == "main:checklists/roadmap.yaml"


def test_the_base_roadmap_is_trusted_and_the_trees_is_not(repo: Path) -> None:
    run = verify(VerifyRequest(repo=repo, base="main", criterion="1.a2", write=False))
    assert run.results[0]["status"] == "pass" and (repo / "ran-at-base").exists()
    # without --base the same roadmap is the tree's: its command check needs --trust
    with pytest.raises(UserError, match="--trust"):
        verify(VerifyRequest(repo=repo, criterion="1.a2", write=False))


def test_a_base_without_a_roadmap_means_the_bundled_one(repo: Path) -> None:
    git(repo, "rm", "-q", "checklists/roadmap.yaml")
    git(repo, "commit", "-qm", "no roadmap")
    git(repo, "checkout", "-q", "-b", "pr")
    (repo / "checklists").mkdir()
    (repo / "checklists/roadmap.yaml").write_text(ROADMAP)
    run = verify(VerifyRequest(repo=repo, base="main", task=2, write=False))
    assert run.roadmap.startswith("IMPLEMENTATION CHECKLIST")
    assert {c["what"] for c in run.gate_changes or []} >= {"criterion", "roadmap"}


def test_a_broken_roadmap_in_the_tree_is_a_change_not_a_stop(repo: Path) -> None:
    (repo / "checklists/roadmap.yaml").write_text("tiers: [\n")
    run = verify(VerifyRequest(repo=repo, base="main", criterion="1.a1", write=False))
    assert run.results[0]["status"] == "pass"
    assert [c["change"] for c in run.gate_changes or []][:1] == ["invalid"]


def test_the_table_lists_the_changes_not_applied(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    relax(repo)
    code = main(["verify", "--repo", str(repo), "--base", "main", "--no-history"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "gate changes in this tree, not applied" in out and "2999-12-31" in out


@pytest.mark.parametrize("ref", ["no-such-ref", "--all", ""])
def test_a_bad_base_ref_is_exit_2(repo: Path, ref: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--repo", str(repo), f"--base={ref}", "--format", "json"])
    assert code == 2 and "Traceback" not in capsys.readouterr().err


def test_json_carries_the_changes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    relax(repo)
    capsys.readouterr()
    main(["verify", "--repo", str(repo), "--base", "main", "--format", "json", "--no-history"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["base"]["ref"] == "main" and doc["gate_changes"]


def test_an_explicit_roadmap_in_the_repo_is_read_at_the_base(repo: Path) -> None:
    (repo / "custom").mkdir()
    (repo / "custom/road.yaml").write_text(ROADMAP)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "custom roadmap")
    relax(repo)
    (repo / "custom/road.yaml").write_text((repo / "checklists/roadmap.yaml").read_text())
    run = verify(
        VerifyRequest(repo=repo, roadmap=repo / "custom/road.yaml", base="main", write=False)
    )
    assert run.as_json()["base"]["roadmap"] == "main:custom/road.yaml"
    assert {r["id"]: r["status"] for r in run.results}["1.a1"] == "fail"


def test_a_broken_state_file_in_the_tree_is_reported_not_fatal(repo: Path) -> None:
    (repo / ".propctl/attestations.yaml").write_bytes(b"\x89PNG\x00\x00")
    run = verify(VerifyRequest(repo=repo, base="main", criterion="1.a1", write=False))
    assert run.results[0]["status"] == "pass"
    broken = [c for c in run.gate_changes or [] if c["change"] == "invalid"]
    assert broken and broken[0]["file"] == ".propctl/attestations.yaml"
    assert "binary" in broken[0]["detail"]
