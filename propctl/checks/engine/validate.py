"""Validate every check's parameters against its kind's `Params` model, located like the loader's
errors (file:line:col and field path), and report them with the roadmap's own problems in one
message: `validated(doc, validate)` is what `checklist validate` and `verify` call.

Parameters are read from the document as written, not from a validated roadmap, so that a file
with a model error and a bad check parameter says both at once. Nested checks (`all`, `any`)
are validated the same way, at their own locations; an unknown parameter gets a did-you-mean."""

from __future__ import annotations

import difflib
import math
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from propctl.errors import RoadmapError
from propctl.roadmap.kinds import CHECK_KINDS
from propctl.roadmap.models import Roadmap
from propctl.roadmap.yamlsrc import Loc, LocatedDoc

_NESTED = ("all", "any")  # kinds whose `checks` are checks


def check_locations(data: Any) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """Every check mapping in roadmap data (as written) with its field path."""
    for ti, tier in _items(data, "tiers"):
        for ki, task in _items(tier, "tasks"):
            for key in ("subtasks", "acceptance"):
                for i, item in _items(task, key):
                    check = item.get("check")
                    if isinstance(check, dict):
                        yield ("tiers", ti, "tasks", ki, key, i, "check"), check


def _items(parent: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = parent.get(key) if isinstance(parent, dict) else None
    if isinstance(value, list):
        yield from ((i, v) for i, v in enumerate(value) if isinstance(v, dict))


def param_problems(
    roadmap: Roadmap | None = None,
    doc: LocatedDoc | None = None,
    kinds: dict[str, Any] | None = None,
) -> list[str]:
    """One located message per invalid parameter; empty when all are valid. Reads `doc` as
    written when given, else the roadmap's checks."""
    if kinds is None:
        from propctl.checks.engine.base import registry

        kinds = registry()
    data = doc.data if doc is not None else roadmap.model_dump(mode="python") if roadmap else {}
    problems: list[str] = []
    for loc, check in check_locations(data):
        problems += _check_problems(doc, loc, check, kinds)
    return problems


def validated(doc: LocatedDoc, validate: Callable[[LocatedDoc], Roadmap]) -> Roadmap:
    """`validate(doc)` (the loader), with every check parameter checked too: one RoadmapError
    lists the model's problems and the parameters' together."""
    try:
        roadmap = validate(doc)
    except RoadmapError as exc:
        extra = param_problems(doc=doc)
        if not extra:
            raise
        problems = [*exc.problems, *extra]
        raise RoadmapError(
            f"{doc.source}: {len(problems)} problem(s)", problems=problems, hint=exc.hint
        ) from None
    problems = param_problems(doc=doc)
    if problems:
        raise RoadmapError(
            f"{doc.source}: {len(problems)} invalid check parameter(s)",
            problems=problems,
            hint="`propctl checklist schema` lists every kind's parameters",
        )
    return roadmap


def load_validated(path: Path, load: Callable[[], Roadmap]) -> Roadmap:
    """`load()` (the roadmap at `path`, loaded the caller's way), with every check parameter
    checked; on any problem the file is read again, so that the model's problems and the
    parameters' are reported together, located. A valid roadmap is read once."""
    from propctl.roadmap.loader import validate_document
    from propctl.roadmap.yamlsrc import read_yaml

    try:
        roadmap = load()
    except RoadmapError:
        validated(read_yaml(path), validate_document)
        raise
    if param_problems(roadmap):
        validated(read_yaml(path), validate_document)
    return roadmap


def _check_problems(
    doc: LocatedDoc | None, loc: Loc, check: dict[str, Any], kinds: dict[str, Any]
) -> list[str]:
    kind = check.get("kind")
    params = {k: v for k, v in check.items() if k != "kind"}
    problems = [_at(doc, (*loc, *where), msg) for where, msg in _non_finite(params)]
    cls = kinds.get(kind) if isinstance(kind, str) else None
    if cls is None:
        return problems  # the loader names an unknown kind (nested ones: _nested_problems)
    if kind in _NESTED and isinstance(params.get("checks"), list) and params["checks"]:
        problems += _nested_problems(doc, loc, params["checks"], kinds)
        params = {**params, "checks": [{"kind": "manual"}]}  # the outer mapping's own keys
    try:
        cls.Params.model_validate(params)
    except ValidationError as exc:
        problems += [_describe(doc, loc, err, str(kind), cls.Params) for err in exc.errors()]
    return problems


def _nested_problems(
    doc: LocatedDoc | None, loc: Loc, checks: list[Any], kinds: dict[str, Any]
) -> list[str]:
    problems: list[str] = []
    for i, nested in enumerate(checks):
        where: Loc = (*loc, "checks", i)
        kind = nested.get("kind") if isinstance(nested, dict) else None
        if not isinstance(nested, dict) or kind is None:
            problems.append(_at(doc, where, "every nested check is a mapping with a kind"))
        elif kind not in CHECK_KINDS:
            close = difflib.get_close_matches(str(kind), CHECK_KINDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(_at(doc, (*where, "kind"), f"unknown check kind {kind!r}{hint}"))
        else:
            problems += _check_problems(doc, where, nested, kinds)
    return problems


def _non_finite(value: Any, where: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """NaN and infinities anywhere in the parameters: no check can mean one (`min: .nan`
    compares false with everything, so a threshold of NaN would never fail)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield where, f"not a finite number (got {value!r})"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*where, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, (*where, index))


def _describe(doc: LocatedDoc | None, loc: Loc, err: Any, kind: str, model: type[Any]) -> str:
    where: Loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = f"unknown parameter {where[-1]!r}{_did_you_mean(model, where)}"
        message += f" for check kind {kind!r}"
    elif err["type"] == "missing":
        message = f"parameter required by check kind {kind!r}"
    elif "input" in err and not isinstance(err["input"], dict | list):
        message += f" (got {err['input']!r:.60})"
    return _at(doc, (*loc, *where), message)


def _did_you_mean(model: type[Any], where: Loc) -> str:
    owner = _model_at(model, where[:-1])
    if owner is None:
        return ""
    names = sorted({info.alias or name for name, info in owner.model_fields.items()})
    close = difflib.get_close_matches(str(where[-1]), names, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (its parameters: {', '.join(names)})" if names else " (it takes none)"


def _model_at(model: type[Any], path: Loc) -> type[BaseModel] | None:
    """The pydantic model that holds the field at `path` inside `model` (lists and optionals
    looked through), or None when `path` leads elsewhere."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue  # an item of a list: its model is the list's
        fields = getattr(current, "model_fields", None)
        if fields is None:
            return None
        info = next((i for n, i in fields.items() if part in (n, i.alias)), None)
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _at(doc: LocatedDoc | None, loc: Loc, message: str) -> str:
    path = ".".join(str(p) for p in loc)
    where = doc.where(loc) if doc is not None else "roadmap"
    return f"{where}: {path}: {message}"


def _is_union_tag(part: Any) -> bool:
    # pydantic adds the union member's name to locations ('function-after[...]'); drop those
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))
