"""`plan_infra(PlanInfraRequest) -> PlanInfraResult`: the Pulumi program (the repo's `infra/`,
else the bundled one) run offline under mocks, and propctl's infrastructure policies judged
on what it would create. No pulumi CLI, no credentials."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propctl.provision.plan import Plan
from propctl.provision.policies import Outcome
from propctl.provision.program import Program

STATUSES = ("pass", "fail", "skip")


@dataclass(frozen=True)
class PlanInfraRequest:
    repo: Path | None = None  # whose infra/ (None or no infra/ there: the bundled program)
    stack: str = "production"
    date: dt.date | None = None  # the day it is judged on (default today, UTC)
    policies: tuple[str, ...] = ()  # only these (empty: every policy)


@dataclass(frozen=True)
class PlanInfraResult:
    program: Program
    plan: Plan
    outcomes: list[Outcome]

    @property
    def failed(self) -> list[str]:
        """The violated policies: `propctl infra plan` exits 1 when there is one."""
        return [o.name for o in self.outcomes if o.status == "fail"]

    def counts(self) -> dict[str, int]:
        return {s: sum(o.status == s for o in self.outcomes) for s in STATUSES}

    def as_json(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "stack": plan.stack,
            "date": plan.date,
            "project": plan.project,
            "program": plan.program_dir,
            "resources": [
                {"urn": r.urn, "type": r.type, "name": r.name, "inputs": r.inputs}
                for r in plan.resources
            ],
            "outputs": plan.outputs,
            "policies": [o.as_json() for o in self.outcomes],
            "summary": self.counts(),
        }

    def as_tfplan(self) -> dict[str, Any]:
        """The plan as Terraform's plan JSON, for checkov and other plan scanners."""
        from propctl.provision.tfplan import export

        return export(self.plan)


def plan_infra(request: PlanInfraRequest) -> PlanInfraResult:
    """Plan the stack under mocks and judge it; a missing stack or an unknown policy is a
    UserError (exit 2), a violated policy is a result, not an exception."""
    from propctl.provision.plan import plan
    from propctl.provision.policies import evaluate
    from propctl.provision.program import find_program

    program = find_program(request.repo)
    planned = plan(program, request.stack, date=request.date)
    return PlanInfraResult(program, planned, evaluate(planned, list(request.policies) or None))
