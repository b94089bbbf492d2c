"""Shared by the migration tests: run propctl in this process, scaffold the API's database layer
(the four repositories Task 1 names), and fresh PostgreSQL databases from the session cluster."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from propctl.cli.main import main

ENTITIES = {
    "Agent": "name:str, phone:str, city:str, rating:float",
    "Lead": "name:str, phone:str, project_id:int, message:text, status:str, agent_id:int?",
    "Project": "name:str, city:str, builder_id:int, price_from:bigint, lat:float, lng:float, "
    "status:str, trust_score:int",
    "Builder": "name:str, city:str, rera_id:str, years_active:int, rating:float",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*args])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, f"propctl {' '.join(args)} -> {code}\n{out}\n{err}"
    return out


def scaffold_api(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    service: str = "api",
    entities: dict[str, str] | None = None,
) -> None:
    """scaffold database, the repositories and the Alembic environment (no revision yet)."""
    ok(capsys, "scaffold", "database", "--service", service, "--repo", str(repo))
    for entity, fields in (entities or ENTITIES).items():
        ok(
            capsys,
            "scaffold",
            "repository",
            entity,
            "--service",
            service,
            "--fields",
            fields,
            "--repo",
            str(repo),
        )
    ok(capsys, "migrations", "init", "--service", service, "--repo", str(repo))


@contextmanager
def service_modules(service_dir: Path, url: str) -> Iterator[dict[str, Any]]:
    """The generated service's own modules, imported here against `url` (DATABASE_URL), as the
    running app would: {'database': module, 'repositories': module}."""
    import importlib

    from propctl.migrations.isolation import service_imports

    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        with service_imports(service_dir):
            database = importlib.import_module("database")
            repositories = importlib.import_module("repositories")
            try:
                yield {"database": database, "repositories": repositories}
            finally:
                database.engine.dispose()
    finally:
        if saved is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved


@contextmanager
def fresh_pg_database(pg_url: str) -> Iterator[str]:
    """A database of its own on the session's PostgreSQL cluster, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
