"""`/health` (liveness: the process answers) and `/health/ready` (readiness: the database and
Redis answer within the timeout; 503 when either does not). Failures name the dependency and the
error type, never a URL or a password.

The drivers are imported here, at module load, and the engine is built before the clock starts:
an import inside the timed probe (SQLAlchemy's alone can take a second on a busy host) would read
as a dependency that timed out. A missing driver makes its check fail, never the import."""

import asyncio
import contextlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app import __version__
from app.settings import Settings, SettingsDep

try:
    import sqlalchemy
except ImportError:  # the database check reports it
    sqlalchemy = None  # type: ignore[assignment]
try:
    import redis
except ImportError:  # the Redis check reports it
    redis = None  # type: ignore[assignment]

router = APIRouter(tags=["health"])


def _require(module: Any, name: str) -> Any:
    if module is None:
        raise ModuleNotFoundError(f"{name} is not installed", name=name)
    return module


@lru_cache(maxsize=8)
def _engine(url: str) -> Any:
    # create_engine loads the dialect and its driver (psycopg, sqlite3): also outside the clock
    args = {"connect_timeout": 2} if url.startswith("postgresql") else {}
    return _require(sqlalchemy, "sqlalchemy").create_engine(
        url, pool_pre_ping=True, pool_size=1, connect_args=args
    )


def check_database(settings: Settings) -> None:
    with _engine(settings.database_url).connect() as connection:
        connection.execute(sqlalchemy.text("SELECT 1"))


def check_redis(settings: Settings) -> None:
    client = _require(redis, "redis").Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=settings.readiness_timeout_seconds,
        socket_timeout=settings.readiness_timeout_seconds,
    )
    try:
        client.ping()
    finally:
        client.close()


CHECKS: dict[str, Callable[[Settings], None]] = {"database": check_database, "redis": check_redis}


async def _run(check: Callable[[Settings], None], settings: Settings) -> dict[str, str]:
    try:
        await asyncio.wait_for(
            asyncio.to_thread(check, settings), timeout=settings.readiness_timeout_seconds + 0.5
        )
    except TimeoutError:
        return {"status": "down", "error": "timeout"}
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "up"}


@router.get("/health")
async def liveness(settings: SettingsDep) -> dict[str, str]:
    return {"status": "ok", "service": settings.service_name, "version": __version__}


@router.get("/health/ready")
async def readiness(settings: SettingsDep) -> JSONResponse:
    names = list(CHECKS)
    # untimed: the engine (a bad URL or a missing driver fails again, and is reported, in the check)
    with contextlib.suppress(Exception):
        await asyncio.to_thread(_engine, settings.database_url)
    results = await asyncio.gather(*(_run(CHECKS[name], settings) for name in names))
    checks = dict(zip(names, results, strict=True))
    ready = all(result["status"] == "up" for result in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )
