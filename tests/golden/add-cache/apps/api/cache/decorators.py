"""Response caching in Redis for read routes, with invalidation on writes and hit/miss counts.

`CacheMiddleware` answers every GET to a route named in `Settings.cache_ttls` (by its path
template, so `/builder/{builder_id}` is one entry; under /api/v1 too): an answer with status 200
is kept for its TTL under `cache:entry:<template>:<path params>?<query>`; a successful write
drops the entries under its first path segment (and the prefixes `cache_invalidates` lists). Hits
and misses are counted per route in Redis (`cache:stats:<template>`), so the hit rate is the
whole fleet's, not one process's.

For your own functions: `@cached(ttl=300, key="trust")` and `invalidate("/projects")`."""

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from config import Settings
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cache.redis_client import StoreUnavailable, get_store

log = logging.getLogger("app.cache")
ENTRY, STATS = "cache:entry:", "cache:stats:"
WARM = "cache.warm"  # scope key: a warming request (stored, not counted)
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
SKIP = {b"x-correlation-id", b"set-cookie", b"date"}  # per-response headers, never replayed
F = TypeVar("F", bound=Callable[..., Any])


def entry_key(template: str, params: dict[str, str], query: str) -> str:
    values = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return f"{ENTRY}{template}:{values}?{query}"


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
    return {
        "hits": hits,
        "misses": misses,
        "hit_rate": round(hits / (hits + misses), 4) if hits + misses else 0.0,
        "entries": len(store.keys(f"{ENTRY}*")),
        "routes": routes,
    }


def route_path(scope: Scope) -> str:
    """The path the app routes (without a mount prefix such as /api/v1 in `root_path`)."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root) :] or "/" if root and path.startswith(root + "/") else path


class CacheMiddleware:
    """GET requests to a route named in `Settings.cache_ttls` are answered from Redis when they
    can; 2xx writes under a cached route's first path segment drop the related entries."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.routes = [
            (template, compile_path(template)[0], ttl)
            for template, ttl in settings.cache_ttls.items()
        ]
        self.related = {_first(t) for t in settings.cache_ttls} | set(settings.cache_invalidates)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        if scope["method"] == "GET":
            for template, pattern, ttl in self.routes:
                match = pattern.match(path)
                if match:
                    await self._cached(template, match.groupdict(), ttl, scope, receive, send)
                    return
        elif scope["method"] in WRITES and _first(path) in self.related:
            await self._invalidating(_first(path), scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _cached(
        self,
        template: str,
        params: dict[str, str],
        ttl: int,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        store, warming = get_store(self.settings), bool(scope.get(WARM))
        key = entry_key(template, params, scope.get("query_string", b"").decode("latin-1"))
        try:
            cached = None if warming else store.get(key)
            if not warming:
                store.hincr(STATS + template, "hits" if cached else "misses")
        except StoreUnavailable as exc:
            log.warning("cache unavailable, answering uncached: %s", exc)
            await self.app(scope, receive, send)
            return
        if cached is not None:
            await _replay(json.loads(cached), send)
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            # a copy as the app sent it: outer middleware adds its own headers to `message`
            messages.append({**message, "headers": list(message.get("headers", []))})
            await send(message)

        await self.app(scope, receive, keep)
        _store_answer(store, key, ttl, messages)

    async def _invalidating(self, first: str, scope: Scope, receive: Receive, send: Send) -> None:
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if 200 <= status < 300:
            for prefix in [first, *self.settings.cache_invalidates.get(first, [])]:
                invalidate(prefix, self.settings)


async def _replay(answer: dict[str, Any], send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer["headers"]]
    await send(
        {
            "type": "http.response.start",
            "status": answer["status"],
            "headers": [*headers, (b"x-cache", b"HIT")],
        }
    )
    await send({"type": "http.response.body", "body": answer["body"].encode("utf-8")})


def _store_answer(store: Any, key: str, ttl: int, messages: list[Message]) -> None:
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    if start is None or start["status"] != 200:
        return
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    try:
        answer = {
            "status": 200,
            "body": body.decode("utf-8"),
            "headers": [
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in start.get("headers", [])
                if k.lower() not in SKIP
            ],
        }
        store.set(key, json.dumps(answer), ttl)
    except (UnicodeDecodeError, StoreUnavailable) as exc:
        log.warning("answer not cached: %s", exc)


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
