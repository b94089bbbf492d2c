"""On a copy of the example repo: scaffolding the database layer, the four repositories and an
initial migration makes Task 1's database and migration criteria pass in `propctl verify`; the
engineer's edit (routers on the repositories, tests on a test database) makes the router
criteria pass too, and the example's own tests still pass."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from migration_helpers import ok, run, scaffold_api

EDIT = Path(__file__).resolve().parent / "engineer_edit"
LAYER = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.10", "1.11", "1.12", "1.13", "1.14", "1.a3"]
ROUTERS = ["1.6", "1.7", "1.8", "1.9", "1.a1"]


def _statuses(capsys, repo: Path) -> dict[str, str]:
    code, out, err = run(
        capsys, "verify", "--repo", str(repo), "--task", "1", "--format", "json", "--no-history"
    )
    assert code in (0, 1), err
    return {r["id"]: r["status"] for r in json.loads(out)["results"]}


def _engineer_edit(repo: Path) -> None:
    """Copy the edited files in; the test-database setup goes on top of the tests' own
    conftest.py (which keeps its fixtures)."""
    for source in EDIT.rglob("*.py.txt"):
        target = repo / source.relative_to(EDIT).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.name == "conftest_database.py":
            conftest = target.with_name("conftest.py")
            existing = conftest.read_text() if conftest.is_file() else ""
            conftest.write_text(source.read_text() + "\n\n" + existing)
        else:
            shutil.copyfile(source, target)


@pytest.mark.slow  # runs the example's test suite and verify (with a command check)
def test_task1_criteria_pass_after_scaffold_and_the_engineers_edit(capsys, example_repo: Path):
    before = _statuses(capsys, example_repo)
    assert {before[i] for i in LAYER + ROUTERS} == {"fail"}, before

    scaffold_api(capsys, example_repo)
    ok(
        capsys,
        "migrations",
        "new",
        "Initial schema",
        "--service",
        "api",
        "--repo",
        str(example_repo),
    )
    scaffolded = _statuses(capsys, example_repo)
    assert {i: scaffolded[i] for i in LAYER} == dict.fromkeys(LAYER, "pass"), scaffolded
    assert {scaffolded[i] for i in ROUTERS} == {"fail"}  # still on in-memory lists

    _engineer_edit(example_repo)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "apps/api/tests"],
        cwd=example_repo,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]

    edited = _statuses(capsys, example_repo)
    expected = dict.fromkeys(LAYER + ROUTERS + ["1.15"], "pass")
    assert {i: edited[i] for i in expected} == expected, edited
    # The auth router still keeps users and OTPs in memory (Task 2 moves OTPs to Redis), so
    # "data persists across restarts" stays honest until that is fixed too.
    assert edited["1.a2"] == "fail"
