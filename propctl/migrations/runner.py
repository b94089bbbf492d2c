"""Alembic for one service, through its Python API, in this process.

Every command opens one connection itself (so an unreachable database is reported before
Alembic starts, and an in-memory SQLite database lives for the whole command) and hands it to
the service's `migrations/env.py` through `config.attributes["connection"]`. The service's
modules are imported with its folder on sys.path and forgotten afterwards (`isolation`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from propctl.errors import FailureFound, UserError
from propctl.migrations.diffs import describe_diff
from propctl.migrations.isolation import service_imports
from propctl.migrations.target import ServiceTarget
from propctl.migrations.translate import translated
from propctl.migrations.urls import checked, connect, mask

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory
    from sqlalchemy.engine import Connection

FILE_TEMPLATE = "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"
FRESH = "a fresh in-memory SQLite database"


@dataclass
class Revision:
    id: str
    message: str
    down: list[str]
    path: str  # repo-relative
    formatted_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "revision": self.id,
            "message": self.message,
            "down_revision": self.down,
            "path": self.path,
            "formatted_by": self.formatted_by,
        }


@dataclass
class Movement:
    """What an upgrade or downgrade did."""

    url: str
    before: list[str]
    after: list[str]
    applied: list[Revision] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.url,
            "before": self.before,
            "after": self.after,
            "applied": [r.as_json() for r in self.applied],
        }


class Migrations:
    """The Alembic environment of one service (`<service>/migrations`, `<service>/alembic.ini`).
    `url` is `--database-url`; None means DATABASE_URL, else the service's own SQLite file (what
    its `database.settings.url` says)."""

    def __init__(self, target: ServiceTarget, url: str | None = None) -> None:
        self.target = target
        self.explicit_url = checked(url) if url else None

    # ---- read-only ----------------------------------------------------------------------
    @property
    def script_dir(self) -> Path:
        return self.target.dir / "migrations"

    def heads(self) -> list[Revision]:
        script = self._scripts()
        return [self._revision(script.get_revision(h)) for h in script.get_heads()]

    def current(self) -> tuple[str, list[str]]:
        """The masked URL and the revisions the database is at (empty: base)."""
        with self._session() as (config, url):
            return mask(url), self._current(config)

    # ---- changing the database ------------------------------------------------------------
    def upgrade(self, revision: str = "head") -> Movement:
        return self._move("upgrade", revision)

    def downgrade(self, revision: str) -> Movement:
        return self._move("downgrade", revision)

    def _move(self, direction: str, revision: str) -> Movement:
        from alembic import command

        with self._session() as (config, url):
            before = self._current(config)
            getattr(command, direction)(config, revision)
            after = self._current(config)
        applied = (
            self._between(before, after)
            if direction == "upgrade"
            else list(reversed(self._between(after, before)))
        )  # in the order they were reverted
        return Movement(mask(url), before, after, applied)

    # ---- new revisions ----------------------------------------------------------------------
    def new(self, message: str, *, empty: bool = False) -> Revision:
        """Autogenerate a revision against the database (which must be at head); refuse when
        there is nothing to migrate (unless `empty`) or when the history has several heads."""
        from alembic import command

        if not message.strip():
            raise UserError(
                "the revision message is empty; it names the revision and its file",
                hint=f'e.g. propctl migrations new "add agent email" --service {self.target.name}',
            )
        self._refuse_many_heads()
        (self.script_dir / "versions").mkdir(exist_ok=True)
        if empty:
            with self._session(open_connection=False) as (config, _url):
                script = command.revision(config, message)
            return self._formatted(self._revision(_one(script)))
        found: dict[str, bool] = {}
        with self._session() as (config, url):
            script = command.revision(
                config,
                message,
                autogenerate=True,
                process_revision_directives=_drop_if_empty(found),
            )
        if found.get("empty"):
            raise UserError(
                f"{self.target.rel('migrations')}: nothing to migrate: the models match "
                f"{mask(url)} at {', '.join(self._head_ids()) or 'base'}",
                hint="change a model first, or pass --empty for a hand-written revision",
            )
        return self._formatted(
            self._revision(script if not isinstance(script, list) else script[0])
        )

    def _formatted(self, revision: Revision) -> Revision:
        from propctl.migrations.formatting import format_revision

        repo = self.target.repo
        revision.formatted_by = format_revision(repo, self.target.dir, repo / revision.path)
        return revision

    def _refuse_many_heads(self) -> None:
        heads = self.heads()
        if len(heads) > 1:
            names = ", ".join(f"{h.id} ({h.message})" for h in heads)
            raise UserError(
                f"{self.target.rel('migrations')}: the history has {len(heads)} heads: {names}; "
                "a new revision would not know which one to follow",
                hint=f"merge them first: cd {self.target.relpath} && alembic merge -m "
                f'"merge heads" {" ".join(h.id for h in heads)}',
            )

    # ---- models versus migrations ---------------------------------------------------------
    def check(self) -> None:
        """Raise FailureFound (exit 1) listing the differences between the models and the
        migrations. Without `--database-url` the migrations are applied to a fresh in-memory
        SQLite database first, so this needs no server and proves they apply cleanly; with one,
        that database must be at head."""
        from alembic import command
        from alembic.util.exc import AutogenerateDiffsDetected

        url = self.explicit_url or "sqlite://"
        with self._session(url=url) as (config, _url):
            if self.explicit_url is None:
                command.upgrade(config, "heads")
            try:
                command.check(config)
            except AutogenerateDiffsDetected as exc:
                diffs = [describe_diff(d) for d in getattr(exc, "diffs", [])] or [str(exc)]
                where = FRESH + " upgraded to head" if not self.explicit_url else mask(url)
                failure = FailureFound(
                    f"{self.target.rel('migrations')}: the models and the migrations disagree "
                    f"({where}):\n" + "\n".join(f"  {d}" for d in diffs),
                    hint=f'add a revision: propctl migrations new "..." --service '
                    f"{self.target.name}",
                )
                failure.differences = diffs  # type: ignore[attr-defined]  # for --format json
                raise failure from None

    # ---- plumbing ---------------------------------------------------------------------------
    def _scripts(self) -> ScriptDirectory:
        from alembic.script import ScriptDirectory

        with translated(self.target):
            return ScriptDirectory.from_config(self._config())

    def _config(self, connection: Connection | None = None) -> Config:
        from alembic.config import Config

        if not (self.script_dir / "env.py").is_file():
            raise UserError(
                f"{self.target.rel('migrations', 'env.py')}: no Alembic environment",
                hint=f"propctl migrations init --service {self.target.name}",
            )
        ini = self.target.dir / "alembic.ini"
        config = Config(
            str(ini) if ini.is_file() else None, stdout=io.StringIO(), attributes={"propctl": True}
        )
        config.set_main_option("script_location", str(self.script_dir))
        if not config.get_main_option("file_template"):
            config.set_main_option("file_template", FILE_TEMPLATE)
        if connection is not None:
            config.attributes["connection"] = connection
        return config

    @contextmanager
    def _session(
        self,
        *,
        url: str | None = None,
        open_connection: bool = True,
    ) -> Iterator[tuple[Config, str]]:
        """The service importable, one open connection in a transaction (committed when the
        block ends without error), and Alembic's errors turned into propctl's."""
        self._config()  # refuse early when there is no environment
        # Alembic prints progress ("Generating ...") on standard output: keep ours clean.
        with (
            service_imports(self.target.dir),
            translated(self.target),
            redirect_stdout(io.StringIO()),
        ):
            url = url or self.explicit_url or self._service_url()
            if not open_connection:
                yield self._config(), url
                return
            with connect(url) as connection:
                yield self._config(connection), url

    def _service_url(self) -> str:
        import os

        if os.environ.get("DATABASE_URL"):
            return checked(os.environ["DATABASE_URL"], "DATABASE_URL")
        code = self.target.code_relpath
        if not (self.target.repo / code / "database.py").is_file():
            raise UserError(
                f"{code}/database.py: not found",
                hint=f"propctl scaffold database --service {self.target.name}",
            )
        import importlib

        database = importlib.import_module(self.target.module("database"))  # the service's
        return str(database.settings.url)

    def _current(self, config: Config) -> list[str]:
        from alembic.runtime.environment import EnvironmentContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(config)
        found: list[str] = []

        def record(rev: Any, context: Any) -> list[Any]:
            found.extend(context.get_current_heads())
            return []

        with EnvironmentContext(config, script, fn=record, dont_mutate=True):
            script.run_env()
        return sorted(found)

    def _head_ids(self) -> list[str]:
        return [h.id for h in self.heads()]

    def _between(self, lower: list[str], upper: list[str]) -> list[Revision]:
        """Revisions above `lower` up to `upper`, oldest first."""
        script = self._scripts()
        if not upper:
            return []
        steps = script.iterate_revisions(tuple(upper) or "base", tuple(lower) or "base")
        return [self._revision(s) for s in reversed(list(steps)) if s is not None]

    def _revision(self, script: Script | None) -> Revision:
        if script is None:
            raise UserError(f"{self.target.rel('migrations')}: Alembic wrote no revision")
        down = script.down_revision
        downs = [] if down is None else [down] if isinstance(down, str) else list(down)
        path = Path(script.path).resolve()
        try:
            rel = path.relative_to(self.target.repo.resolve()).as_posix()
        except ValueError:
            rel = str(path)
        return Revision(script.revision, (script.doc or "").strip(), downs, rel)


def _drop_if_empty(found: dict[str, bool]) -> Callable[..., None]:
    def hook(context: Any, revision: Any, directives: list[Any]) -> None:
        script = directives[0] if directives else None
        if script is not None and all(ops.is_empty() for ops in script.upgrade_ops_list):
            found["empty"] = True
            directives[:] = []

    return hook


def _one(script: Script | list[Script | None] | None) -> Script | None:
    """Alembic returns a list only for a revision on several heads, which `new` refuses first."""
    if isinstance(script, list):
        raise UserError(
            "Alembic wrote one revision per branch head; merge the heads first",
            hint="propctl migrations heads shows them",
        )
    return script
