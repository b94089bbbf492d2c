"""The Task 1 flow on SQLite and on a real PostgreSQL: scaffold the database layer and four
repositories, autogenerate, upgrade, write and read through the repositories, downgrade to base,
upgrade again; an additive migration keeps the data; `check` sees a model change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from migration_helpers import (
    ENTITIES,
    fresh_pg_database,
    ok,
    run,
    scaffold_api,
    service_modules,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'flow.db'}"
        return
    with fresh_pg_database(request.getfixturevalue("pg_url")) as url:
        yield url


def _tables(url: str) -> set[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _migrate(capsys: pytest.CaptureFixture[str], repo: Path, url: str, *args: str) -> dict:
    out = ok(
        capsys,
        "migrations",
        *args,
        "--service",
        "api",
        "--database-url",
        url,
        "--repo",
        str(repo),
        "--format",
        "json",
    )
    return json.loads(out)


def _write_sample_rows(service: Path, url: str) -> dict[str, int]:
    with service_modules(service, url) as mods:
        repos, session = mods["repositories"], mods["database"].SessionLocal()
        with session, session.begin():
            builder = repos.BuilderRepository(session).add(
                name="Prestige", city="Bengaluru", rera_id="PRM/KA/1", years_active=18, rating=4.4
            )
            project = repos.ProjectRepository(session).add(
                name="Skyline",
                city="Bengaluru",
                builder_id=builder.id,
                price_from=8_500_000_000,
                lat=12.97,
                lng=77.59,
                status="ready",
                trust_score=82,
            )
            agent = repos.AgentRepository(session).add(
                name="Ravi", phone="+919800000001", city="Bengaluru", rating=4.7
            )
            lead = repos.LeadRepository(session).add(
                name="Asha",
                phone="+919833333333",
                project_id=project.id,
                message="call me",
                status="new",
                agent_id=agent.id,
            )
            return {
                "builder": builder.id,
                "project": project.id,
                "agent": agent.id,
                "lead": lead.id,
            }


def _read_back(service: Path, url: str, ids: dict[str, int]) -> None:
    with service_modules(service, url) as mods:
        repos, session = mods["repositories"], mods["database"].SessionLocal()
        with session:
            lead = repos.LeadRepository(session).get(ids["lead"])
            assert lead is not None and lead.name == "Asha" and lead.agent_id == ids["agent"]
            projects = repos.ProjectRepository(session).list(city="Bengaluru")
            assert [p.price_from for p in projects] == [8_500_000_000]
            assert repos.BuilderRepository(session).count(city="Bengaluru") == 1
            assert repos.AgentRepository(session).get(ids["agent"]).rating == 4.7


def test_full_cycle_keeps_data_across_runs(capsys, example_repo: Path, database_url: str):
    service = example_repo / "apps" / "api"
    scaffold_api(capsys, example_repo)
    new = _migrate(capsys, example_repo, database_url, "new", "Initial schema")
    assert Path(example_repo / new["path"]).is_file() and new["down_revision"] == []

    up = _migrate(capsys, example_repo, database_url, "upgrade", "head")
    assert up["before"] == [] and up["after"] == [new["revision"]]
    assert {"agents", "leads", "projects", "builders"} <= _tables(database_url)
    assert _migrate(capsys, example_repo, database_url, "current")["current"] == [new["revision"]]

    ids = _write_sample_rows(service, database_url)
    _read_back(service, database_url, ids)

    down = _migrate(capsys, example_repo, database_url, "downgrade", "base")
    assert down["after"] == [] and [r["revision"] for r in down["applied"]] == [new["revision"]]
    assert not {"agents", "leads", "projects", "builders"} & _tables(database_url)

    again = _migrate(capsys, example_repo, database_url, "upgrade")
    assert again["after"] == [new["revision"]]
    ids = _write_sample_rows(service, database_url)
    _read_back(service, database_url, ids)
    # A second upgrade is a no-op, and says so.
    assert _migrate(capsys, example_repo, database_url, "upgrade")["applied"] == []


def test_additive_migration_keeps_existing_rows(capsys, example_repo: Path, database_url: str):
    service = example_repo / "apps" / "api"
    repo = str(example_repo)
    scaffold_api(capsys, example_repo)
    first = _migrate(capsys, example_repo, database_url, "new", "Initial schema")
    _migrate(capsys, example_repo, database_url, "upgrade")
    ids = _write_sample_rows(service, database_url)

    # The engineer adds a column by re-running the generator with one more field.
    ok(
        capsys,
        "scaffold",
        "repository",
        "Agent",
        "--service",
        "api",
        "--fields",
        ENTITIES["Agent"] + ", email:str?",
        "--repo",
        repo,
    )
    code, out, err = run(capsys, "migrations", "check", "--service", "api", "--repo", repo)
    assert code == 1, out + err
    assert "add column agents.email" in err and "Traceback" not in err
    code, out, err = run(
        capsys,
        "migrations",
        "check",
        "--service",
        "api",
        "--repo",
        repo,
        "--database-url",
        database_url,
    )  # the real database, at head
    assert code == 1 and "add column agents.email" in err, out + err

    second = _migrate(capsys, example_repo, database_url, "new", "add agent email")
    assert second["down_revision"] == [first["revision"]]
    up = _migrate(capsys, example_repo, database_url, "upgrade")
    assert [r["revision"] for r in up["applied"]] == [second["revision"]]

    _read_back(service, database_url, ids)  # nothing lost
    with service_modules(service, database_url) as mods:
        session = mods["database"].SessionLocal()
        with session, session.begin():
            agents = mods["repositories"].AgentRepository(session)
            assert agents.get(ids["agent"]).email is None
            agents.update(ids["agent"], email="ravi@example.com")
    with service_modules(service, database_url) as mods, mods["database"].SessionLocal() as s:
        assert mods["repositories"].AgentRepository(s).get(ids["agent"]).email == "ravi@example.com"

    ok(capsys, "migrations", "check", "--service", "api", "--repo", repo)
    ok(
        capsys,
        "migrations",
        "check",
        "--service",
        "api",
        "--repo",
        repo,
        "--database-url",
        database_url,
    )
