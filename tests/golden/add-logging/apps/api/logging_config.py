"""JSON logs, one object per line, each with the request's correlation id.

The id comes from the caller's `X-Correlation-ID` (when it is a sane token) or is made here; it
goes back in the response header, into every log line written while the request runs, and into
error bodies (`request.state.correlation_id`)."""

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from config import Settings
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Correlation-ID"
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
access_log = logging.getLogger("app.access")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            "correlation_id": correlation_id.get(),
        }
        body.update(getattr(record, "fields", {}))
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str)


def configure(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stdout)
    if settings.log_json:
        handler.setFormatter(JsonFormatter(settings.service_name))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level)


def new_id(incoming: str | None) -> str:
    return incoming if incoming and _VALID.match(incoming) else uuid.uuid4().hex


class CorrelationMiddleware:
    """Outermost middleware: assigns the id, echoes it, writes one access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        value = new_id(headers.get(HEADER.lower().encode(), b"").decode("latin-1") or None)
        scope.setdefault("state", {})["correlation_id"] = value
        token = correlation_id.set(value)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    (k, v) for k, v in message["headers"] if k.lower() != HEADER.lower().encode()
                ] + [(HEADER.lower().encode(), value.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )
            correlation_id.reset(token)


def install(app: FastAPI, settings: Settings) -> None:
    configure(settings)
    app.add_middleware(CorrelationMiddleware)
