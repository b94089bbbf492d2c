"""Rendering templates in memory: `templates/<name>/**` to `FileSpec`s (`render_dir`), a template
string (`render_text`), with propctl's Jinja environment (sandboxed, `StrictUndefined`, the
delimiters `[[ ]]`, `[% %]`, `[# #]` or a folder's own `_delimiters.json`); and `sha256`, the
digest the manifest keeps of what was written."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.generators.engine.names import safe_relpath
from propctl.generators.engine.specs import FileSpec

if TYPE_CHECKING:
    from jinja2 import FileSystemBytecodeCache
    from jinja2.sandbox import SandboxedEnvironment

DELIMITERS = ("[[", "]]", "[%", "%]", "[#", "#]")
DELIMITERS_FILE = "_delimiters.json"


@cache
def _environment(delimiters: tuple[str, ...] = DELIMITERS) -> SandboxedEnvironment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from propctl.resources import templates_dir

    var_start, var_end, block_start, block_end, comment_start, comment_end = delimiters
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        bytecode_cache=_bytecode_cache(),
        variable_start_string=var_start,
        variable_end_string=var_end,
        block_start_string=block_start,
        block_end_string=block_end,
        comment_start_string=comment_start,
        comment_end_string=comment_end,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _delimiters(root: Path) -> tuple[str, ...]:
    """A template folder may choose its own delimiters in `_delimiters.json` (e.g. a shell-heavy
    template whose `[[ -f x ]]` would collide): {"variable": ["<<", ">>"], "block": ["<%", "%>"],
    "comment": ["<#", "#>"]}; unnamed pairs keep the defaults."""
    path = root / DELIMITERS_FILE
    if not path.is_file():
        return DELIMITERS
    import json

    try:
        data = json.loads(path.read_text("utf-8"))
        chosen = list(DELIMITERS)
        for index, key in enumerate(("variable", "block", "comment")):
            if key in data:
                start, end = data[key]
                if not (isinstance(start, str) and isinstance(end, str) and start and end):
                    raise ValueError(f"{key}: two non-empty strings")
                chosen[2 * index : 2 * index + 2] = [start, end]
        if unknown := set(data) - {"variable", "block", "comment"}:
            raise ValueError(f"unknown keys {sorted(unknown)}")
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"{path}: {exc}", hint='e.g. {"variable": ["<<", ">>"], "block": ["<%", "%>"]}'
        ) from None
    return tuple(chosen)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs (keyed by the template's source checksum, so an
    edited template is recompiled): most of a scaffold's time is otherwise Jinja compiling."""
    from jinja2 import FileSystemBytecodeCache

    from propctl.memo import user_cache_dir

    folder = str(user_cache_dir("jinja"))
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(folder) if os.access(folder, os.W_OK) else None


def render_text(
    source: str, variables: Mapping[str, Any], delimiters: tuple[str, ...] = DELIMITERS
) -> str:
    from jinja2 import TemplateError

    try:
        return _environment(delimiters).from_string(source).render(**variables)
    except TemplateError as exc:
        raise UserError(f"template text: {exc.__class__.__name__}: {exc}") from None


def render_dir(template: str, variables: Mapping[str, Any], dest: str = "") -> list[FileSpec]:
    """Every file of `templates/<template>/`, rendered, placed under `dest`."""
    from propctl.resources import templates_dir

    root = templates_dir() / safe_relpath(template, "template")
    if not root.is_dir():
        raise UserError(f"no template {template!r} in {templates_dir()}")
    delimiters = _delimiters(root)
    specs = []
    for source in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = source.relative_to(root).as_posix()
        if (
            "__pycache__" in relative
            or relative.endswith((".pyc", ".pyo"))
            or (relative == DELIMITERS_FILE)
        ):
            continue
        path = _render_path(relative, variables, delimiters)
        if path is None:
            continue
        target = safe_relpath(f"{dest}/{path}" if dest else path, f"{template}: {relative}")
        executable = bool(source.stat().st_mode & 0o100)
        specs.append(FileSpec(target, _render_file(source, variables, delimiters), executable))
    return specs


def _render_path(
    relative: str, variables: Mapping[str, Any], delimiters: tuple[str, ...]
) -> str | None:
    relative = relative.removesuffix(".jinja")
    if delimiters[0] not in relative and delimiters[2] not in relative:
        return relative
    parts = [render_text(part, variables, delimiters) for part in relative.split("/")]
    return None if any(not p.strip() for p in parts) else "/".join(parts)


def _render_file(source: Path, variables: Mapping[str, Any], delimiters: tuple[str, ...]) -> str:
    from jinja2 import TemplateError

    from propctl.resources import templates_dir

    if source.suffix != ".jinja":
        return source.read_text("utf-8")
    name = source.relative_to(templates_dir()).as_posix()
    try:
        return _environment(delimiters).get_template(name).render(**variables)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{name}:{line}" if line else name
        raise UserError(f"template {where}: {exc.__class__.__name__}: {exc}") from None


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
