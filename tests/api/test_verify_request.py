"""`propctl.api.verify`: the library face of verify, called as Python users, benchmarks and the
CLI call it; a repo that is not the bundled roadmap's declared target runs no programs and
keeps no trace of the run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from propctl.api.verify import NOT_A_TARGET, VerifyRequest, verify
from propctl.errors import UserError


def statuses(run: object) -> dict[str, str]:
    return {r["id"]: r["status"] for r in run.results}  # type: ignore[attr-defined]


def test_a_run_is_a_typed_result_and_its_document_is_built_once(example_repo: Path) -> None:
    run = verify(VerifyRequest(repo=example_repo, task=2, write=False))
    doc = run.as_json()
    assert doc is run.as_json()
    assert doc["exit_code"] == run.exit_code == 0
    assert doc["summary"]["fail"] >= 1 and "gate_changes" not in doc
    assert statuses(run)["2.a2"] == "fail"  # the example declares itself the target: it ran


def test_progress_is_reported_for_every_item(example_repo: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    verify(
        VerifyRequest(repo=example_repo, task=4, write=False, progress=lambda *a: seen.append(a))
    )
    assert seen and [s[0] for s in seen] == list(range(1, seen[0][1] + 1))


@pytest.fixture
def foreign_repo(example_repo: Path) -> Path:
    """The example without its declaration: a repo propctl was never asked to work in."""
    shutil.rmtree(example_repo / ".propctl")
    return example_repo


def test_an_undeclared_repo_runs_no_programs_and_keeps_no_trace(foreign_repo: Path) -> None:
    before = sorted(p.name for p in foreign_repo.iterdir())
    run = verify(VerifyRequest(repo=foreign_repo, task=2))
    results = {r["id"]: r for r in run.results}
    for ident in ("2.a2", "2.a3", "2.a5"):  # asgi: they import the app
        assert results[ident]["status"] == "skip"
        assert results[ident]["message"] == NOT_A_TARGET
    assert results["2.a1"]["status"] == "fail"  # file checks still judge
    assert any("command, asgi and infra_plan checks skipped" in n for n in run.notes)
    assert (
        sorted(p.name for p in foreign_repo.iterdir()) == before
    )  # no .propctl, no .gitattributes


def test_trust_runs_the_programs_but_still_writes_nothing(foreign_repo: Path) -> None:
    run = verify(VerifyRequest(repo=foreign_repo, task=4, trust=True))
    assert statuses(run)["4.a2"] == "fail"  # ruff ran
    assert not (foreign_repo / ".propctl").exists()


def test_update_baseline_in_an_undeclared_repo_is_refused(foreign_repo: Path) -> None:
    with pytest.raises(UserError, match="not initialised"):
        verify(VerifyRequest(repo=foreign_repo, task=4, update_baseline=True))
    assert not (foreign_repo / ".propctl").exists()


def test_a_declared_repo_records_its_history(example_repo: Path) -> None:
    verify(VerifyRequest(repo=example_repo, criterion="2.a1"))
    assert (example_repo / ".propctl/history.jsonl").read_text().count("\n") == 1
