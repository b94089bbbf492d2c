"""Every static check has an enforced deadline: it runs in a worker process that is killed when
its time is up (a regex in C holds the GIL, so a thread could never be stopped), the check
ends as `error` with the reason, and the run goes on with the others."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from checkkit import make_repo, roadmap

from propctl.checks.engine import runner
from propctl.checks.engine.base import CheckContext, CheckKind, CheckParams, Result
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.status import Status
from propctl.roadmap.models import Check

# the 2.11 pattern of the bundled roadmap: quadratic on a long line of spaces
PATTERN = (
    r"(?i)^\s*-?\s*[\"']?\w*(password|passwd|secret|token|api_key|access_key)\w*[\"']?\s*"
    r"[:=]\s*(?![\"']?\$\{)[\"']?[^\s\"'$#]"
)


def _ctx(repo: Path, timeout: float) -> CheckContext:
    return CheckContext(
        repo=repo, roadmap=roadmap(), files=FileIndex(repo), python=sys.executable,
        timeout_s=timeout,
    )  # fmt: skip


def _item(check: dict, item_id: str) -> runner.Item:
    return runner.Item(item_id, 2, "criterion", "text", Check.model_validate(check))


def test_a_regex_stuck_in_c_is_stopped_at_the_deadline(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {"docker-compose.yml": "services: {}\n" + " " * 40_000 + "x\n", "ok.txt": "hello\n"},
    )
    items = [
        _item(
            {
                "kind": "text",
                "files": "docker-compose.yml",
                "pattern": PATTERN,
                "must_match": False,
            },
            "2.11",
        ),  # fmt: skip
        _item({"kind": "text", "files": "ok.txt", "pattern": "hello"}, "2.12"),
    ]
    start = time.monotonic()
    stuck, fine = runner.run_items(items, _ctx(repo, timeout=1.0), jobs=1)
    elapsed = time.monotonic() - start
    assert stuck.status is Status.ERROR and "timed out after 1s" in stuck.result.message
    assert fine.status is Status.PASS  # the next check ran in a fresh worker
    assert elapsed < 10


class _Exit(CheckKind):
    def run(self, ctx: CheckContext) -> Result:
        os._exit(7)


class _Pass(CheckKind):
    def run(self, ctx: CheckContext) -> Result:
        return Result.passed(f"ran in {os.getpid()}")


def test_a_worker_that_dies_is_an_error_and_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kinds = {"2.a1": _Exit, "2.a2": _Pass}
    monkeypatch.setattr(runner, "instantiate", lambda check, where: kinds[where](CheckParams()))
    items = [_item({"kind": "manual"}, "2.a1"), _item({"kind": "manual"}, "2.a2")]
    died, ran = runner.run_items(items, _ctx(tmp_path, timeout=30), jobs=1)
    assert died.status is Status.ERROR and "died" in died.result.message
    assert ran.status is Status.PASS and str(os.getpid()) not in ran.result.message


def test_results_from_workers_equal_results_in_this_process(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"a.yaml": "x: [1, 2]\n", "b.txt": "needle\n"})
    checks = [
        {"kind": "structured", "file": "a.yaml", "query": "x", "contains": 2},
        {"kind": "text", "files": "b.txt", "pattern": "needle"},
        {"kind": "path_exists", "path": "missing.txt"},
    ]
    items = [_item(c, f"2.a{i}") for i, c in enumerate(checks)]
    forked = runner.run_items(items, _ctx(repo, timeout=30), jobs=2)
    here = [
        runner.run_check(runner.instantiate(i.check, i.id), i.check.kind, _ctx(repo, 30))
        for i in items
    ]
    assert [(r.status, r.result.message) for r in forked] == [(r.status, r.message) for r in here]
