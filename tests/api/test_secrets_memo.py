"""verify keeps what each file held for the secrets kind in its sealed cache: a later run scans
only what changed, still fails on a secret it did not scan again, and scans everything again
when the record is forged, the cache is not used (--no-cache) or propctl never wrote there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from propctl.api.init import InitRequest, init
from propctl.api.verify import VerifyRequest, verify
from propctl.checks.engine.usercache import RepoCache
from propctl.checks.kinds.secrets import kind as secrets_kind

ROADMAP = """\
version: 1
name: secrets memo
start: 2026-01-12
dimensions:
- {id: security, name: Security, baseline: 5.0, targets: {tier1: 6}}
overall_targets: {baseline: 5.0, tier1: 6}
tiers:
- id: tier1
  number: 1
  name: Immediate
  weeks: [1, 4]
  target_score: 6.0
  tasks:
  - id: 1
    title: No secrets
    priority: P0
    effort_hours: 1
    score_impact: 1.0
    impacts: {security: 1.0}
    acceptance:
    - {id: 1.a1, text: no credentials, check: {kind: secrets, paths: [./]}}
"""
LEAK = 'PASSWORD = "hunter2-but-longer-and-real-9f"\n'


class Scans:
    """The files detect-secrets scans, written to a log: checks run in forked workers."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def files(self) -> list[str]:
        return self.log.read_text().split() if self.log.exists() else []

    def clear(self) -> None:
        self.log.unlink(missing_ok=True)


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Scans:
    from detect_secrets import SecretsCollection

    scans = Scans(tmp_path / "scanned.log")
    original = SecretsCollection.scan_file

    def counting(self: Any, filename: str) -> None:
        with scans.log.open("a") as log:
            log.write(filename + "\n")
        original(self, filename)

    monkeypatch.setattr(SecretsCollection, "scan_file", counting)
    return scans


def _verify(repo: Path, roadmap: Path, **kw: Any) -> str:
    secrets_kind._MEMO.clear()
    secrets_kind._LOADED.clear()
    run = verify(VerifyRequest(repo=repo, roadmap=roadmap, trust=True, **kw))
    return {r["id"]: r["status"] for r in run.results}["1.a1"]


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "config.py").write_text(LEAK)
    for n in range(3):
        (repo / f"module{n}.py").write_text(f"VALUE = {n}\n")
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(ROADMAP)
    init(InitRequest(repo=repo))
    return repo, roadmap


def test_a_later_run_scans_only_what_changed(repo: tuple[Path, Path], scanned: Scans) -> None:
    target, roadmap = repo
    assert _verify(target, roadmap) == "fail"
    assert {"config.py", "module0.py", "module1.py", "module2.py"} <= set(scanned.files())
    scanned.clear()
    assert _verify(target, roadmap) == "fail"
    # the only new file: the history's merge rule, which the first run wrote
    assert scanned.files() == [".gitattributes"]
    scanned.clear()
    (target / "module1.py").write_text("VALUE = 'changed'\n")
    # config.py is not scanned again, and its secret still fails the check
    assert _verify(target, roadmap) == "fail"
    assert scanned.files() == ["module1.py"]
    scanned.clear()
    (target / "config.py").write_text("PASSWORD = None\n")
    assert _verify(target, roadmap) == "pass"
    assert scanned.files() == ["config.py"]


def test_a_forged_record_is_not_believed(repo: tuple[Path, Path], scanned: Scans) -> None:
    target, roadmap = repo
    assert _verify(target, roadmap) == "fail"
    record = RepoCache.of(target).path(secrets_kind.MEMO_RECORD)
    assert record is not None and record.is_file()
    # an edit that drops config.py's finding: the seal breaks, so everything is scanned again
    record.write_bytes(record.read_bytes().replace(b"Secret Keyword", b"Nothing at all"))
    scanned.clear()
    assert _verify(target, roadmap) == "fail"
    assert "config.py" in scanned.files()


def test_no_cache_and_no_write_scan_everything(repo: tuple[Path, Path], scanned: Scans) -> None:
    target, roadmap = repo
    assert _verify(target, roadmap) == "fail"
    for n, kw in enumerate(({"use_cache": False}, {"write": False})):
        # a change, so that the check runs again rather than its whole result being reused
        (target / "module0.py").write_text(f"VALUE = {n + 10}\n")
        scanned.clear()
        assert _verify(target, roadmap, **kw) == "fail"
        assert "config.py" in scanned.files() and len(scanned.files()) >= 4, kw
