"""`junit`: JUnit XML reports show at least `min_tests` tests, at most `max_failures` failures
and errors, and (when given) a total time under `max_time_s`."""

from __future__ import annotations

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
from propctl.checks.support.kind_helpers import cap, expand_all


class JunitParams(CheckParams):
    file: str | list[str] = Field(
        default=["**/junit*.xml", "**/test-results/**/*.xml"],
        description="JUnit XML reports (globs); all are added up.",
    )
    min_tests: int = Field(default=1, ge=0)
    max_failures: int = Field(default=0, ge=0)
    max_time_s: float | None = Field(default=None, gt=0)


@register("junit")
class Junit(CheckKind):
    """JUnit XML: enough tests, no failures, fast enough."""

    Params = JunitParams
    params: JunitParams

    def selected(self, ctx: CheckContext) -> list[str]:
        return ctx.files.artifacts(expand_all(ctx, self.params.file))

    def inputs(self, ctx: CheckContext) -> list[str]:
        return self.selected(ctx)

    def run(self, ctx: CheckContext) -> Result:
        reports = self.selected(ctx)
        if not reports:
            return Result.failed(
                "no JUnit report found at " + ", ".join(expand_all(ctx, self.params.file))
            )
        tests = failures = 0
        seconds = 0.0
        evidence: list[Evidence] = []
        for name in reports:
            try:
                t, f, s = totals(ctx.files.read_text(name) or "")
            except ValueError as exc:
                return Result.errored(f"{name}: {exc}", [Evidence(str(exc), name)])
            tests, failures, seconds = tests + t, failures + f, seconds + s
            evidence.append(Evidence(f"{t} tests, {f} failed, {s:.2f}s", name))
        summary = f"{tests} tests, {failures} failed or errored, {seconds:.2f}s"
        problems = []
        if tests < self.params.min_tests:
            problems.append(f"{tests} tests < {self.params.min_tests}")
        if failures > self.params.max_failures:
            problems.append(f"{failures} failures > {self.params.max_failures}")
        if self.params.max_time_s is not None and seconds >= self.params.max_time_s:
            problems.append(f"{seconds:.2f}s >= {self.params.max_time_s:g}s")
        if problems:
            return Result.failed("; ".join(problems) + f" ({summary})", cap(evidence))
        return Result.passed(summary, cap(evidence))


def totals(text: str) -> tuple[int, int, float]:
    """(tests, failures + errors, seconds) over every <testsuite>."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"not XML: {exc}") from None
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    if root.tag not in ("testsuite", "testsuites"):
        raise ValueError(f"not a JUnit report (root <{root.tag}>)")
    tests = failures = 0
    seconds = 0.0
    for suite in suites:
        cases = suite.findall("testcase")
        if cases:
            tests += len(cases)
            failures += sum(
                1 for c in cases if c.find("failure") is not None or c.find("error") is not None
            )
            seconds += float(suite.get("time") or sum(float(c.get("time") or 0) for c in cases))
        else:
            tests += int(suite.get("tests") or 0)
            failures += int(suite.get("failures") or 0) + int(suite.get("errors") or 0)
            seconds += float(suite.get("time") or 0)
    return tests, failures, seconds
