"""Response caching in Redis for read routes, with invalidation on writes and hit/miss counts.

`cache_routes(app)` wraps every GET route named in `Settings.cache_ttls` (by its path template,
so `/builder/{builder_id}` is one entry) and every write route: a GET answer with status 200 is
kept for its TTL under `cache:entry:<template>:<path params>?<query>`; a successful write drops
the entries under its first path segment (and the prefixes `cache_invalidates` lists). Hits
and misses are counted per route in Redis (`cache:stats:<template>`), so the hit rate is the
whole fleet's, not one process's.

For your own functions: `@cached(ttl=300, key="trust")` and `invalidate("/projects")`."""

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.cache.redis_client import StoreUnavailable, get_store
from app.settings import Settings, get_settings

log = logging.getLogger("app.cache")
ENTRY, STATS = "cache:entry:", "cache:stats:"
WARM = "cache.warm"            # scope key: a warming request (stored, not counted)
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
F = TypeVar("F", bound=Callable[..., Any])


def entry_key(template: str, scope: Scope) -> str:
    params = "&".join(f"{k}={v}" for k, v in sorted((scope.get("path_params") or {}).items()))
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{ENTRY}{template}:{params}?{query}"


def invalidate(prefix: str, settings: Settings | None = None) -> int:
    """Drop every cached answer of routes under `prefix` (e.g. "/projects")."""
    try:
        return get_store(settings).delete_matching(f"{ENTRY}{prefix.rstrip('/')}*")
    except StoreUnavailable as exc:
        log.error("cache invalidation of %s failed: %s", prefix, exc)
        return 0


def stats(settings: Settings | None = None) -> dict[str, Any]:
    store = get_store(settings)
    routes = {key.removeprefix(STATS): store.hgetall(key) for key in store.keys(f"{STATS}*")}
    hits = sum(int(v.get("hits", 0)) for v in routes.values())
    misses = sum(int(v.get("misses", 0)) for v in routes.values())
    return {"hits": hits, "misses": misses, "hit_rate": round(hits / (hits + misses), 4)
            if hits + misses else 0.0, "entries": len(store.keys(f"{ENTRY}*")),
            "routes": routes}


class CachedRoute:
    """The ASGI app of one GET route, answering from the cache when it can."""

    def __init__(self, app: ASGIApp, template: str, ttl: int) -> None:
        self.app, self.template, self.ttl = app, template, ttl

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        store, key, warming = get_store(), entry_key(self.template, scope), bool(scope.get(WARM))
        try:
            cached = None if warming else store.get(key)
            if not warming:
                store.hincr(STATS + self.template, "hits" if cached else "misses")
        except StoreUnavailable as exc:
            log.warning("cache unavailable, answering uncached: %s", exc)
            await self.app(scope, receive, send)
            return
        if cached is not None:
            await _replay(json.loads(cached), send)
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        _store_answer(store, key, self.ttl, messages)


async def _replay(answer: dict[str, Any], send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer["headers"]]
    await send({"type": "http.response.start", "status": answer["status"],
                "headers": [*headers, (b"x-cache", b"HIT")]})
    await send({"type": "http.response.body", "body": answer["body"].encode("utf-8")})


def _store_answer(store: Any, key: str, ttl: int, messages: list[Message]) -> None:
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    if start is None or start["status"] != 200:
        return
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    try:
        answer = {"status": 200, "body": body.decode("utf-8"),
                  "headers": [(k.decode("latin-1"), v.decode("latin-1"))
                              for k, v in start.get("headers", [])]}
        store.set(key, json.dumps(answer), ttl)
    except (UnicodeDecodeError, StoreUnavailable) as exc:
        log.warning("answer not cached: %s", exc)


class InvalidatingRoute:
    """The ASGI app of one write route: after a 2xx answer, the related entries are dropped."""

    def __init__(self, app: ASGIApp, prefixes: list[str]) -> None:
        self.app, self.prefixes = app, prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if 200 <= status < 300:
            for prefix in self.prefixes:
                invalidate(prefix)


def cache_routes(app: FastAPI, settings: Settings | None = None) -> list[str]:
    """Wrap the app's routes; returns the templates of the cached ones."""
    settings = settings or get_settings()
    routes = [r for r in app.router.routes if isinstance(r, APIRoute)]
    cached = [r.path for r in routes if "GET" in r.methods and r.path in settings.cache_ttls]
    related = {_first(path) for path in cached} | set(settings.cache_invalidates)
    for route in routes:
        if route.path in cached and "GET" in route.methods:
            route.app = CachedRoute(route.app, route.path, settings.cache_ttls[route.path])
        elif route.methods & WRITES and _first(route.path) in related:
            first = _first(route.path)
            route.app = InvalidatingRoute(
                route.app, [first, *settings.cache_invalidates.get(first, [])])
    return cached


def _first(path: str) -> str:
    return "/" + path.strip("/").split("/")[0]


def cached(ttl: int, key: str | None = None) -> Callable[[F], F]:
    """Cache a function's JSON-serialisable result in Redis for `ttl` seconds, keyed by its
    arguments (for code outside the routes, e.g. a trust-score computation)."""

    def wrap(function: F) -> F:
        name = key or f"{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def inner(*args: Any, **kwargs: Any) -> Any:
            entry = f"{ENTRY}fn:{name}:{json.dumps([args, kwargs], default=str, sort_keys=True)}"
            store = get_store()
            try:
                hit = store.get(entry)
                store.hincr(f"{STATS}fn:{name}", "hits" if hit else "misses")
            except StoreUnavailable:
                return function(*args, **kwargs)
            if hit is not None:
                return json.loads(hit)
            value = function(*args, **kwargs)
            try:
                store.set(entry, json.dumps(value, default=str), ttl)
            except StoreUnavailable:
                pass
            return value

        return inner  # type: ignore[return-value]

    return wrap
