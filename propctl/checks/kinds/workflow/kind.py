"""`workflow`: GitHub Actions workflows valid against the workflow schema (the one the
check-jsonschema package ships, `vendor.github-workflows`), with the required jobs, triggers,
environments, `needs` and steps.

Conditions are judged per workflow file, because GitHub runs a job only on its own file's
triggers: "a test job on pull_request" holds when one file has both, never a test job in one
file and a pull_request trigger in another. Job and step patterns are searched (anchor with
`^...$` for a whole job id), like every pattern parameter of every kind. Files are read as
GitHub reads them (`propctl.checks.kinds.workflow.github_yaml`: `on:` is the key "on",
`yes`/`off` strings)."""

from __future__ import annotations

import json
import re
from functools import cache
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
from propctl.checks.support.kind_helpers import (
    MISSING_FIELD,
    Missing,
    cap,
    expand_all,
    nothing_to_judge,
    plural,
)

SEARCHED = "Python regular expressions, searched (anchor with ^...$ to match a whole id)"


class WorkflowParams(CheckParams):
    files: str | list[str] = Field(
        default=[".github/workflows/*.yml", ".github/workflows/*.yaml"],
        description="Workflow files or globs, repo-relative; {workflows} etc.",
    )
    jobs: list[str] = Field(
        default_factory=list,
        description=f"{SEARCHED}: each must match a job id of the same workflow file.",
    )
    triggers: list[str] = Field(
        default_factory=list,
        description="Events (pull_request, push, ...) the same workflow file runs on (`on:`).",
    )
    environments: list[str] = Field(
        default_factory=list,
        description="Environments a job of the same file deploys to (a job `jobs` matches, "
        "when given).",
    )
    needs: dict[str, list[str]] = Field(
        default_factory=dict,
        description=f"{{job pattern: [job pattern, ...]}}, {SEARCHED}: in the same file, a job "
        "the key matches needs (directly or through other jobs) a job each value matches.",
    )
    steps: list[str] = Field(
        default_factory=list,
        description=f"{SEARCHED}: each must match a step's `run` or `uses` in the same file (in "
        "a job `jobs` matches, when given). Step names are labels and never count.",
    )
    every_file: bool = Field(
        default=False,
        description="Every selected file must meet the conditions (default: at least one).",
    )
    min_files: int = Field(default=1, ge=1, description="Workflow files needed.")
    missing: Missing = MISSING_FIELD

    @field_validator("jobs", "steps")
    @classmethod
    def _compile_all(cls, values: list[str]) -> list[str]:
        for value in values:
            _compiles(value)
        return values

    @field_validator("needs")
    @classmethod
    def _compile_needs(cls, values: dict[str, list[str]]) -> dict[str, list[str]]:
        for key, wanted in values.items():
            for value in [key, *wanted]:
                _compiles(value)
        return values


def _compiles(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"/{value}/ is not a valid regular expression: {exc}") from None


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
        files = self.selected(ctx)
        if len(files) < self.params.min_files:
            return nothing_to_judge(
                self.params.missing if not files else "fail",
                f"{plural(len(files), 'workflow')} at "
                f"{', '.join(expand_all(ctx, self.params.files))}, need {self.params.min_files}",
            )
        problems: list[Evidence] = []
        unmet: dict[str, list[str]] = {}
        for name in files:
            data, found = _read(ctx, name)
            problems += found
            if data is not None:
                unmet[name] = unmet_conditions(self.params, data)
        if problems:
            return _failed(problems, "in the workflows")
        return self._verdict(files, unmet)

    def _verdict(self, files: list[str], unmet: dict[str, list[str]]) -> Result:
        meeting = [name for name in files if not unmet.get(name)]
        missed = [Evidence("; ".join(why), name) for name, why in unmet.items() if why]
        if self.params.every_file and missed:
            return _failed(missed, f"of {len(files)} workflows")
        if not meeting:
            return _failed(missed, "no workflow file meets every condition")
        shown = meeting if self.params.every_file else meeting[:1]
        return Result.passed(
            f"{plural(len(files), 'workflow')} valid; "
            + (f"conditions met in {', '.join(shown[:3])}" if _has_conditions(self.params) else "")
            + (f" (+{len(shown) - 3})" if len(shown) > 3 else ""),
            [Evidence("valid" + (", conditions met" if f in meeting else ""), f) for f in files][
                :10
            ],
        )


