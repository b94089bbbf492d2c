"""`plan_infra(PlanInfraRequest) -> PlanInfraResult`, called as a Python user or a benchmark
calls it: the program planned under mocks, the policies judged, a violation a result."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from propctl.api.infra import PlanInfraRequest, PlanInfraResult, plan_infra
from propctl.errors import UserError
from propctl.provision.policies import POLICIES
from propctl.resources import infra_dir

DATE = dt.date(2026, 12, 2)  # support windows in infra/versions.yaml move with the calendar


@pytest.fixture(scope="module")
def production() -> PlanInfraResult:
    return plan_infra(PlanInfraRequest(None, "production", DATE))


@pytest.fixture
def repo_with_infra(tmp_path: Path) -> Path:
    shutil.copytree(infra_dir(), tmp_path / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_bundled_program_passes_every_policy(production: PlanInfraResult) -> None:
    assert production.program.bundled
    assert production.plan.stack == "production" and production.plan.date == DATE.isoformat()
    assert [o.name for o in production.outcomes] == list(POLICIES)
    assert production.failed == []
    assert production.counts() == {"pass": len(POLICIES), "fail": 0, "skip": 0}


def test_the_json_document_is_the_one_the_cli_prints(production: PlanInfraResult) -> None:
    doc = production.as_json()
    assert list(doc) == [
        *("stack", "date", "project", "program", "resources", "outputs", "policies", "summary")
    ]
    assert doc["summary"] == production.counts()
    types = {r["type"] for r in doc["resources"]}
    assert {"aws:eks/cluster:Cluster", "aws:rds/instance:Instance"} <= types
    tfplan = production.as_tfplan()
    assert tfplan["planned_values"]["root_module"]["resources"]


def test_a_violated_policy_is_a_result_not_an_exception(repo_with_infra: Path) -> None:
    stack = repo_with_infra / "infra" / "Pulumi.production.yaml"
    stack.write_text(
        stack.read_text().replace("dbBackupRetentionDays: 30", "dbBackupRetentionDays: 7")
    )
    result = plan_infra(PlanInfraRequest(repo_with_infra, "production", DATE))
    assert not result.program.bundled and result.program.dir == repo_with_infra / "infra"
    assert result.failed == ["database-backups-30d"]


def test_only_the_policies_asked_for_are_judged() -> None:
    result = plan_infra(
        PlanInfraRequest(None, "staging", DATE, ("database-backups-30d", "names-unique"))
    )
    assert [o.name for o in result.outcomes] == ["database-backups-30d", "names-unique"]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (PlanInfraRequest(None, "qa", DATE), "no stack 'qa'"),
        (PlanInfraRequest(None, "staging", DATE, ("database-backup",)), "unknown infrastructure"),
    ],
)
def test_bad_requests_are_user_errors(request_: PlanInfraRequest, message: str) -> None:
    with pytest.raises(UserError, match=message):
        plan_infra(request_)
