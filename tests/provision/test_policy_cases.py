"""Every policy case in cases/policies.yaml: a small plan, the policy, the verdict it must
reach and what its message must name. Each policy of `policies_aws` and `policies_operations`
has a case where it fails."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from propctl.provision.plan import Plan, PlannedResource
from propctl.provision.policies import POLICIES, evaluate

CASES = Path(__file__).parent / "cases" / "policies.yaml"
DEFAULT_DATE = dt.date(2026, 12, 2)  # fixed: the calendar moving must not change a verdict
JUDGED_BY_CASES = ("propctl.provision.policies_aws", "propctl.provision.policies_operations")


def load_cases() -> list[dict[str, Any]]:
    cases = yaml.safe_load(CASES.read_text("utf-8"))
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


def plan_of(case: dict[str, Any]) -> Plan:
    resources = [
        PlannedResource(
            urn=f"urn:pulumi:{case.get('stack', 'production')}::propmubi::{r['type']}::{r['name']}",
            type=r["type"],
            name=r["name"],
            id=r.get("id", f"{r['name']}-id"),
            inputs=r.get("inputs") or {},
        )
        for r in case.get("resources") or []
    ]
    day = case.get("date", DEFAULT_DATE)
    return Plan(
        stack=case.get("stack", "production"),
        project="propmubi",
        program_dir="(cases)",
        resources=resources,
        provenance={k: list(v) for k, v in (case.get("provenance") or {}).items()},
        date=day.isoformat() if isinstance(day, dt.date) else str(day),
    )


@pytest.mark.parametrize("case", load_cases(), ids=lambda c: c["name"])
def test_policy_case(case: dict[str, Any]) -> None:
    (outcome,) = evaluate(plan_of(case), [case["policy"]])
    assert outcome.status == case["expect"], outcome.message
    for text in case.get("message_has", []):
        assert text in outcome.message, f"{text!r} not in {outcome.message!r}"


def test_every_aws_and_operations_policy_has_a_failing_case() -> None:
    failing = {c["policy"] for c in load_cases() if c["expect"] == "fail"}
    judged = {n for n, p in POLICIES.items() if p.check.__module__ in JUDGED_BY_CASES}
    assert judged and judged <= failing, sorted(judged - failing)
