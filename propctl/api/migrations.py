"""The `propctl migrations` faces: Alembic for one service of the roadmap, each a typed
request in and a typed result out. `migrations init` is a generation (`api.generate`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import FailureFound

if TYPE_CHECKING:
    from propctl.migrations.runner import Migrations, Movement, Revision
    from propctl.roadmap.models import Roadmap


@dataclass(frozen=True)
class MigrationsRequest:
    repo: Path
    roadmap: Roadmap
    service: str = "api"  # `api` or a roadmap service
    database_url: str | None = None  # None: DATABASE_URL, else the service's SQLite file


@dataclass(frozen=True)
class Current:
    database: str  # the URL, password masked
    revisions: list[str]  # empty: base

    def as_json(self) -> dict[str, Any]:
        return {"database": self.database, "current": self.revisions}


@dataclass(frozen=True)
class SyncCheck:
    """Whether the models and the migrations agree; `summary` (and `hint`) say it in words."""

    in_sync: bool
    heads: list[str]
    differences: list[str]
    summary: str
    hint: str | None = None

    def as_json(self) -> dict[str, Any]:
        if self.in_sync:
            return {"in_sync": True, "heads": self.heads or ["base"]}
        return {"in_sync": False, "heads": self.heads, "differences": self.differences}


def open_migrations(request: MigrationsRequest) -> Migrations:
    """The service's Alembic environment (exit 2 for an unknown service or a bad URL)."""
    from propctl.migrations.runner import Migrations
    from propctl.migrations.target import resolve_service

    target = resolve_service(request.roadmap, request.repo, request.service)
    return Migrations(target, request.database_url)


def new_revision(request: MigrationsRequest, message: str, *, empty: bool = False) -> Revision:
    """Autogenerate a revision (the database must be at head); `empty` writes a blank one."""
    return open_migrations(request).new(message, empty=empty)


def upgrade(request: MigrationsRequest, revision: str = "head") -> Movement:
    return open_migrations(request).upgrade(revision)


def downgrade(request: MigrationsRequest, revision: str) -> Movement:
    return open_migrations(request).downgrade(revision)


def current(request: MigrationsRequest) -> Current:
    database, revisions = open_migrations(request).current()
    return Current(database, revisions)


def heads(request: MigrationsRequest) -> list[Revision]:
    return open_migrations(request).heads()


def check(request: MigrationsRequest) -> SyncCheck:
    """Models against migrations: without a database URL on a fresh in-memory SQLite database
    upgraded to head, else on that database (which must be at head)."""
    migrations = open_migrations(request)
    try:
        migrations.check()
    except FailureFound as exc:
        differences = getattr(exc, "differences", [str(exc)])
        ids = [h.id for h in migrations.heads()]
        return SyncCheck(False, ids, differences, exc.message, exc.hint)
    ids = [h.id for h in migrations.heads()]
    where = migrations.target.rel("migrations")
    summary = f"{where}: models and migrations agree (head {', '.join(ids) or 'base'})"
    return SyncCheck(True, ids, [], summary)
