"""`scaffold infra`: the Pulumi program of Task 13 (the one bundled with propctl, the same one
`propctl infra plan` runs) written into the target repo's `infra/`, for teams that keep their
infrastructure beside their code. One source: every file is copied as it ships."""

from __future__ import annotations

from pathlib import PurePosixPath

from propctl.errors import UserError
from propctl.generators.engine import FileSpec, Generation, PatchSpec

SKIP_PARTS = frozenset({"__pycache__", "venv", ".venv"})


def infra_generation(path: str = "infra") -> Generation:
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
        files.append(
            FileSpec(path=str(dest / relative.as_posix()), content=file.read_text("utf-8"))
        )
    return Generation(generator="infra", params={"path": str(dest)}, files=files)
