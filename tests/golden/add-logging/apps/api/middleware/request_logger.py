"""Request logging: one JSON line when a request starts (method, path, client address) and one
when it ends (status, duration, and the user id when the caller was authenticated). Sits inside
the correlation-id middleware, so both lines carry the request's correlation id."""

import logging
import time

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("app.request")


class RequestLoggerMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or (None, None))[0]
        fields = {"method": scope["method"], "path": scope["path"], "client": client}
        log.debug("request started", extra={"fields": fields})
        started, status = time.perf_counter(), 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            user_id = (scope.get("state") or {}).get("user_id")
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            level = (
                logging.ERROR
                if status >= 500
                else (logging.WARNING if status >= 400 else logging.INFO)
            )
            log.log(
                level,
                "request finished",
                extra={
                    "fields": {
                        **fields,
                        "status": status,
                        "duration_ms": duration_ms,
                        "user_id": user_id,
                    }
                },
            )


def install(app: FastAPI) -> None:
    """Add the middleware (before the correlation-id middleware, so it runs inside it). Its
    'request finished' line carries everything the correlation middleware's access line does,
    plus the client and the user id, so that line is turned off instead of logged twice."""
    app.add_middleware(RequestLoggerMiddleware)
    logging.getLogger("app.access").disabled = True
