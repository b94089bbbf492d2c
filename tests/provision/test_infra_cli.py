"""`propctl infra plan` end to end: formats, exit codes, bad input, the repo's own program."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.provision.policies import POLICIES
from propctl.resources import infra_dir


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["infra", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo_with_infra(tmp_path: Path) -> Path:
    shutil.copytree(infra_dir(), tmp_path / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_plan_json_has_the_documented_shape(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = _run(
        capsys, "plan", "--stack", "production", "--format", "json", "--repo", str(tmp_path)
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["stack"] == "production"
    db = next(r for r in doc["resources"] if r["type"] == "aws:rds/instance:Instance")
    assert set(db) == {"urn", "type", "name", "inputs"}
    assert db["urn"].startswith("urn:pulumi:production::propmubi::aws:rds/instance:Instance")
    assert db["inputs"]["instanceClass"] == "db.r6g.xlarge"  # camelCase, as passed
    assert [p["name"] for p in doc["policies"]] == list(POLICIES)
    assert {p["status"] for p in doc["policies"]} == {"pass"}
    assert doc["program"] == str(infra_dir())  # no infra/ in the repo: the bundled program


def test_plan_table_shows_resources_and_policies(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = _run(capsys, "plan", "--stack", "staging", "--repo", str(tmp_path))
    assert code == 0
    assert "aws:eks/cluster:Cluster" in out and "database-backups-30d" in out
    assert f"{len(POLICIES) - 2} passed, 0 failed, 2 skipped" in out


def test_a_violated_policy_exits_1_naming_it(
    capsys: pytest.CaptureFixture[str], repo_with_infra: Path
) -> None:
    stack = repo_with_infra / "infra" / "Pulumi.production.yaml"
    stack.write_text(
        stack.read_text().replace("dbBackupRetentionDays: 30", "dbBackupRetentionDays: 7")
    )
    code, out, err = _run(
        capsys, "plan", "--stack", "production", "--format", "json", "--repo", str(repo_with_infra)
    )
    assert code == 1
    assert "database-backups-30d" in err and "Traceback" not in err
    failed = [p for p in json.loads(out)["policies"] if p["status"] == "fail"]
    assert [p["name"] for p in failed] == ["database-backups-30d"]


def test_table_to_a_file_prints_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "plan.txt"
    code, out, _ = _run(
        capsys, "plan", "--stack", "staging", "-o", str(target), "--repo", str(tmp_path)
    )
    assert code == 0 and out == ""
    assert f"{len(POLICIES) - 2} passed, 0 failed, 2 skipped" in target.read_text()


def test_tfplan_json_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    code, out, _ = _run(
        capsys, "plan", "--format", "tfplan-json", "-o", str(target), "--repo", str(tmp_path)
    )
    assert code == 0 and out == ""
    doc = json.loads(target.read_text())
    assert doc["format_version"] and doc["planned_values"]["root_module"]["resources"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "--stack", "qa"], "no stack 'qa'"),
        (["plan", "--policy", "database-backup"], "unknown infrastructure policy"),
        (["plan", "--format", "yaml"], "yaml"),
    ],
)
def test_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    code, _, err = _run(capsys, *args, "--repo", str(tmp_path))
    assert code == 2
    assert message in err and "Traceback" not in err


def test_a_program_that_crashes_is_a_located_error(
    capsys: pytest.CaptureFixture[str], repo_with_infra: Path
) -> None:
    stack = repo_with_infra / "infra" / "Pulumi.production.yaml"
    stack.write_text(stack.read_text().replace("  propmubi:dbInstanceClass: db.r6g.xlarge\n", ""))
    code, _, err = _run(capsys, "plan", "--stack", "production", "--repo", str(repo_with_infra))
    assert code == 2
    assert str(repo_with_infra / "infra") in err and "dbInstanceClass" in err


def test_a_program_that_prints_keeps_json_on_stdout_clean(
    capsys: pytest.CaptureFixture[str], repo_with_infra: Path
) -> None:
    main_py = repo_with_infra / "infra" / "__main__.py"
    main_py.write_text(main_py.read_text() + "print('hello from the program')\n")
    code, out, err = _run(capsys, "plan", "-f", "json", "--repo", str(repo_with_infra))
    assert code == 0
    assert json.loads(out)["stack"] == "production"
    assert "hello from the program" in err


def test_a_broken_stack_file_names_the_file(
    capsys: pytest.CaptureFixture[str], repo_with_infra: Path
) -> None:
    (repo_with_infra / "infra" / "Pulumi.staging.yaml").write_text("config: [unclosed\n")
    code, _, err = _run(capsys, "plan", "--stack", "staging", "--repo", str(repo_with_infra))
    assert code == 2 and "Pulumi.staging.yaml" in err


def test_the_repo_program_wins_over_the_bundled_one(
    capsys: pytest.CaptureFixture[str], repo_with_infra: Path
) -> None:
    code, out, _ = _run(
        capsys,
        "plan",
        "-f",
        "json",
        "--repo",
        str(repo_with_infra),
        "--policy",
        "database-read-replica",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["program"] == str(repo_with_infra / "infra")
    assert [p["name"] for p in doc["policies"]] == ["database-read-replica"]


def test_policies_lists_every_policy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "policies", "--format", "json")
    assert code == 0
    assert [p["name"] for p in json.loads(out)] == list(POLICIES)


def test_plan_after_asyncio_run_in_the_same_thread(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`asyncio.run()` leaves no current event loop behind (another test, or a host program,
    may have called it); the in-process plan must not depend on one."""
    import asyncio

    async def nothing() -> None:
        return None

    asyncio.run(nothing())
    code, out, _ = _run(
        capsys, "plan", "--stack", "staging", "--format", "json", "--repo", str(tmp_path)
    )
    assert code == 0 and json.loads(out)["stack"] == "staging"