def _failed(problems: list[Evidence], where: str) -> Result:
    if len(problems) == 1:
        only = problems[0]
        return Result.failed(f"{only.file}: {only.detail}" if only.file else only.detail, problems)
    return Result.failed(f"{plural(len(problems), 'problem')}: {where}", cap(problems))


def _read(ctx: CheckContext, name: str) -> tuple[dict[str, Any] | None, list[Evidence]]:
    import yaml

    from propctl.checks.kinds.workflow.github_yaml import load_github_yaml

    text = ctx.files.read_text(name)
    if text is None:
        why = ctx.files.unread(name) or "unreadable"
        return None, [Evidence(f"cannot read: {why}", name)]
    try:
        data = load_github_yaml(text)
    except yaml.YAMLError as exc:
        return None, [Evidence(f"not YAML: {str(exc).splitlines()[0]}", name)]
    problems = [Evidence(p, name) for p in schema_problems(data)]
    return (data if isinstance(data, dict) and not problems else None), problems


def _has_conditions(p: WorkflowParams) -> bool:
    return bool(p.jobs or p.triggers or p.environments or p.needs or p.steps)


def unmet_conditions(p: WorkflowParams, data: dict[str, Any]) -> list[str]:
    """What one workflow file lacks of the conditions; empty when it meets them all."""
    # a job that can never run (`if: false`) runs nothing on any trigger
    jobs = {
        str(k): v
        for k, v in (data.get("jobs") or {}).items()
        if isinstance(v, dict) and not _disabled(v)
    }
    triggers = _triggers(data.get("on"))
    out = [f"no job matches /{j}/ (jobs: {sorted(jobs)})" for j in p.jobs if not _ids(j, jobs)]
    out += [
        f"does not run on {t} (triggers: {sorted(triggers)})"
        for t in p.triggers
        if t not in triggers
    ]
    chosen = {j: jobs[j] for pattern in p.jobs for j in _ids(pattern, jobs)} if p.jobs else jobs
    whose = " matching the job patterns" if p.jobs else ""
    used = _environments(chosen)
    out += [
        f"no job{whose} deploys to environment {e!r} (environments: {sorted(used)})"
        for e in p.environments
        if e not in used
    ]
    out += _unmet_needs(p.needs, jobs)
    runs = [s for job in chosen.values() for s in _step_texts(job)]
    out += [
        f"no step{whose} runs or uses /{s}/"
        for s in p.steps
        if not any(re.search(s, r) for r in runs)
    ]
    return out


def _ids(pattern: str, jobs: dict[str, Any]) -> list[str]:
    return [j for j in jobs if re.search(pattern, j)]


def _unmet_needs(needs: dict[str, list[str]], jobs: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, wanted in needs.items():
        owners = _ids(key, jobs)
        if not owners:
            out.append(f"no job matches /{key}/ (jobs: {sorted(jobs)})")
            continue
        for value in wanted:
            if not any(re.search(value, dep) for job in owners for dep in _upstream(job, jobs)):
                out.append(f"no job matching /{key}/ needs a job matching /{value}/")
    return out


def _upstream(job: str, jobs: dict[str, Any]) -> set[str]:
    """Every job `job` waits for, directly or through other jobs."""
    seen: set[str] = set()
    frontier = [job]
    while frontier:
        needs = jobs.get(frontier.pop(), {}).get("needs") or []
        for dep in [needs] if isinstance(needs, str) else needs:
            if isinstance(dep, str) and dep not in seen:
                seen.add(dep)
                frontier.append(dep)
    return seen


def _step_texts(job: dict[str, Any]) -> list[str]:
    raw = job.get("steps")
    steps: list[Any] = raw if isinstance(raw, list) else []
    texts = [
        str(s[k])
        for s in steps
        if isinstance(s, dict) and not _disabled(s)
        for k in ("run", "uses")
        if k in s
    ]
    # a reusable workflow called as a job: what it uses is its `uses`
    return texts + ([str(job["uses"])] if "uses" in job else [])


_NEVER = re.compile(r"^\s*(?:\$\{\{\s*)?(?:false|0|''|\"\")(?:\s*\}\})?\s*$")


def _disabled(node: dict[str, Any]) -> bool:
    """`if: false` (or `${{ false }}`): the job or step never runs."""
    condition = node.get("if")
    return condition is False or (isinstance(condition, str) and bool(_NEVER.match(condition)))


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
