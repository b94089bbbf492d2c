"""`infra_plan`: plan the target repo's Pulumi program (`infra/`) offline under Pulumi's mocks
and require propctl's infrastructure policies to hold. A repo without a program fails: it has
not done Task 13. Each plan runs in a fresh interpreter (the Pulumi runtime's state is global)
and is shared by every criterion that asks for the same program and stack."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from propctl.checks.engine import paths
from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.support.kind_helpers import cap
from propctl.errors import PropctlError

if TYPE_CHECKING:
    from propctl.provision.plan import Plan

# Not the program: bytecode, and the virtualenv `pulumi up` creates beside it (Pulumi.yaml).
SKIP_PARTS = frozenset({"__pycache__", "venv", ".venv"})
_PLANS: dict[tuple[str, str, str], Plan | PropctlError] = {}
_LOCKS: dict[tuple[str, str, str], threading.Lock] = {}
_LOCK = threading.Lock()


class InfraPlanParams(CheckParams):
    path: str = Field(default="infra", description="The Pulumi program's folder in the repo.")
    stack: str = Field(default="production", description="The stack to plan.")
    policies: list[str] = Field(
        default_factory=list, description="Policies that must pass (empty: every policy)."
    )

    @field_validator("policies")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        from propctl.provision.policies import POLICIES

        unknown = [n for n in names if n not in POLICIES]
        if unknown:
            raise ValueError(
                f"unknown infrastructure policies {unknown}; known: " + ", ".join(POLICIES)
            )
        return names


@register("infra_plan")
class InfraPlan(CheckKind):
    """Plan the repo's infra/ offline; the named infrastructure policies must pass."""

    Params = InfraPlanParams
    params: InfraPlanParams

    def _files(self, ctx: CheckContext) -> list[str]:
        folder = ctx.repo / ctx.expand(self.params.path)
        return (
            sorted(
                str(p.relative_to(ctx.repo))
                for p in folder.rglob("*")
                if p.is_file() and not SKIP_PARTS & set(p.relative_to(folder).parts)
            )
            if folder.is_dir()
            else []
        )

    def inputs(self, ctx: CheckContext) -> list[str]:
        return self._files(ctx)

    def run(self, ctx: CheckContext) -> Result:
        from propctl.provision.policies import evaluate

        folder = ctx.repo / ctx.expand(self.params.path)
        if paths.inside(ctx.repo, ctx.expand(self.params.path)) is None:
            return Result.failed(f"{self.params.path}: leads out of the repository: not planned")
        if not (folder / "Pulumi.yaml").is_file():
            return Result.failed(
                f"no Pulumi program at {self.params.path}/ (no Pulumi.yaml): "
                "run `propctl scaffold infra`"
            )
        planned = _plan(
            folder, self.params.stack, _fingerprint(ctx.repo, self._files(ctx)), ctx.timeout_s
        )
        if isinstance(planned, PropctlError):
            return Result.errored(str(planned).splitlines()[0])
        outcomes = evaluate(planned, self.params.policies or None)
        evidence = [
            Evidence(
                f"{o.status}: {o.name}: {o.message}",
                file=f"{self.params.path}/Pulumi.{self.params.stack}.yaml",
            )
            for o in outcomes
        ]
        failed = [o for o in outcomes if o.status == "fail"]
        if failed:
            return Result.failed(
                f"{len(failed)} of {len(outcomes)} policies fail on "
                f"{self.params.stack}: " + ", ".join(o.name for o in failed),
                cap([e for e in evidence if e.detail.startswith("fail")]),
            )
        if all(o.status == "skip" for o in outcomes):
            return Result.skipped(f"no policy applies to stack {self.params.stack}")
        held = sum(o.status == "pass" for o in outcomes)
        skipped = len(outcomes) - held
        verb = "policy holds" if held == 1 else "policies hold"
        return Result.passed(
            f"{held} {verb} on {self.params.stack}"
            f"{f', {skipped} skipped' if skipped else ''} "
            f"({len(planned.resources)} resources planned)",
            cap(evidence),
        )


def _fingerprint(repo: Path, files: list[str]) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0" + (repo / name).read_bytes())
    return digest.hexdigest()


def _plan(folder: Path, stack: str, fingerprint: str, timeout_s: float) -> Plan | PropctlError:
    from propctl.provision.plan import plan
    from propctl.provision.program import load_program

    key = (str(folder.resolve()), stack, fingerprint)
    with _LOCK:
        lock = _LOCKS.setdefault(key, threading.Lock())
    with lock:  # one plan per program and stack, however many criteria ask
        if key not in _PLANS:
            try:
                _PLANS[key] = plan(
                    load_program(folder), stack, isolated=True, timeout_s=max(timeout_s, 60.0)
                )
            except PropctlError as exc:
                _PLANS[key] = exc
        return _PLANS[key]
