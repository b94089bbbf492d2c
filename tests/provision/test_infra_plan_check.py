"""The `infra_plan` check kind, and Task 13 in `propctl verify` before and after
`propctl scaffold infra` on a copy of the example repo."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from propctl.checks.engine.base import CheckContext, Result
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.engine.runner import instantiate, run_check
from propctl.checks.status import Status
from propctl.cli.main import main
from propctl.provision.policies import POLICIES
from propctl.resources import bundled_roadmap, infra_dir
from propctl.roadmap.loader import load_roadmap

PLAN_BASED = {"13.1", "13.2", "13.5", "13.6", "13.7", "13.8", "13.13", "13.a7"}


def _check(params: dict, repo: Path) -> Result:
    body = {"kind": "infra_plan", **params}
    ctx = CheckContext(
        repo=repo,
        roadmap=load_roadmap(bundled_roadmap()),
        files=FileIndex(repo),
        python=sys.executable,
        item_id="13.1",
    )
    return run_check(instantiate(body, "13.1"), "infra_plan", ctx)


@pytest.fixture(scope="module")
def infra_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("infra-repo")
    shutil.copytree(infra_dir(), repo / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    return repo


def test_a_repo_without_a_program_fails(tmp_path: Path) -> None:
    result = _check({}, tmp_path)
    assert result.status is Status.FAIL
    assert "no Pulumi program at infra/" in result.message and "scaffold infra" in result.message


def test_the_program_passes_every_policy(infra_repo: Path) -> None:
    result = _check({"stack": "production"}, infra_repo)
    assert result.status is Status.PASS, result.message
    assert result.message.startswith(f"{len(POLICIES)} policies hold on production")


def test_skipped_policies_are_not_counted_as_holding(infra_repo: Path) -> None:
    result = _check({"stack": "staging"}, infra_repo)  # two policies are production-only
    assert result.status is Status.PASS, result.message
    held = len(POLICIES) - 2
    assert result.message.startswith(f"{held} policies hold on staging, 2 skipped"), result.message


def test_named_policies_only(infra_repo: Path) -> None:
    result = _check({"stack": "staging", "policies": ["cache-three-nodes"]}, infra_repo)
    assert result.status is Status.PASS and result.message.startswith("1 policy holds")


def test_a_production_only_policy_skips_on_staging(infra_repo: Path) -> None:
    result = _check({"stack": "staging", "policies": ["database-instance-class"]}, infra_repo)
    assert result.status is Status.SKIP


def test_a_violation_fails_with_the_policy_and_the_file(tmp_path: Path) -> None:
    shutil.copytree(infra_dir(), tmp_path / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    stack = tmp_path / "infra" / "Pulumi.production.yaml"
    stack.write_text(stack.read_text() + "  propmubi:dbPubliclyAccessible: true\n")
    result = _check({"policies": ["database-not-public", "database-multi-az"]}, tmp_path)
    assert result.status is Status.FAIL
    assert result.message == "1 of 2 policies fail on production: database-not-public"
    assert result.evidence[0].file == "infra/Pulumi.production.yaml"


def test_a_program_that_does_not_run_is_an_error(tmp_path: Path) -> None:
    shutil.copytree(infra_dir(), tmp_path / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "infra" / "__main__.py").write_text("raise RuntimeError('half-written')\n")
    result = _check({}, tmp_path)
    assert result.status is Status.ERROR and "half-written" in result.message


def test_a_program_that_prints_still_plans(tmp_path: Path) -> None:
    """print() in a Pulumi program is a diagnostic: it must not corrupt the worker's JSON."""
    shutil.copytree(infra_dir(), tmp_path / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    main_py = tmp_path / "infra" / "__main__.py"
    main_py.write_text(main_py.read_text() + "print('hello from the program')\n")
    result = _check({"policies": ["cache-three-nodes"]}, tmp_path)
    assert result.status is Status.PASS, result.message


def test_the_program_virtualenv_is_not_an_input(tmp_path: Path) -> None:
    """`pulumi up` creates infra/venv (Pulumi.yaml: virtualenv: venv), pulumi-aws and all:
    hashing it on every verify would read hundreds of MB per criterion."""
    shutil.copytree(infra_dir(), tmp_path / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("venv", ".venv"):
        site = tmp_path / "infra" / part / "lib" / "site-packages"
        site.mkdir(parents=True)
        (site / "pulumi_aws.py").write_text("# a dependency, not the program\n")
    check = instantiate({"kind": "infra_plan"}, "13.1")
    ctx = CheckContext(
        repo=tmp_path,
        roadmap=load_roadmap(bundled_roadmap()),
        files=FileIndex(tmp_path),
        python=sys.executable,
        item_id="13.1",
    )
    inputs = check.inputs(ctx)
    assert "infra/__main__.py" in inputs
    assert not [name for name in inputs if "venv" in name]


def test_an_unknown_stack_is_an_error(infra_repo: Path) -> None:
    result = _check({"stack": "qa"}, infra_repo)
    assert result.status is Status.ERROR and "no stack 'qa'" in result.message


def test_an_unknown_policy_is_refused_when_the_roadmap_is_checked() -> None:
    from propctl.errors import RoadmapError

    with pytest.raises(RoadmapError, match=r"13\.1\.check\.policies.*'database-backups'"):
        instantiate({"kind": "infra_plan", "policies": ["database-backups"]}, "13.1")


def _task13(capsys: pytest.CaptureFixture[str], repo: Path) -> dict[str, str]:
    code = main(["verify", "--repo", str(repo), "--task", "13", "--format", "json"])
    out = capsys.readouterr().out
    assert code in (0, 1), out
    return {r["id"]: r["status"] for r in json.loads(out)["results"]}


@pytest.mark.slow
def test_scaffold_infra_makes_task_13_plan_criteria_pass(
    capsys: pytest.CaptureFixture[str], example_repo: Path
) -> None:
    before = _task13(capsys, example_repo)
    assert {i: before[i] for i in PLAN_BASED} == dict.fromkeys(PLAN_BASED, "fail")
    assert main(["scaffold", "infra", "--repo", str(example_repo)]) == 0
    capsys.readouterr()
    after = _task13(capsys, example_repo)
    assert {i: after[i] for i in PLAN_BASED} == dict.fromkeys(PLAN_BASED, "pass")
    live = {"13.3", "13.4", "13.a1", "13.a2"}
    assert {i: after[i] for i in live} == dict.fromkeys(live, "skip")  # they need --live
