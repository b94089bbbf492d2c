"""`workflow`: GitHub Actions workflows valid against the workflow schema (the one the
check-jsonschema package ships, `vendor.github-workflows`), with the required jobs, triggers
and environments (e.g. a deploy job in environment `production`)."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from pydantic import Field

from propctl.checks import safeyaml
from propctl.checks.base import CheckContext, CheckKind, CheckParams, Evidence, Result, register
from propctl.checks.helpers import cap, expand_all, plural


class WorkflowParams(CheckParams):
    files: str | list[str] = Field(default=[".github/workflows/*.yml", ".github/workflows/*.yaml"])
    jobs: list[str] = Field(
        default_factory=list, description="Regexes: each must match a job id in some workflow."
    )
    triggers: list[str] = Field(
        default_factory=list, description="Events (pull_request, push...) some workflow uses."
    )
    environments: list[str] = Field(
        default_factory=list, description="Environments some job deploys to."
    )
    min_files: int = Field(default=1, ge=0)


@register("workflow")
class Workflow(CheckKind):
    """GitHub Actions workflows: schema-valid, with required jobs, triggers, environments."""

    Params = WorkflowParams
    params: WorkflowParams

    def selected(self, ctx: CheckContext) -> list[str]:
        return ctx.files.select(expand_all(ctx, self.params.files))

    def inputs(self, ctx: CheckContext) -> list[str]:
        return self.selected(ctx)

    def run(self, ctx: CheckContext) -> Result:
        import yaml

        files = self.selected(ctx)
        if len(files) < self.params.min_files:
            return Result.failed(
                f"{plural(len(files), 'workflow')} at "
                f"{', '.join(expand_all(ctx, self.params.files))}, need "
                f"{self.params.min_files}"
            )
        problems: list[Evidence] = []
        jobs: set[str] = set()
        triggers: set[str] = set()
        environments: set[str] = set()
        for name in files:
            try:
                data = safeyaml.safe_load(ctx.files.read_text(name) or "")
            except yaml.YAMLError as exc:
                problems.append(Evidence(f"not YAML: {str(exc).splitlines()[0]}", name))
                continue
            if isinstance(data, dict) and True in data:  # YAML 1.1 reads the key `on` as true
                data["on"] = data.pop(True)
            problems += [Evidence(p, name) for p in schema_problems(data)]
            if isinstance(data, dict):
                jobs |= set((data.get("jobs") or {}).keys())
                triggers |= _triggers(data.get("on"))
                environments |= _environments(data.get("jobs") or {})
        problems += [
            Evidence(f"no job matches /{j}/ (jobs: {sorted(jobs)})")
            for j in self.params.jobs
            if not any(re.fullmatch(j, x) for x in jobs)
        ]
        problems += [
            Evidence(f"no workflow runs on {t} (triggers: {sorted(triggers)})")
            for t in self.params.triggers
            if t not in triggers
        ]
        problems += [
            Evidence(f"no job deploys to environment {e!r} (environments: {sorted(environments)})")
            for e in self.params.environments
            if e not in environments
        ]
        if problems:
            return Result.failed(
                problems[0].detail
                if len(problems) == 1
                else f"{plural(len(problems), 'problem')} in the workflows",
                cap(problems),
            )
        return Result.passed(
            f"{plural(len(files), 'workflow')} valid; jobs {sorted(jobs)}",
            [Evidence("valid", f) for f in files[:10]],
        )


@cache
def _schema() -> dict[str, Any]:
    from importlib.resources import files

    source = files("check_jsonschema.builtin_schemas.vendor").joinpath("github-workflows.json")
    return json.loads(source.read_text("utf-8"))  # type: ignore[no-any-return]


def schema_problems(data: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.validators.validator_for(_schema())(_schema())
    return [
        f"schema: {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message[:160]}"
        for e in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))[:5]
    ]


def _triggers(on: Any) -> set[str]:
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(x) for x in on}
    if isinstance(on, dict):
        return {str(k) for k in on}
    return set()


def _environments(jobs: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for job in jobs.values():
        env = job.get("environment") if isinstance(job, dict) else None
        if isinstance(env, str):
            out.add(env)
        elif isinstance(env, dict) and env.get("name"):
            out.add(str(env["name"]))
    return out
