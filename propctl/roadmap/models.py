"""The roadmap's pydantic models. `extra="forbid"` everywhere but a check's parameters, which
belong to the check kind (validated by `propctl.checks` when the roadmap is checked or run)."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from propctl.roadmap.environments import Environment, default_environments
from propctl.roadmap.kinds import CHECK_KINDS
from propctl.roadmap.naming import SERVICE_RE

_TIER_ID = re.compile(r"^tier[1-9][0-9]*$")
_SUBTASK_ID = re.compile(r"^[1-9][0-9]*\.[0-9]+(-[0-9]+)?$")
_CRITERION_ID = re.compile(r"^[1-9][0-9]*\.a[0-9]+$")
_NAME = SERVICE_RE  # one rule for the roadmap and the generators


class _Strict(BaseModel):
    # NaN compares false with everything: a NaN impact or weight made the score NaN, and NaN
    # passed `--min-score 9.5`. Every number in a roadmap is finite.
    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False)


class Check(BaseModel):
    """A machine check: `kind` plus the kind's own parameters (kept as extra fields)."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    kind: str = Field(description="One of the registered check kinds, or `manual`.")

    @model_validator(mode="after")
    def _finite_params(self) -> Check:
        for where, value in _numbers(self.model_extra or {}, ()):
            if not math.isfinite(value):
                path = ".".join(str(p) for p in where)
                raise ValueError(f"parameter {path}: {value} is not a finite number")
        return self

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in CHECK_KINDS:
            close = difflib.get_close_matches(value, CHECK_KINDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown check kind {value!r}{hint}")
        return value

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @property
    def is_manual(self) -> bool:
        return self.kind == "manual"


def _numbers(
    value: Any, where: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], float]]:
    """Every float in a check's parameters (nested checks included), with its path."""
    if isinstance(value, float):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, (*where, index))


class Dimension(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    baseline: float = Field(ge=0, le=10)
    targets: dict[str, float] = Field(description="Declared score after each tier, by tier id.")
    weight: float = Field(default=1.0, gt=0)


class Service(_Strict):
    name: str = Field(description="Service name without the '-service' suffix.")
    port: int = Field(ge=1024, le=65535)
    title: str | None = None

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"service name {value!r} must match {_NAME.pattern}")
        return value


class FileRef(_Strict):
    path: str
    action: Literal["modify", "create", "update"] = "modify"
    note: str | None = None


class Subtask(_Strict):
    id: str
    text: str
    section: str | None = Field(
        default=None, description="The bold heading the subtask stands under, if any."
    )
    check: Check | None = None

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not _SUBTASK_ID.match(value):
            raise ValueError(f"subtask id {value!r} must look like '2.6' or '11.10-19'")
        return value


class Criterion(_Strict):
    id: str
    text: str
    check: Check
    note: str | None = Field(
        default=None, description="What the check cannot see, or why the criterion is manual."
    )

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not _CRITERION_ID.match(value):
            raise ValueError(f"criterion id {value!r} must look like '2.a1'")
        return value


class Task(_Strict):
    id: int = Field(ge=1)
    title: str
    priority: Literal["P0", "P1", "P2", "P3"]
    effort_hours: float = Field(gt=0)
    score_impact: float = Field(description="The document's declared 'Score Impact'.")
    impacts: dict[str, float] = Field(
        default_factory=dict, description="How the task moves each dimension when complete."
    )
    generators: list[str] = Field(default_factory=list)
    subtasks_heading: str | None = None
    subtasks: list[Subtask] = Field(default_factory=list)
    acceptance: list[Criterion] = Field(default_factory=list)
    files_heading: str | None = None
    files: list[FileRef] = Field(default_factory=list)


class Tier(_Strict):
    id: str
    number: int = Field(ge=1)
    name: str
    label: str | None = Field(default=None, description="The heading's word, e.g. IMMEDIATE.")
    summary: str | None = Field(default=None, description="Progress-tracker text for the tier.")
    weeks: tuple[int, int]
    target_score: float = Field(ge=0, le=10)
    tasks: list[Task]

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not _TIER_ID.match(value):
            raise ValueError(f"tier id {value!r} must look like 'tier1'")
        return value

    @model_validator(mode="after")
    def _weeks_ordered(self) -> Tier:
        if self.weeks[0] > self.weeks[1]:
            raise ValueError(f"weeks {list(self.weeks)} end before they start")
        return self


class Waiver(_Strict):
    criterion: str
    owner: str
    reason: str
    expires: date


class Roadmap(_Strict):
    version: Literal[1] = 1
    name: str
    purpose: str | None = None
    start: date = Field(description="Monday of week 1; reports draw the plan line from it.")
    total_effort_hours: float | None = Field(default=None, description="Declared total effort.")
    total_weeks: int | None = None
    updated: date | None = None
    dimensions: list[Dimension]
    overall_targets: dict[str, float] = Field(
        description="Declared overall score: `baseline` and one per tier id."
    )
    paths: dict[str, str] = Field(
        default_factory=lambda: {"api": "apps/api", "web": "apps/web", "services": "apps"},
        description="Places checks and generators refer to as {name}.",
    )
    cors_origins: list[str] = Field(default_factory=list)
    coverage_threshold: float = Field(default=85.0, ge=0, le=100)
    services: list[Service] = Field(default_factory=list)
    environments: list[Environment] = Field(
        default_factory=default_environments,
        description="Staging and production: namespace, Pulumi stack and API host, defined once "
        "for overlays, workflows, ingress, live checks and infra. Default: propmubi-<name> "
        "namespaces, stacks named as the environments, api[.staging].propmubi.com.",
    )
    waivers: list[Waiver] = Field(default_factory=list)
    tiers: list[Tier]

    # ---- navigation -------------------------------------------------------------------------
    def tasks(self) -> list[Task]:
        return [task for tier in self.tiers for task in tier.tasks]

    def task(self, task_id: int) -> Task:
        for task in self.tasks():
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def tier_of(self, task_id: int) -> Tier:
        for tier in self.tiers:
            if any(task.id == task_id for task in tier.tasks):
                return tier
        raise KeyError(task_id)

    def criteria(self) -> list[tuple[Task, Criterion]]:
        return [(task, c) for task in self.tasks() for c in task.acceptance]

    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)

    def environment(self, name: str) -> Environment:
        """`staging` or `production` (validation guarantees both are there)."""
        for env in self.environments:
            if env.name == name:
                return env
        raise KeyError(name)
