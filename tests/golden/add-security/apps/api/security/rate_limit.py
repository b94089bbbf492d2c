"""Login rate limit: at most `login_rate_limit` attempts per client address in
`login_rate_window_seconds` (10 in 15 minutes), counted in Redis so every replica shares the
count; the next attempt gets 429 with Retry-After. If Redis is down the attempt is let through
and logged (availability over lock-out; the gateway limits too)."""

import logging
import re

from cache.redis_client import StoreUnavailable, get_store
from config import Settings
from starlette.types import ASGIApp, Receive, Scope, Send

from security.responses import send_error

log = logging.getLogger("app.security")


class LoginRateLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.paths = [re.compile(p) for p in settings.login_paths]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and any(p.search(scope["path"]) for p in self.paths)
        ):
            client = (scope.get("client") or ("unknown", 0))[0]
            try:
                count, wait = get_store(self.settings).incr_window(
                    f"ratelimit:login:{client}", self.settings.login_rate_window_seconds
                )
            except StoreUnavailable as exc:
                log.error("login rate limit not enforced: %s", exc)
                count, wait = 0, 0
            if count > self.settings.login_rate_limit:
                await send_error(
                    scope,
                    send,
                    429,
                    "rate_limited",
                    "too many login attempts; retry later",
                    {"Retry-After": str(wait)},
                )
                return
        await self.app(scope, receive, send)
