"""`all` and `any`: composite checks over nested `checks: [...]`.

`all` passes when every nested check passes; `any` when at least one does. Otherwise the
result is `fail` if any nested check failed, else `error` if one could not run, else `skip`.
Nested checks' parameters are validated with the outer one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import Field, field_validator

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.status import Status


class CompositeParams(CheckParams):
    checks: list[dict[str, Any]] = Field(min_length=1, description="Nested checks.")

    @field_validator("checks")
    @classmethod
    def _nested_valid(cls, checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from propctl.checks.engine.base import registry

        kinds = registry()
        for index, nested in enumerate(checks):
            kind = nested.get("kind")
            if kind is None:
                raise ValueError(f"checks.{index}: every nested check needs a kind")
            if kind in kinds:
                body = {k: v for k, v in nested.items() if k != "kind"}
                try:
                    kinds[kind].Params.model_validate(body)
                except ValueError as exc:
                    raise ValueError(f"checks.{index} ({kind}): {exc}") from None
        return checks


class _Composite(CheckKind):
    Params = CompositeParams
    params: CompositeParams
    need_all = True

    def _nested(self, ctx: CheckContext) -> list[CheckKind | None]:
        from propctl.checks.engine.runner import instantiate

        return [instantiate(c, ctx.item_id or "check") for c in self.params.checks]

    def inputs(self, ctx: CheckContext) -> list[str] | None:
        return self._union(ctx, lambda check: check.inputs(ctx))

    def replay_inputs(self, ctx: CheckContext) -> list[str] | None:
        return self._union(ctx, lambda check: check.replay_inputs(ctx))

    def _union(
        self, ctx: CheckContext, inputs_of: Callable[[CheckKind], list[str] | None]
    ) -> list[str] | None:
        out: list[str] = []
        for check in self._nested(ctx):
            found = inputs_of(check) if check is not None else None
            if found is None:
                return None
            out += found
        return out

    def run(self, ctx: CheckContext) -> Result:
        from propctl.checks.engine.runner import run_nested

        results = run_nested(self.params.checks, ctx)
        evidence = [
            Evidence(f"[{c.get('kind')}] {r.status.value}: {r.message}")
            for c, r in zip(self.params.checks, results, strict=True)
        ]
        for r in results:
            evidence += r.evidence[:3]
        passed = [r.status is Status.PASS for r in results]
        if all(passed) if self.need_all else any(passed):
            word = "all" if self.need_all else "one"
            return Result.passed(f"{word} of {len(results)} checks passed", evidence)
        for status in (Status.FAIL, Status.ERROR):
            first = next((r for r in results if r.status is status), None)
            if first is not None:
                return Result(status, first.message, evidence)
        first_other = next(r for r in results if r.status is not Status.PASS)
        return Result(
            Status.SKIP if first_other.status is not Status.MANUAL else Status.MANUAL,
            first_other.message,
            evidence,
        )


@register("all")
class All(_Composite):
    """Every nested check passes."""

    need_all = True


@register("any")
class Any_(_Composite):
    """At least one nested check passes."""

    need_all = False
