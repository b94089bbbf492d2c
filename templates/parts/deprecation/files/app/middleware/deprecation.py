"""Versioning an existing app in place: `version_routes(app)` moves every route under
`/api/v1` (docs at `/api/v1/docs`, schema at `/api/v1/openapi.json`) and keeps each old path as
a hidden alias, so existing clients keep working; `DeprecationMiddleware` marks the aliases'
answers with `Deprecation: true`, `Sunset: <date>` and `Link: </api/v1/...>;
rel="successor-version"`. Paths in `unversioned_paths` (probes, metrics) stay put, out of the
docs."""

import copy
from datetime import UTC, datetime
from email.utils import format_datetime

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings

DOCS = ("openapi", "swagger_ui_html", "swagger_ui_redirect", "redoc_html")


def _move(route: Route, path: str) -> None:
    route.path = path
    route.path_regex, route.path_format, route.param_convertors = compile_path(path)


def _unversioned(path: str, settings: Settings) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in settings.unversioned_paths)


def version_routes(app: FastAPI, settings: Settings) -> list[str]:
    """Returns the legacy paths (now aliases)."""
    prefix = settings.api_prefix.rstrip("/")
    docs = [r for r in app.router.routes if getattr(r, "name", None) in DOCS]
    kept, aliases, legacy = [], [], []
    for route in app.router.routes:
        if route in docs:
            continue
        path = getattr(route, "path", "")
        if not isinstance(route, APIRoute | Route) or path.startswith(prefix + "/") \
                or path == prefix:
            kept.append(route)
            continue
        if _unversioned(path, settings):
            if isinstance(route, APIRoute):
                route.include_in_schema = False
            kept.append(route)
            continue
        alias = copy.copy(route)
        alias.include_in_schema = False
        _move(route, prefix + (path if path != "/" else "/"))
        kept.append(route)
        aliases.append(alias)
        legacy.append(path)
    app.router.routes[:] = kept + aliases
    app.openapi_url, app.docs_url, app.redoc_url = f"{prefix}/openapi.json", f"{prefix}/docs", None
    app.swagger_ui_oauth2_redirect_url = f"{prefix}/docs/oauth2-redirect"
    app.openapi_schema = None
    app.setup()
    return legacy


class DeprecationMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, legacy: list[str]) -> None:
        self.app = app
        self.prefix = settings.api_prefix.rstrip("/")
        self.patterns = [compile_path(path)[0] for path in legacy]
        sunset = datetime.fromisoformat(settings.legacy_sunset).replace(tzinfo=UTC)
        self.sunset = format_datetime(sunset, usegmt=True).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not any(p.match(path) for p in self.patterns):
            await self.app(scope, receive, send)
            return
        successor = (self.prefix + (path if path != "/" else "/")).encode("latin-1")

        async def mark(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"deprecation", b"true"),
                                      (b"sunset", self.sunset),
                                      (b"link", b"<" + successor
                                       + b'>; rel="successor-version"')]
            await send(message)

        await self.app(scope, receive, mark)


def install(app: FastAPI, settings: Settings) -> None:
    legacy = version_routes(app, settings)
    app.add_middleware(DeprecationMiddleware, settings=settings, legacy=legacy)
