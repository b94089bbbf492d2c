"""Path parameters stay in the repo: every one is checked before anything runs, and a folder a
check works in is resolved (symlinks followed) before it is used.

`PATH_FIELDS` names each kind's parameters that are repo paths or globs; a test keeps it
complete (every string parameter of every kind is either here or in `NOT_PATHS`), so a new
kind's author decides. A value, once its `{api}`-style placeholders are expanded, must be
relative and must not climb out with `..`; `inside` also follows symlinks."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PATH_FIELDS: dict[str, tuple[str, ...]] = {
    "path_exists": ("path", "absent"),
    "text": ("files", "exclude"),
    "structured": ("file",),
    "python": ("file", "context"),
    "coverage": ("file",),
    "junit": ("file",),
    "secrets": ("paths", "exclude", "allowlist"),
    "k8s": ("files",),
    "workflow": ("files",),
    "asgi": ("app_dir",),
    "command": ("cwd",),
    "infra_plan": ("path",),
}
# string parameters that are not repo paths (a kubeconfig is the operator's, outside the repo)
NOT_PATHS: dict[str, tuple[str, ...]] = {
    "text": ("pattern", "missing"),
    "secrets": ("missing",),
    "structured": ("query", "format", "every_match", "none_match", "missing"),
    "python": ("rule", "allowed", "prefix", "name", "allow"),
    "workflow": ("jobs", "triggers", "environments", "steps", "missing", "needs"),
    "k8s": ("rules", "kubernetes_version", "custom_resources"),
    "asgi": ("app", "openapi_prefix", "docs_url", "redis"),
    "command": ("run", "output_matches"),
    "infra_plan": ("stack", "policies"),
    "aws": ("resource", "name", "stack", "region", "instance_class"),
    "k8s_live": ("environments", "namespaces", "require", "kubeconfig", "context"),
    "path_exists": ("type",),
}


def outside(value: str) -> bool:
    """True when a relative path or glob leaves the repo by its names alone."""
    norm = posixpath.normpath(value.replace("\\", "/"))
    return norm.startswith("/") or norm == ".." or norm.startswith("../") or _drive(value)


def _drive(value: str) -> bool:
    return len(value) > 1 and value[1] == ":" and value[0].isalpha()


def problems(check: dict[str, Any], expand: Any, where: str) -> list[str]:
    """`where.check.FIELD: VALUE leads out of the repo` for each path parameter that does,
    nested checks (all/any) included; `expand` fills in `{api}` and the like."""
    out: list[str] = []
    for loc, field, value in _path_values(check, "check"):
        shown = expand(value)
        if outside(shown):
            via = f" ({value} expanded)" if shown != value else ""
            out.append(
                f"{where}.{loc}.{field}: {shown}{via} is outside the repo; path parameters "
                "are relative to the repo and stay in it"
            )
    return out


def _path_values(check: dict[str, Any], loc: str) -> Iterator[tuple[str, str, str]]:
    for field in PATH_FIELDS.get(str(check.get("kind")), ()):
        value = check.get(field)
        for item in [value] if isinstance(value, str) else value or []:
            if isinstance(item, str):
                yield loc, field, item
    for index, nested in enumerate(check.get("checks") or []):
        if isinstance(nested, dict):
            yield from _path_values(nested, f"{loc}.checks.{index}")


def inside(repo: Path, rel: str) -> Path | None:
    """`repo/rel` with every symlink resolved, or None when that lies outside the repo."""
    if outside(rel):
        return None
    root = os.path.realpath(repo)
    real = os.path.realpath(os.path.join(root, rel))
    return Path(real) if real == root or real.startswith(root + os.sep) else None
