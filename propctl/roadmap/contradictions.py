"""Checks that cannot all pass on one tree: one requires a path absent that others require
present, once `{api}`-style placeholders are expanded.

Only what a check strictly requires counts: a path reached through `all` checks (never an
`any`, whose alternatives may hold instead), from a check that fails without its file
(`path_exists.path`, `python.file`, and `text.files` / `structured.file` unless `missing:
skip`, or a `text` check that must not match). A required path counts when it is literal (no
glob): a glob in `absent` that matches it is a contradiction. `propctl checklist validate`
warns with both ids and lines; the demo keeps the side most checks stand on and lists the
absent side's ids as criteria that cannot hold together with the others."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from propctl.globs import glob_regex
from propctl.roadmap.models import Check, Roadmap

Loc = tuple[str | int, ...]
# the parameters whose file a check fails without (by kind)
_PRESENT: dict[str, tuple[str, ...]] = {
    "path_exists": ("path",),
    "python": ("file",),
    "structured": ("file",),
    "text": ("files",),
}
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Requirement:
    id: str
    loc: Loc  # where the item's check is in the roadmap file
    path: str  # expanded


@dataclass
class Contradiction:
    """`absent` requires `patterns` gone; each of `present` requires a path one matches."""

    absent: Requirement
    patterns: list[str]
    present: list[Requirement] = field(default_factory=list)

    def message(self, where: Callable[[Loc], str]) -> str:
        shown = ", ".join(f"{r.id} ({where(r.loc)}: {r.path})" for r in self.present[:6])
        more = f" and {len(self.present) - 6} more" if len(self.present) > 6 else ""
        return (
            f"{self.absent.id} ({where(self.absent.loc)}) requires {' and '.join(self.patterns)} "
            f"absent, but "
            f"{shown}{more} require it present: {self.absent.id} cannot hold together with them"
        )

    def as_json(self, where: Callable[[Loc], str]) -> dict[str, Any]:
        return {
            "id": self.absent.id,
            "at": where(self.absent.loc),
            "absent": self.patterns,
            "present": [{"id": r.id, "at": where(r.loc), "path": r.path} for r in self.present],
        }


def contradictions(roadmap: Roadmap) -> list[Contradiction]:
    """Every (absent pattern, required paths it matches) pair, in roadmap order."""
    absent: list[tuple[Requirement, str]] = []
    present: list[Requirement] = []
    for item_id, loc, check in _items(roadmap):
        for kind, data in _required(check.model_dump()):
            expand = _expander(roadmap.paths)
            for pattern in data.get("absent") or [] if kind == "path_exists" else []:
                if isinstance(pattern, str):
                    absent.append((Requirement(item_id, loc, expand(pattern)), expand(pattern)))
            if not _needs_file(kind, data):
                continue
            for name in _PRESENT.get(kind, ()):
                value = data.get(name)
                for path in [value] if isinstance(value, str) else value or []:
                    if isinstance(path, str) and not _GLOB.search(expand(path)):
                        present.append(Requirement(item_id, loc, expand(path)))
    out: dict[str, Contradiction] = {}
    for requirement, pattern in absent:
        regex = glob_regex(pattern)
        hits = [p for p in present if p.id != requirement.id and regex.fullmatch(p.path)]
        if not hits:
            continue
        found = out.setdefault(requirement.id, Contradiction(requirement, []))
        found.patterns.append(pattern)
        for hit in hits:
            if all((p.id, p.path) != (hit.id, hit.path) for p in found.present):
                found.present.append(hit)
    return list(out.values())


def contradictory_ids(roadmap: Roadmap) -> list[str]:
    """The ids that require absent what others require present (the side the demo gives up)."""
    return [c.absent.id for c in contradictions(roadmap)]


def _items(roadmap: Roadmap) -> Iterator[tuple[str, Loc, Check]]:
    for t_index, tier in enumerate(roadmap.tiers):
        for k_index, task in enumerate(tier.tasks):
            base: Loc = ("tiers", t_index, "tasks", k_index)
            for s_index, sub in enumerate(task.subtasks):
                if sub.check is not None:
                    yield sub.id, (*base, "subtasks", s_index, "check"), sub.check
            for c_index, crit in enumerate(task.acceptance):
                yield crit.id, (*base, "acceptance", c_index, "check"), crit.check


def _required(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The checks of a tree that must all pass for it to pass (through `all` only)."""
    kind = str(data.get("kind"))
    if kind == "any":
        return
    yield kind, data
    if kind == "all":
        for nested in data.get("checks") or []:
            if isinstance(nested, Mapping):
                yield from _required(nested)


def _needs_file(kind: str, data: Mapping[str, Any]) -> bool:
    if kind == "text":
        return data.get("must_match", True) is not False and data.get("missing") != "skip"
    if kind == "structured":
        return data.get("missing") != "skip"
    return kind in _PRESENT


def _expander(paths: Mapping[str, str]) -> Callable[[str], str]:
    class _Paths(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    table = _Paths(paths)

    def expand(value: str) -> str:
        try:
            return value.format_map(table)
        except (ValueError, IndexError):
            return value

    return expand
