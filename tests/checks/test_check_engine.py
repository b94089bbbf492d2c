"""The engine: parameters validated up front, untrusted commands refused, crashes and
timeouts become `error` (never `pass`), duplicate kinds refused, the result cache."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from checkkit import make_repo, roadmap

from propctl.checks.engine import runner
from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Result,
    register,
    registry,
)
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.status import Status
from propctl.errors import RoadmapError, UserError
from propctl.roadmap.models import Check


def _item(check: dict, item_id: str = "2.a1") -> runner.Item:
    return runner.Item(item_id, 2, "criterion", "text", Check.model_validate(check))


def _ctx(repo: Path, timeout: float = 60.0) -> CheckContext:
    return CheckContext(
        repo=repo,
        roadmap=roadmap(),
        files=FileIndex(repo),
        python=sys.executable,
        timeout_s=timeout,
        trusted=True,
    )


class _Crash(CheckKind):
    def run(self, ctx: CheckContext) -> Result:
        raise RuntimeError("boom")


class _Hang(CheckKind):
    def run(self, ctx: CheckContext) -> Result:
        time.sleep(5)
        return Result.passed("too late")


class _NotAResult(CheckKind):
    def run(self, ctx: CheckContext) -> Result:
        return "pass"  # type: ignore[return-value]


@pytest.mark.parametrize(("cls", "words"), [(_Crash, "crashed"), (_NotAResult, "not a Result")])
def test_a_broken_check_is_an_error(cls: type[CheckKind], words: str, tmp_path: Path) -> None:
    result = runner.run_check(cls(CheckParams()), "broken", _ctx(tmp_path))
    assert result.status is Status.ERROR and words in result.message


def test_a_kind_propctl_lacks_is_an_error(tmp_path: Path) -> None:
    result = runner.run_check(None, "aws_magic", _ctx(tmp_path))
    assert result.status is Status.ERROR and "not available" in result.message


def test_a_live_kind_without_live_is_skipped(tmp_path: Path) -> None:
    result = runner.run_check(_Crash(CheckParams()), "aws", _ctx(tmp_path))
    assert result.status is Status.SKIP and "--live" in result.message


def test_a_check_that_outlives_its_timeout_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "GRACE_S", 0.0)
    monkeypatch.setattr(runner, "instantiate", lambda check, where: _Hang(CheckParams()))
    items = [_item({"kind": "manual"}, "2.a1"), _item({"kind": "manual"}, "2.a2")]
    start = time.monotonic()
    results = runner.run_items(items, _ctx(tmp_path, timeout=0.5), jobs=1)
    assert [r.status for r in results] == [Status.ERROR, Status.ERROR]
    assert all("timed out" in r.result.message for r in results)
    assert time.monotonic() - start < 4  # the hung workers were abandoned, not awaited


def test_registering_a_kind_twice_is_refused() -> None:
    assert "path_exists" in registry()
    with pytest.raises(ValueError, match="registered twice"):
        register("path_exists")(_Crash)


def test_bad_parameters_name_the_criterion_and_field() -> None:
    with pytest.raises(RoadmapError) as caught:
        runner.instantiate(Check.model_validate({"kind": "text", "files": "x"}), "2.a1")
    assert "2.a1" in str(caught.value) and "pattern" in str(caught.value)


def test_nested_parameters_are_validated_with_the_outer_check() -> None:
    bad = {"kind": "all", "checks": [{"kind": "path_exists", "path": "a", "mini": 2}]}
    with pytest.raises(RoadmapError, match="mini"):
        runner.instantiate(Check.model_validate(bad), "2.a1")


@pytest.mark.parametrize(
    "check",
    [
        {"kind": "command", "run": "ruff check ."},
        {
            "kind": "all",
            "checks": [
                {"kind": "path_exists", "path": "a"},
                {"kind": "command", "run": "rm -rf /"},
            ],
        },
    ],
)
def test_untrusted_command_checks_are_refused_by_name(check: dict) -> None:
    with pytest.raises(UserError) as caught:
        runner.refuse_untrusted([_item(check, "4.a2")], trusted=False, roadmap_path="r.yaml")
    assert "4.a2" in str(caught.value) and "--trust" in str(caught.value)
    runner.refuse_untrusted([_item(check, "4.a2")], trusted=True, roadmap_path="r.yaml")


def test_results_are_cached_by_the_hashes_of_their_inputs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"apps/api/config.py": "class Settings: pass\n"})
    items = [_item({"kind": "text", "files": "{api}/config.py", "pattern": "class Settings"})]
    cache = runner.ResultCache.load(repo)
    first = runner.run_items(items, _ctx(repo), cache=cache)
    cache.save({})
    again = runner.run_items(items, _ctx(repo), cache=runner.ResultCache.load(repo))
    assert first[0].status is again[0].status is Status.PASS
    assert not first[0].cached and again[0].cached
    (repo / "apps/api/config.py").write_text("SETTINGS = {}\n")
    changed = runner.run_items(items, _ctx(repo), cache=runner.ResultCache.load(repo))
    assert not changed[0].cached and changed[0].status is Status.FAIL
    assert not (repo / ".propctl").exists()  # the cache lives outside the judged tree


def test_checks_that_run_code_are_never_cached(tmp_path: Path) -> None:
    items = [_item({"kind": "command", "run": "python -c pass"})]
    cache = runner.ResultCache.load(tmp_path)
    runner.run_items(items, _ctx(tmp_path), cache=cache)
    assert cache.entries == {}


def test_a_damaged_cache_is_only_a_slower_run(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {})
    path = runner.ResultCache.load(repo).path
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    cache = runner.ResultCache.load(repo)
    assert cache.entries == {} and "not sealed" in cache.note


def test_selection_by_task_and_criterion() -> None:
    items = runner.select_items(roadmap(), task=2)
    assert {i.task for i in items} == {2}
    assert [i.id for i in runner.select_items(roadmap(), criterion="2.a2")] == ["2.a2"]
    with pytest.raises(UserError, match="no such criterion"):
        runner.select_items(roadmap(), criterion="2.a99")


def test_an_all_gets_the_time_its_nested_checks_declare(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, timeout=60)
    nested = {
        "kind": "all",
        "checks": [
            {"kind": "path_exists", "path": "a"},
            {"kind": "command", "run": "true", "timeout": 120},
            {"kind": "all", "checks": [{"kind": "secrets", "paths": ["./"], "timeout": 600}]},
        ],
    }
    check = runner.instantiate(Check.model_validate(nested), "2.a1")
    assert runner.check_timeout(check, ctx) == 720 + runner.GRACE_S
    quick = {"kind": "all", "checks": [{"kind": "path_exists", "path": "a"}]}
    check = runner.instantiate(Check.model_validate(quick), "2.a1")
    assert runner.check_timeout(check, ctx) == 60 + runner.GRACE_S  # never under --timeout
    own = runner.instantiate(Check.model_validate(nested["checks"][1]), "2.a1")
    assert runner.check_timeout(own, ctx) == 120 + runner.GRACE_S
