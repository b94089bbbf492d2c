"""`migrations init --service S`: the service's Alembic environment (`alembic.ini`, `env.py`, the
revision template), wired to the `Base` and settings `scaffold database` wrote, and Alembic in
the service's dependencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from propctl.errors import UserError
from propctl.generators.database import dependency_patches, variables
from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec
from propctl.migrations.target import resolve_service

if TYPE_CHECKING:
    from pathlib import Path

    from propctl.roadmap.models import Roadmap

MIGRATIONS_DEPENDENCIES = ("alembic>=1.13",)


def migrations_generation(roadmap: Roadmap, repo: Path, service: str) -> Generation:
    target = resolve_service(roadmap, repo, service)
    if not (target.repo / target.code_relpath / "database.py").is_file():
        raise UserError(
            f"{target.code_relpath}/database.py: not found; the Alembic environment "
            "imports its Base and settings",
            hint=f"propctl scaffold database --service {service}",
        )
    files: list[FileSpec | PatchSpec] = []
    files += render_dir("migrations", variables(target), dest=target.relpath)
    files += dependency_patches(target, MIGRATIONS_DEPENDENCIES)
    return Generation("migrations", {"service": service}, files)
