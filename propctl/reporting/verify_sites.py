"""Where each criterion and checked subtask lives, for SARIF: GitHub code scanning rejects a
whole file when one result has no location, and wants every URI relative and non-empty.

A result is placed, in this order, at: the file (and line) its evidence names; the file its
check names (`file`, `files`, `path`, `paths`, `app_dir`, `cwd`, in composite checks too); the
roadmap file at the criterion's line. A path that would leave the repository (absolute, `..`)
is never a location."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propctl.roadmap.models import Check, Roadmap
from propctl.roadmap.yamlsrc import Loc, read_yaml

SRCROOT = "%SRCROOT%"
PROPCTL_ROOT = "PROPCTLROOT"  # the bundled roadmap's folder, when the repo has none of its own
_NAMING_KEYS = ("file", "files", "path", "paths", "app_dir", "cwd")
_GLOB = set("*?[{}")


@dataclass(frozen=True)
class Site:
    uri: str
    line: int | None = None
    base: str = SRCROOT


@dataclass(frozen=True)
class Sites:
    """Per item id: the file its check names (if any) and its place in the roadmap."""

    named: dict[str, Site]
    roadmap: dict[str, Site]
    roadmap_root: str | None = None  # where the bundled roadmap is (file URI), for the reader

    def of(self, item_id: str) -> Site | None:
        return self.named.get(item_id) or self.roadmap.get(item_id)


def repo_uri(path: str | None) -> str | None:
    """`path` as a relative URI inside the repository, or None when it is not one."""
    if not path or "\\" in path:
        return None
    clean = posixpath.normpath(path)
    if clean in (".", "") or clean.startswith(("/", "../")) or clean == "..":
        return None
    return clean


def find_sites(roadmap: Roadmap, roadmap_path: Path, repo: Path) -> Sites:
    named = {
        item_id: site
        for item_id, check in _checks(roadmap)
        if (site := _named(check, roadmap, repo))
    }
    try:
        rel = roadmap_path.resolve().relative_to(repo.resolve()).as_posix()
        uri, base, root = rel, SRCROOT, None
    except ValueError:  # the bundled roadmap: outside the repo
        uri, base = f"{roadmap_path.parent.name}/{roadmap_path.name}", PROPCTL_ROOT
        root = roadmap_path.resolve().parent.parent.as_uri() + "/"
    lines = _item_lines(roadmap_path)
    places = {item_id: Site(uri, lines.get(item_id), base) for item_id, _ in _checks(roadmap)}
    return Sites(named, places, root)


def _checks(roadmap: Roadmap) -> list[tuple[str, Check]]:
    out: list[tuple[str, Check]] = []
    for task in roadmap.tasks():
        out += [(s.id, s.check) for s in task.subtasks if s.check is not None]
        out += [(c.id, c.check) for c in task.acceptance]
    return out


def _named(check: Check, roadmap: Roadmap, repo: Path) -> Site | None:
    """The first file the check names literally (no glob; a folder is no place for a result)."""
    for value in _named_values(check.params):
        uri = repo_uri(_expand(value, roadmap.paths))
        if uri and not _GLOB & set(uri) and not (repo / uri).is_dir():
            return Site(uri)
    return None


def _named_values(params: dict[str, Any]) -> list[str]:
    values: list[str] = []
    for key in _NAMING_KEYS:
        value = params.get(key)
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list):
            values += [v for v in value if isinstance(v, str)]
    for sub in params.get("checks") or []:
        if isinstance(sub, dict):
            values += _named_values(sub)
    return values


def _expand(value: str, paths: dict[str, str]) -> str:
    try:
        return value.format_map(paths)
    except (KeyError, ValueError, IndexError):
        return value  # braces that are not placeholders: no location from it


def _item_lines(path: Path) -> dict[str, int]:
    """The line of every criterion and subtask in the roadmap file, by id."""
    try:
        doc = read_yaml(path)
    except Exception:  # noqa: BLE001 - the roadmap loaded once already; lines are a nicety
        return {}
    lines: dict[str, int] = {}
    for ti, tier in enumerate(_list(doc.data, "tiers")):
        for ki, task in enumerate(_list(tier, "tasks")):
            for field in ("subtasks", "acceptance"):
                for ii, item in enumerate(_list(task, field)):
                    loc: Loc = ("tiers", ti, "tasks", ki, field, ii)
                    if isinstance(item, dict) and loc in doc.marks:
                        lines[str(item.get("id"))] = doc.marks[loc][0]
    return lines


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []
