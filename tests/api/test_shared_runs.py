"""The same command in one verify run runs once and every criterion naming it shares its
outcome; a different command, or the next run, runs again."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from propctl.api.verify import VerifyRequest, verify
from propctl.checks.engine.shared_runs import SharedRuns

ROADMAP = """\
version: 1
name: shared commands
start: 2026-01-12
dimensions:
- {{id: testing, name: Testing, baseline: 5.0, targets: {{tier1: 6}}}}
overall_targets: {{baseline: 5.0, tier1: 6}}
tiers:
- id: tier1
  number: 1
  name: Immediate
  weeks: [1, 4]
  target_score: 6.0
  tasks:
  - id: 1
    title: Counting
    priority: P0
    effort_hours: 1
    score_impact: 1.0
    impacts: {{testing: 1.0}}
    acceptance:
    - {{id: 1.a1, text: first, check: {{kind: command, run: [{sh}, -c, "{count}"]}}}}
    - {{id: 1.a2, text: same, check: {{kind: command, run: [{sh}, -c, "{count}"]}}}}
    - {{id: 1.a3, text: same again, check: {{kind: command, run: [{sh}, -c, "{count}"]}}}}
    - {{id: 1.a4, text: another, check: {{kind: command, run: [{sh}, -c, "{count}; true"]}}}}
"""


def test_identical_commands_run_once_per_verify_run(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(ROADMAP.format(sh="sh", count="echo run >> ran.txt"))
    request = VerifyRequest(repo=repo, roadmap=roadmap, trust=True, write=False, jobs=4)
    run = verify(request)
    assert {r["id"]: r["status"] for r in run.results} == dict.fromkeys(
        ("1.a1", "1.a2", "1.a3", "1.a4"), "pass"
    )
    assert (repo / "ran.txt").read_text().count("run") == 2  # 1.a1-a3 once, 1.a4 once
    verify(request)
    assert (repo / "ran.txt").read_text().count("run") == 4  # a new run runs them again


def test_waiters_get_the_first_outcome_and_its_exception() -> None:
    shared = SharedRuns()
    calls: list[int] = []
    gate = threading.Event()

    def work() -> int:
        calls.append(1)
        gate.wait(5)
        return 42

    answers: list[int] = []
    threads = [
        threading.Thread(target=lambda: answers.append(shared.run("k", work))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert answers == [42] * 4 and calls == [1] and shared.shared == 3

    def broken() -> int:
        raise OSError("cannot start")

    for _ in range(2):
        with pytest.raises(OSError, match="cannot start"):
            shared.run("other", broken)
