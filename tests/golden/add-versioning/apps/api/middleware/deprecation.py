"""Versioning an existing app in place, without touching its routers: `VersionPrefixMiddleware`
serves every route under `/api/v1` too (the prefix becomes the request's `root_path`, exactly as
if the app were mounted there), the OpenAPI schema lists the `/api/v1` paths (docs at
`/api/v1/docs`), and the old unversioned paths keep answering, marked by
`DeprecationMiddleware` with `Deprecation: true`, `Sunset: <date>` and
`Link: </api/v1/...>; rel="successor-version"`. Paths in `unversioned_paths` (probes, metrics)
stay where they are and out of the docs."""

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from config import Settings
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _under(path: str, prefixes: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


class VersionPrefixMiddleware:
    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app, self.prefix = app, prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] in ("http", "websocket") and path.startswith(self.prefix + "/"):
            scope = {**scope, "root_path": scope.get("root_path", "") + self.prefix}
        await self.app(scope, receive, send)


class DeprecationMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.prefix = settings.api_prefix.rstrip("/")
        self.keep = settings.unversioned_paths
        sunset = datetime.fromisoformat(settings.legacy_sunset).replace(tzinfo=UTC)
        self.sunset = format_datetime(sunset, usegmt=True).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or _under(path, [self.prefix, *self.keep]):
            await self.app(scope, receive, send)
            return
        successor = (self.prefix + path).encode("latin-1")

        async def mark(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] != 404:
                message["headers"] = [
                    *message.get("headers", []),
                    (b"deprecation", b"true"),
                    (b"sunset", self.sunset),
                    (b"link", b"<" + successor + b'>; rel="successor-version"'),
                ]
            await send(message)

        await self.app(scope, receive, mark)


def versioned_openapi(app: FastAPI, settings: Settings) -> Callable[[], dict[str, Any]]:
    """The app's own schema with every path under the prefix (unversioned paths left out)."""
    original = app.openapi
    prefix = settings.api_prefix.rstrip("/")

    def openapi() -> dict[str, Any]:
        schema = dict(original())
        schema["paths"] = {
            (path if path.startswith(prefix + "/") else prefix + path): item
            for path, item in schema.get("paths", {}).items()
            if not _under(path, settings.unversioned_paths)
        }
        return schema

    return openapi


def install(app: FastAPI, settings: Settings) -> None:
    prefix = settings.api_prefix.rstrip("/")
    app.openapi = versioned_openapi(app, settings)  # type: ignore[method-assign]
    app.root_path_in_servers = False  # the paths already carry the prefix
    if app.docs_url:  # served through the prefix
        app.docs_url = f"{prefix}{app.docs_url}"
    app.add_middleware(DeprecationMiddleware, settings=settings)
    app.add_middleware(VersionPrefixMiddleware, prefix=prefix)
