"""The checks of Tasks 2, 3, 5, 6, 7 and 9 judge behaviour, not file names: on a copy of the
example, `propctl scaffold add all` (written independently of the checks) makes the criteria
it really implements pass, and those it leaves to the developer keep failing, with reasons."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from propctl.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

NOW_PASSING = [
    "2.a2",
    "2.a3",
    "2.a5",
    "2.a6",
    "3.a1",
    "3.a2",
    "3.a4",
    "5.a1",
    "5.a2",
    "5.a3",
    "5.a4",
    "6.a1",
    "6.a2",
    "6.a4",
    "7.a1",
    "7.a2",
    "9.a1",
    "9.a2",
    "9.a3",
    "9.a4",  # `scaffold add health` writes k8s/base/api-deployment.yaml with both probes
    "9.7",
    "9.8",
    "2.6",
    "3.3",
    "5.3",
]
STILL_FAILING = {
    "2.a1": "OTP",  # the example's own auth router keeps its literals
    "7.a3": "apps/web/app/agent",  # the web pages still call unversioned URLs (7.6)
    "7.a4": "tests/contract",  # no contract tests (7.7)
}


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    repo = tmp_path_factory.mktemp("scaffolded") / "propmubi"
    shutil.copytree(
        ROOT / "examples" / "propmubi",
        repo,
        ignore=shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache"),
    )
    assert main(["scaffold", "add", "all", "--service", "api", "--repo", str(repo)]) == 0
    out = repo.parent / "verify.json"
    assert (
        main(["verify", "--repo", str(repo), "--no-history", "--format", "json", "-o", str(out)])
        == 0
    )
    return {r["id"]: r for r in json.loads(out.read_text())["results"]}


def test_scaffolded_concerns_pass_their_criteria(scaffolded: dict[str, dict]) -> None:
    failing = {
        i: scaffolded[i]["message"] for i in NOW_PASSING if scaffolded[i]["status"] != "pass"
    }
    assert not failing


@pytest.mark.parametrize(("criterion", "reason"), sorted(STILL_FAILING.items()))
def test_what_the_scaffold_leaves_undone_still_fails(
    scaffolded: dict[str, dict], criterion: str, reason: str
) -> None:
    result = scaffolded[criterion]
    assert result["status"] == "fail"
    assert reason in result["message"] + json.dumps(result["evidence"])
