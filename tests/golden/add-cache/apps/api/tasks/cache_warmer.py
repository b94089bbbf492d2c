"""Cache warming: at startup (and on demand) the cached GET routes without path parameters
(`Settings.cache_ttls`) are requested once through the app itself, so the first visitor after a
deploy gets a cache hit.
Warming requests are stored but not counted as hits or misses.

    python -m tasks.cache_warmer      # warm a running deployment's Redis from a job/cron"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from cache.decorators import WARM
from config import get_settings
from fastapi import FastAPI
from starlette.types import Message

log = logging.getLogger("app.cache")


def warm_paths() -> list[str]:
    """The cached routes that need no path parameter."""
    return [template for template in get_settings().cache_ttls if "{" not in template]


async def warm(app: FastAPI) -> list[str]:
    warmed = []
    for path in warm_paths():
        status: dict[str, int] = {}

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message, status: dict[str, int] = status) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]

        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"cache-warmer")],
            "client": None,
            "server": ("cache-warmer", 80),
            WARM: True,
        }
        try:
            await app(scope, receive, send)
        except Exception as exc:  # noqa: BLE001 - warming must never stop the app starting
            log.warning("warming %s failed: %s", path, exc)
            continue
        if status.get("code") == 200:
            warmed.append(path)
    log.info("cache warmed", extra={"fields": {"paths": warmed}})
    return warmed


def warm_on_startup(app: FastAPI) -> None:
    """Chain warming onto the app's lifespan (whatever lifespan it already has)."""
    original: Callable[[Any], Any] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(target: Any) -> AsyncIterator[Any]:
        async with original(target) as state:
            await warm(app)
            yield state

    app.router.lifespan_context = lifespan


if __name__ == "__main__":
    from main import app as main_app

    print(asyncio.run(warm(main_app)))
