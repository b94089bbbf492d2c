"""Validators for everything that becomes part of a generated path or file: service and entity
names, ports, repo-relative paths. Each raises `UserError` (exit 2) naming the value, the rule and
the fix, before anything is rendered or written."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from propctl.errors import UserError
from propctl.roadmap.naming import SERVICE_RE

if TYPE_CHECKING:
    from propctl.roadmap.facts import ServiceView

ENTITY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_TEMPLATE_SYNTAX = ("{{", "}}", "{%", "%}", "[[", "]]", "[%", "%]", "${")
_PORT_LINE = re.compile(r"^\s*(?:export\s+)?(?:[A-Z_]*_)?PORT\s*=\s*(\d+)\s*$", re.M)


def _plain(value: str, what: str) -> str:
    if not value or not value.strip():
        raise UserError(f"{what}: empty; give a name")
    for bad, label in (("\x00", "a NUL byte"), ("\n", "a newline"), ("\r", "a carriage return")):
        if bad in value:
            raise UserError(f"{what} {value!r}: contains {label}")
    for syntax in _TEMPLATE_SYNTAX:
        if syntax in value:
            raise UserError(f"{what} {value!r}: template syntax ({syntax!r}) is not allowed")
    return value


def service_name(value: str) -> str:
    """A service name such as `auth` or `trust-score` (without the `-service` suffix)."""
    _plain(value, "service name")
    if value.endswith("-service"):
        raise UserError(
            f"service name {value!r}: leave out the '-service' suffix",
            hint=f"use {value.removesuffix('-service')!r}; the folder is apps/{value}",
        )
    if not SERVICE_RE.match(value):
        raise UserError(
            f"service name {value!r}: must match {SERVICE_RE.pattern} (lowercase letters, "
            "digits and '-', starting with a letter, ending with a letter or digit, 2 to 40 "
            "characters: it names Kubernetes objects)"
        )
    return value


def entity_name(value: str) -> str:
    """An entity (model class) name: a Python identifier that is not a keyword."""
    _plain(value, "entity name")
    if not ENTITY_RE.match(value) or keyword.iskeyword(value) or keyword.issoftkeyword(value):
        raise UserError(
            f"entity name {value!r}: must be a Python identifier (letters, digits "
            "and '_', not starting with a digit, not a keyword), e.g. Property"
        )
    return value


def port(
    value: int | str,
    *,
    service: str,
    roadmap_services: Iterable[ServiceView] = (),
    repo: Path | None = None,
    generated: dict[str, dict[str, Any]] | None = None,
) -> int:
    """A port between 1024 and 65535 that no other service uses. The roadmap's own services with
    their declared ports always pass; another roadmap service's port, a port recorded for another
    service in `.propctl/generated.json`, or a `PORT=` in another app's `.env.example` do not."""
    number = _as_port(value)
    declared = {s.name: s.port for s in roadmap_services}
    if declared.get(service) == number:
        return number
    in_repo = list(_ports_in_repo(repo, generated or {}))
    every = [*declared.values(), *(p for _, p, _ in in_repo)]
    for name, taken in declared.items():
        if taken == number and name != service:
            raise UserError(
                f"--port {number}: the roadmap gives port {number} to the {name!r} service",
                hint=_free_hint(every),
            )
    for name, taken, where in in_repo:
        if taken == number and name != service:
            raise UserError(
                f"--port {number}: {where}: already used by {name!r} in this repository",
                hint=_free_hint(every),
            )
    return number


def _as_port(value: int | str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise UserError(f"port {value!r}: not a number (1024-65535)") from None
    if not 1024 <= number <= 65535:
        raise UserError(f"port {number}: out of range; use 1024-65535 (below 1024 needs root)")
    return number


def _free_hint(taken: Iterable[int]) -> str:
    used = set(taken)
    free = next(p for p in range(3001, 65536) if p not in used)
    return f"pick a port no service uses, e.g. {free}"


def _ports_in_repo(
    repo: Path | None, generated: dict[str, dict[str, Any]]
) -> Iterable[tuple[str, int, str]]:
    """(service, port, where): `where` is the file and line, or the generated file whose
    record in .propctl/generated.json holds the port."""
    for env in sorted(repo.glob("apps/*/.env.example")) if repo is not None else []:
        owner = env.parent.name.removesuffix("-service")
        try:
            text = env.read_text("utf-8", errors="replace")
        except OSError:
            continue
        for match in _PORT_LINE.finditer(text):
            line = text.count("\n", 0, match.start(1)) + 1
            where = env.relative_to(env.parents[2]).as_posix()  # repo/apps/NAME/.env.example
            yield owner, int(match.group(1)), f"{where}:{line}"
    for path, entry in sorted(generated.items()):
        params = entry.get("params") or {}
        if entry.get("generator") == "service" and "port" in params and "name" in params:
            yield str(params["name"]), int(params["port"]), f".propctl/generated.json ({path})"


def safe_relpath(value: str, what: str = "path") -> str:
    """A repo-relative POSIX path that stays inside the repo; returned normalised."""
    _plain(value, what)
    if "\\" in value:
        raise UserError(f"{what} {value!r}: use '/' as the separator")
    path = PurePosixPath(value)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", value) or value.startswith("~"):
        raise UserError(f"{what} {value!r}: must be relative to the repository")
    parts = [p for p in path.parts if p not in ("", ".")]
    if not parts:
        raise UserError(f"{what} {value!r}: names no file")
    if ".." in parts:
        raise UserError(f"{what} {value!r}: '..' would leave the repository")
    if parts[0] in (".git", ".propctl"):
        raise UserError(f"{what} {value!r}: {parts[0]}/ belongs to git/propctl, not generators")
    return "/".join(parts)


def inside(repo: Path, relpath: str, *, resolved: bool = False) -> Path:
    """The absolute path of `relpath` in `repo`, refusing symlinks that lead outside it
    (`resolved`: the caller resolved `repo` already)."""
    root = repo if resolved else repo.resolve()
    target = (root / relpath).resolve()
    if target != root and root not in target.parents:
        raise UserError(
            f"{relpath}: resolves to {target}, outside the repository {root}",
            hint="a symbolic link in the path points outside; remove or fix it",
        )
    return root / relpath
