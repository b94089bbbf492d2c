"""JWT validation middleware: every request to a protected path (agent and CRM routes,
`/auth/me`, any write outside `/auth/`; see `Settings.protected_paths`) needs a valid access
token, else 401. A valid token on any request puts its claims in `request.state.user` and the
subject in `request.state.user_id` (the request log records it)."""

import re

from config import Settings
from fastapi import HTTPException
from security.dependencies import decode_token
from security.responses import send_error
from starlette.types import ASGIApp, Receive, Scope, Send

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class JWTMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.protected = [re.compile(p) for p in settings.protected_paths]
        self.public_writes = [re.compile(p) for p in settings.public_write_paths]

    def required(self, method: str, path: str) -> bool:
        if any(p.search(path) for p in self.protected):
            return True
        return (
            self.settings.protect_writes
            and method in WRITES
            and not any(p.search(path) for p in self.public_writes)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":  # CORS preflight
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        value = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = value.partition(" ")
        claims, problem = None, "missing bearer token"
        if scheme.lower() == "bearer" and token:
            try:
                claims = decode_token(token.strip(), self.settings)
                if claims.get("typ", "access") != "access":
                    claims, problem = None, "not an access token"
            except HTTPException as exc:
                problem = str(exc.detail)
        if claims is None and self.required(scope["method"], scope["path"]):
            await send_error(
                scope, send, 401, "unauthorized", problem, {"WWW-Authenticate": "Bearer"}
            )
            return
        if claims is not None:
            state = scope.setdefault("state", {})
            state["user"], state["user_id"] = claims, str(claims.get("sub"))
        await self.app(scope, receive, send)
