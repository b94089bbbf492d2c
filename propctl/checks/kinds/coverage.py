"""`coverage`: a coverage report (Cobertura `coverage.xml` or coverage.py's JSON) shows a total
of at least `min` percent (default: the roadmap's `coverage_threshold`)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from pydantic import Field

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.support.kind_helpers import expand_all


class CoverageParams(CheckParams):
    file: str | list[str] = Field(
        default=["coverage.xml", "coverage.json", "**/coverage.xml", "**/coverage.json"],
        description="Where the report is; the first match is read.",
    )
    min: float | None = Field(default=None, ge=0, le=100)


@register("coverage")
class Coverage(CheckKind):
    """Total line coverage from coverage.xml / coverage.json is at least `min` percent."""

    Params = CoverageParams
    params: CoverageParams

    def _report(self, ctx: CheckContext) -> str | None:
        for pattern in expand_all(ctx, self.params.file):
            found = ctx.files.artifacts([pattern])
            if found:
                return found[0]
        return None

    def inputs(self, ctx: CheckContext) -> list[str]:
        report = self._report(ctx)
        return [report] if report else []

    def run(self, ctx: CheckContext) -> Result:
        wanted = self.params.min if self.params.min is not None else ctx.roadmap.coverage_threshold
        report = self._report(ctx)
        if report is None:
            return Result.failed(
                "no coverage report found (run `pytest --cov --cov-report=xml` "
                f"so that {expand_all(ctx, self.params.file)[0]} exists)"
            )
        try:
            percent = read_percent(ctx.files.read_text(report) or "", report)
        except ValueError as exc:
            return Result.errored(f"{report}: {exc}", [Evidence(str(exc), report)])
        evidence = [Evidence(f"total coverage {percent:.1f}%", report)]
        if percent >= wanted:
            return Result.passed(f"coverage {percent:.1f}% >= {wanted:g}%", evidence)
        return Result.failed(f"coverage {percent:.1f}% < {wanted:g}%", evidence)


def read_percent(text: str, name: str) -> float:
    if name.endswith(".json"):
        try:
            return float(json.loads(text)["totals"]["percent_covered"])
        except (ValueError, KeyError, TypeError):
            raise ValueError("not a coverage.py JSON report (no totals.percent_covered)") from None
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"not XML: {exc}") from None
    rate = root.get("line-rate")
    if root.tag != "coverage" or rate is None:
        raise ValueError("not a Cobertura report (<coverage line-rate=...>)")
    return float(rate) * 100
