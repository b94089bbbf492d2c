"""Versioning an existing app in place, without touching its routers: `VersionPrefixMiddleware`
serves every route under `/api/v1` too (the prefix becomes the request's `root_path`, exactly as
if the app were mounted there), the OpenAPI schema lists the `/api/v1` paths (docs at
`/api/v1/docs`), and the old unversioned paths keep answering, marked by
`DeprecationMiddleware` with `Deprecation: true`, `Sunset: <date>` and
`Link: </api/v1/...>; rel="successor-version"`. Paths in `unversioned_paths` (probes, metrics)
stay where they are and out of the docs. An app that already serves its routes under the prefix
(`include_router(api_router, prefix="/api/v1")`) is left as it is: re-serving them there would
hide them."""

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from config import Settings
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _under(path: str, prefixes: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


class VersionsItself:
    """Whether the app's own routes already live under the prefix; asked once, on first use
    (every router is included by then)."""

    def __init__(self, app: FastAPI, prefix: str) -> None:
        self.app, self.prefix = app, prefix
        self.answer: bool | None = None

    def __call__(self) -> bool:
        if self.answer is None:
            from fastapi.openapi.utils import get_openapi

            try:
                schema = get_openapi(title="-", version="-", routes=self.app.routes)
            except Exception:  # noqa: BLE001 - a schema that cannot be built: assume not
                schema = {}
            self.answer = any(_under(path, [self.prefix]) for path in schema.get("paths", {}))
        return self.answer


class VersionPrefixMiddleware:
    def __init__(
        self, app: ASGIApp, prefix: str, versions_itself: Callable[[], bool] = lambda: False
    ) -> None:
        self.app, self.prefix, self.versions_itself = app, prefix.rstrip("/"), versions_itself

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] in ("http", "websocket")
            and path.startswith(self.prefix + "/")
            and not self.versions_itself()
        ):
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


def versioned_openapi(
    app: FastAPI, settings: Settings, versions_itself: Callable[[], bool] = lambda: False
) -> Callable[[], dict[str, Any]]:
    """The app's own schema with every path under the prefix (unversioned paths left out)."""
    original = app.openapi
    prefix = settings.api_prefix.rstrip("/")

    def openapi() -> dict[str, Any]:
        schema = dict(original())
        if versions_itself():
            return schema
        schema["paths"] = {
            (path if path.startswith(prefix + "/") else prefix + path): item
            for path, item in schema.get("paths", {}).items()
            if not _under(path, settings.unversioned_paths)
        }
        return schema

    return openapi


def install(app: FastAPI, settings: Settings) -> None:
    prefix = settings.api_prefix.rstrip("/")
    versions_itself = VersionsItself(app, prefix)
    app.openapi = versioned_openapi(app, settings, versions_itself)  # type: ignore[method-assign]
    app.root_path_in_servers = False  # the paths already carry the prefix
    if app.docs_url:  # served through the prefix
        app.docs_url = f"{prefix}{app.docs_url}"
    app.add_middleware(DeprecationMiddleware, settings=settings)
    app.add_middleware(VersionPrefixMiddleware, prefix=prefix, versions_itself=versions_itself)