@pytest.mark.parametrize("command", ["plan", "policies", "preview", "up", "destroy", "outputs"])
def test_every_infra_command_help_has_an_example(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, _ = _run(capsys, command, "--help")
    assert code == 0 and "Example" in out, command
    assert f"propctl infra {command} " in out.split("Example", 1)[1], command


def test_plan_json_carries_the_date_it_was_judged_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = _run(
        capsys, "plan", "--format", "json", "--date", "2026-01-26", "--repo", str(tmp_path)
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["date"] == "2026-01-26"
    cluster = next(r for r in doc["resources"] if r["type"] == "aws:eks/cluster:Cluster")
    assert cluster["inputs"]["version"] == "1.34"  # 1.35 was not released yet


@pytest.mark.parametrize("day", ["2027-13-01", "tomorrow", ""])
def test_a_bad_date_exits_2(capsys: pytest.CaptureFixture[str], day: str) -> None:
    code, _, err = _run(capsys, "plan", "--date", day)
    assert code == 2 and "--date" in err and "YYYY-MM-DD" in err


def test_a_pinned_version_past_its_support_fails_the_plan(
    capsys: pytest.CaptureFixture[str], repo_with_infra: Path
) -> None:
    stack = repo_with_infra / "infra" / "Pulumi.production.yaml"
    stack.write_text(stack.read_text() + '  propmubi:clusterVersion: "1.35"\n')
    args = ("plan", "--stack", "production", "--repo", str(repo_with_infra), "--date")
    assert _run(capsys, *args, "2027-03-26")[0] == 0
    code, _, err = _run(capsys, *args, "2027-03-27")
    assert code == 1 and "versions-in-support" in err


def test_a_run_with_no_version_in_support_exits_2_saying_what_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, "plan", "--date", "2027-03-27", "--repo", str(tmp_path))
    assert code == 2 and "no EKS version in versions.yaml is in standard support" in err
