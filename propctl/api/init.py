"""`init(InitRequest) -> InitResult`: declare a repo the target of a roadmap, in
`.propctl/target.yaml`. Until it does, the bundled roadmap runs no programs there (command and
asgi checks are `skip`) and verify writes nothing into it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from propctl.errors import UserError
from propctl.state import TARGET, RepoState, state_rel

HEADER = (
    "# propctl init: this repository is the target of the roadmap named below. The bundled\n"
    "# roadmap runs programs here (its command and asgi checks: formatters, tests, the app)\n"
    "# only because this file exists; verify records its history in this folder.\n"
)


@dataclass(frozen=True)
class InitRequest:
    repo: Path = Path(".")
    roadmap: Path | None = None
    dry_run: bool = False


@dataclass
class InitResult:
    path: str  # .propctl/target.yaml, relative to the repo
    text: str
    action: str  # create, update, identical
    previous: str | None  # the roadmap it was the target of before
    written: bool

    def as_json(self) -> dict[str, Any]:
        return dict(vars(self))


def init(request: InitRequest) -> InitResult:
    from propctl.roadmap.loader import load_roadmap
    from propctl.roadmap.locate import find_roadmap

    repo = request.repo
    if not repo.is_dir():
        raise UserError(f"--repo {repo}: not a directory")
    path, bundled = find_roadmap(repo, request.roadmap)
    roadmap = load_roadmap(path)
    state = RepoState(repo)
    state.check_layout()
    before = state.read(TARGET)
    previous = state.target()["roadmap"] if before is not None else None  # type: ignore[index]
    source = "bundled" if bundled else _relative(repo, path)
    text = (
        HEADER + f"version: 1\nroadmap: {_quoted(roadmap.name)}\nroadmap_file: {_quoted(source)}\n"
    )
    action = "identical" if before == text else ("update" if before is not None else "create")
    written = action != "identical" and not request.dry_run
    if written:
        state.write(TARGET, text)
    return InitResult(state_rel(TARGET), text, action, previous, written)


def _relative(repo: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _quoted(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string
