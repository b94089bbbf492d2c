"""Validate every check's parameters against its kind's `Params` model, located like the loader's
errors (file:line:col and field path). Kinds not registered yet are left alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from propctl.roadmap.models import Check, Roadmap
from propctl.roadmap.yamlsrc import Loc, LocatedDoc


def check_locations(roadmap: Roadmap) -> Iterator[tuple[Loc, Check]]:
    """Every check in the roadmap with its field path."""
    for ti, tier in enumerate(roadmap.tiers):
        for ki, task in enumerate(tier.tasks):
            base: Loc = ("tiers", ti, "tasks", ki)
            for i, subtask in enumerate(task.subtasks):
                if subtask.check is not None:
                    yield (*base, "subtasks", i, "check"), subtask.check
            for i, criterion in enumerate(task.acceptance):
                yield (*base, "acceptance", i, "check"), criterion.check


def param_problems(
    roadmap: Roadmap, doc: LocatedDoc | None = None, kinds: dict[str, Any] | None = None
) -> list[str]:
    """One located message per invalid parameter; empty when all are valid."""
    if kinds is None:
        from propctl.checks.base import registry

        kinds = registry()
    problems: list[str] = []
    for loc, check in check_locations(roadmap):
        cls = kinds.get(check.kind)
        if cls is None:
            continue
        try:
            cls.Params.model_validate(check.params)
        except ValidationError as exc:
            problems += [
                _describe(doc, (*loc, *err["loc"]), err, check.kind) for err in exc.errors()
            ]
    return problems


def _describe(doc: LocatedDoc | None, loc: Loc, err: Any, kind: str) -> str:
    path = ".".join(str(p) for p in loc)
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = f"unknown parameter {loc[-1]!r} for check kind {kind!r}"
    elif err["type"] == "missing":
        message = f"parameter required by check kind {kind!r}"
    where = doc.where(loc) if doc is not None else "roadmap"
    return f"{where}: {path}: {message}"
