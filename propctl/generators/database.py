"""`scaffold database --service S`: the service's `database.py` (SQLAlchemy 2.0 engine,
sessions, a bounded pool from the environment, a declarative `Base`), and the `models` and
`repositories` packages the repository generator adds to.

`migrations init` (the Alembic environment wired to that `Base`) is `migrations.py`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.generators.engine.render import render_dir
from propctl.generators.engine.specs import FileSpec, Generation, PatchSpec
from propctl.migrations.target import ServiceTarget, resolve_service

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap

# One import line per entity, appended in the order they are scaffolded (hence no isort).
MODELS_INIT = (
    '"""Every model module is imported here, so that `Base.metadata` (and Alembic\'s\n'
    "autogenerate) sees every table. `propctl scaffold repository` adds one line per\n"
    'entity."""\n\n# ruff: noqa: I001\n'
)
REPOSITORIES_INIT = (
    '"""Data access, one repository per entity (`propctl scaffold repository`)."""'
    "\n\n# ruff: noqa: I001\n"
)


def variables(target: ServiceTarget) -> dict[str, Any]:
    slug = target.name.replace("-", "_")
    return {
        "service": target.name,
        "service_title": target.title,
        "sqlite_file": f"{slug}.db",
        "pkg": f"{target.package}." if target.package else "",
        "service_root": "parent.parent" if target.package else "parent",
    }


def database_generation(roadmap: Roadmap, repo: Path, service: str) -> Generation:
    target = resolve_service(roadmap, repo, service)
    files: list[FileSpec | PatchSpec] = []
    files += render_dir("database", variables(target), dest=target.code_relpath)
    files += package_inits(target)
    files += dependency_patches(target, DATABASE_DEPENDENCIES)
    return Generation("database", {"service": service}, files)


DATABASE_DEPENDENCIES = ("sqlalchemy>=2.0", "psycopg[binary]>=3.1")


def dependency_patches(target: ServiceTarget, requirements: tuple[str, ...]) -> list[PatchSpec]:
    """The service's own dependency list gains the requirements: `requirements.txt` (the API)
    or `pyproject.toml`'s `dependencies = [` (a scaffolded service); nothing when it has
    neither (say so in the docs: the engineer owns dependency management)."""
    if (target.dir / "requirements.txt").is_file():
        return [PatchSpec(target.rel("requirements.txt"), "\n".join(requirements))]
    if (target.dir / "pyproject.toml").is_file():
        block = "\n".join(f'  "{r}",' for r in requirements)
        return [
            PatchSpec(
                target.rel("pyproject.toml"),
                block,
                anchor=r"^dependencies\s*=\s*\[",
                manual=f"add {', '.join(requirements)} to the [project] dependencies "
                f"of {target.rel('pyproject.toml')}",
            )
        ]
    return []


def package_inits(target: ServiceTarget) -> list[FileSpec | PatchSpec]:
    """`models/__init__.py` and `repositories/__init__.py` belong to the user (each repository
    adds a line): patches that create them, never files propctl owns."""
    code = target.code_relpath
    return [
        PatchSpec(f"{code}/models/__init__.py", MODELS_INIT, create=True),
        PatchSpec(f"{code}/repositories/__init__.py", REPOSITORIES_INIT, create=True),
        PatchSpec(target.rel(".gitignore"), "*.db", create=True),
    ]
