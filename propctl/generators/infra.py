"""`scaffold infra`: the Pulumi program of Task 13 (the one bundled with propctl, the same one
`propctl infra plan` runs) written into the target repo's `infra/`, for teams that keep their
infrastructure beside their code. One source: every file is copied as it ships, but
`environments.yaml`, which is written from the roadmap's `environments` (which environment each
stack is, its namespace and host)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from propctl.errors import UserError
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from propctl.roadmap.environments import Environment

SKIP_PARTS = frozenset({"__pycache__", "venv", ".venv"})
ENVIRONMENTS_FILE = "environments.yaml"
_HEADER_END = "environments:\n"


def environments_file(environments: Sequence[Environment] | None = None) -> str:
    """The program's `environments.yaml` for the roadmap's `environments` (None: the defaults
    of a roadmap without the section), under the bundled file's header comment."""
    from propctl.resources import infra_dir
    from propctl.roadmap.environments import default_environments

    bundled = (infra_dir() / ENVIRONMENTS_FILE).read_text("utf-8")
    header = bundled[: bundled.index(_HEADER_END)]
    import json

    rows = [  # quoted: a stack named 1.0 or on must stay a string
        "- {" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in e.as_dict().items()) + "}\n"
        for e in (default_environments() if environments is None else environments)
    ]
    return header + _HEADER_END + "".join(rows)


def infra_generation(
    path: str = "infra", environments: Sequence[Environment] | None = None
) -> Generation:
    from propctl.resources import infra_dir

    dest = PurePosixPath(path.rstrip("/") or "infra")
    if dest.is_absolute() or ".." in dest.parts:
        raise UserError(f"--path {path!r}: must be a folder inside the repo")
    source = infra_dir()
    files: list[FileSpec | PatchSpec] = []
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = file.relative_to(source)
        if SKIP_PARTS & set(relative.parts) or file.suffix == ".pyc":
            continue
        content = (
            environments_file(environments)
            if relative.as_posix() == ENVIRONMENTS_FILE
            else file.read_text("utf-8")
        )
        files.append(FileSpec(path=str(dest / relative.as_posix()), content=content))
    return Generation(generator="infra", params={"path": str(dest)}, files=files)
