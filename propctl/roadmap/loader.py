"""Load a roadmap file into a validated `Roadmap`; every problem is located by file:line:col and
field path, and raised as one `RoadmapError` (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from propctl.errors import RoadmapError
from propctl.roadmap.integrity import integrity_problems
from propctl.roadmap.models import Roadmap
from propctl.roadmap.yamlsrc import Loc, LocatedDoc, parse_yaml, read_yaml


def load_roadmap(path: Path) -> Roadmap:
    return _validate(read_yaml(path))


def parse_roadmap(text: str | bytes, source: str = "<roadmap>") -> Roadmap:
    return _validate(parse_yaml(text, source))


def validate_document(doc: LocatedDoc) -> Roadmap:
    """Validate already-parsed data whose locations are known (YAML, or imported Markdown)."""
    return _validate(doc)


def _validate(doc: LocatedDoc) -> Roadmap:
    if not isinstance(doc.data, dict):
        raise RoadmapError(
            f"{doc.where(())}: a roadmap is a mapping with `name`, `dimensions` and `tiers`; "
            f"this file holds a {type(doc.data).__name__}"
        )
    try:
        roadmap = Roadmap.model_validate(doc.data)
    except ValidationError as exc:
        problems = [_describe(doc, err) for err in exc.errors()]
        raise RoadmapError(
            f"{doc.source}: {len(problems)} problem(s)",
            problems=problems,
            hint="`propctl checklist schema` prints every field",
        ) from None
    located = [f"{doc.where(loc)}: {_path(loc)}: {msg}" for loc, msg in integrity_problems(roadmap)]
    if located:
        raise RoadmapError(f"{doc.source}: {len(located)} problem(s)", problems=located)
    return roadmap


def _path(loc: Loc) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _describe(doc: LocatedDoc, err: Any) -> str:
    loc: Loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if err["type"] == "extra_forbidden":
        message = _extra_message(loc)
    elif err["type"] == "missing":
        message = "field required"
    elif "input" in err and not isinstance(err["input"], dict | list):
        message += f" (got {err['input']!r:.60})"
    return f"{doc.where(loc)}: {_path(loc)}: {message}"


def _extra_message(loc: Loc) -> str:
    field = loc[-1] if loc else "?"
    if field == "tasks" and len(loc) == 1:
        return "tasks must be listed under a tier (tiers.N.tasks), not at the top level"
    return f"unknown field {field!r}"


def _is_union_tag(part: str | int) -> bool:
    # pydantic adds the union member's name to locations ('function-after[...]'); drop those.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))
