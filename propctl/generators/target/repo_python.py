"""The Python version a repository runs on, for what `scaffold service` writes (the Dockerfile's
base image, requires-python, ruff's and black's target-version) instead of a fixed 3.11
(issue 18.7). `.python-version` says what the developers run; `requires-python` in
pyproject.toml the lowest version the project allows. Both at the repo root first, then in the
API's folders (`backend/pyproject.toml`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from propctl.errors import UserError

DEFAULT = "3.11"
OLDEST = (3, 10)  # the templates use `X | None` at run time
_VERSION = re.compile(r"^\s*(?:cpython-|python)?(\d+)\.(\d+)(?:\.\d+)?\S*\s*$")
_CLAUSE = re.compile(r"^\s*(>=|~=|==|>|!=|<=|<)\s*(\d+)(?:\.(\d+))?(?:\.(\d+|\*))?\s*$")


@dataclass(frozen=True)
class RepoPython:
    version: str  # "3.14"
    source: str  # "pyproject.toml:5 requires-python >=3.14,<4.0", or "default"


def repo_python(repo: Path, folders: tuple[str, ...] = ()) -> RepoPython:
    for folder in ["", *folders]:
        base = repo / folder if folder else repo
        found = _python_version_file(repo, base) or _requires_python(repo, base)
        if found is not None:
            _supported(found)
            return found
    return RepoPython(DEFAULT, "default (no .python-version, no requires-python)")


def _python_version_file(repo: Path, base: Path) -> RepoPython | None:
    path = base / ".python-version"
    if not path.is_file():
        return None
    for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _VERSION.match(line)
        where = f"{path.relative_to(repo).as_posix()}:{number}"
        if not match:
            raise UserError(
                f"{where}: {line.strip()!r} is not a Python version",
                hint="write a version such as 3.12 in .python-version",
            )
        return RepoPython(f"{match.group(1)}.{match.group(2)}", f"{where} {line.strip()}")
    return None


def _requires_python(repo: Path, base: Path) -> RepoPython | None:
    path = base / "pyproject.toml"
    if not path.is_file():
        return None
    import tomllib  # here: most runs have no pyproject.toml to read, and it costs a few ms

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path.relative_to(repo)}: not valid TOML ({exc})") from None
    spec = (data.get("project") or {}).get("requires-python")
    if not isinstance(spec, str):
        return None
    text = path.read_text("utf-8").splitlines()
    line = next((n for n, t in enumerate(text, 1) if "requires-python" in t), 1)
    where = f"{path.relative_to(repo).as_posix()}:{line}"
    return RepoPython(lowest(spec, where), f"{where} requires-python {spec}")


def lowest(spec: str, where: str) -> str:
    """The lowest X.Y that `spec` (`>=3.14,<4.0`, `~=3.12`, `==3.11.*`, `>3.10`) allows."""
    floor: tuple[int, int] | None = None
    for clause in spec.split(","):
        match = _CLAUSE.match(clause)
        if not match:
            raise UserError(
                f"{where}: requires-python {spec!r}: cannot read {clause.strip()!r}",
                hint="use comparisons such as >=3.12,<4",
            )
        op, major, minor = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if op in (">=", "~=", "=="):
            bound = (major, minor)
        elif op == ">":
            bound = (major, minor + 1) if match.group(4) is None else (major, minor)
        else:
            continue
        floor = bound if floor is None else max(floor, bound)
    if floor is None:
        raise UserError(
            f"{where}: requires-python {spec!r} has no lower bound",
            hint="say the lowest version, e.g. >=3.12",
        )
    return f"{floor[0]}.{floor[1]}"


def _supported(found: RepoPython) -> None:
    major, minor = (int(p) for p in found.version.split("."))
    if (major, minor) < OLDEST:
        raise UserError(
            f"{found.source}: Python {found.version}; the generated service needs "
            f"{OLDEST[0]}.{OLDEST[1]} or later",
            hint="raise the repo's Python version, or generate the service elsewhere",
        )
