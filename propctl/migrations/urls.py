"""Database URLs: masked for messages, and the errors of reaching one made readable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from propctl.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_PASSWORD = re.compile(r"(?P<head>://[^:/@]*:)(?P<password>[^@]*)(?P<tail>@)")


def mask(url: str) -> str:
    """The URL with its password replaced by `***` (also when SQLAlchemy cannot parse it)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL too broken to parse still gets masked
        return _PASSWORD.sub(r"\g<head>***\g<tail>", url)


def checked(url: str, source: str = "--database-url") -> str:
    """Refuse a URL SQLAlchemy cannot parse or has no dialect for, naming it (masked).
    (NoSuchModuleError is an ArgumentError: it is caught first.)"""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(url).get_dialect()
    except NoSuchModuleError:
        raise UserError(
            f"{source} {mask(url)}: SQLAlchemy has no dialect {url.split(':', 1)[0]!r}"
        ) from None
    except ArgumentError as exc:
        raise UserError(
            f"{source} {mask(url)}: not a database URL ({exc})",
            hint="e.g. sqlite:///app.db or postgresql+psycopg://user:password@host:5432/name",
        ) from None
    except ImportError as exc:
        raise UserError(
            f"{source} {mask(url)}: its driver is not installed ({exc})",
            hint="install the driver the URL names, e.g. psycopg[binary]",
        ) from None
    return url


def unreachable(url: str, exc: BaseException) -> UserError:
    """The error for a database that cannot be reached: the URL, masked, and the driver's
    reason (its first line; the rest is SQLAlchemy's background link)."""
    reason = getattr(exc, "orig", None) or exc
    text = str(reason).strip().splitlines()
    first = text[0] if text else type(reason).__name__
    return UserError(
        f"cannot reach the database {mask(url)}: {first}",
        hint="check that the server runs and the URL (host, port, user, password, "
        "database name) is right; --database-url or DATABASE_URL sets it",
    )


@contextmanager
def connect(url: str) -> Iterator[Connection]:
    """One connection in a transaction (committed when the block ends without error); an
    in-memory SQLite database keeps its one connection for the whole block."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool, StaticPool

    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(url, poolclass=StaticPool if memory else NullPool)
    try:
        try:
            connection = engine.connect()
        except DBAPIError as exc:
            raise unreachable(url, exc) from None
        with connection, connection.begin():
            yield connection
    finally:
        engine.dispose()
