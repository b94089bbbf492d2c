"""Prometheus metrics at `/metrics`: `http_requests_total` and `http_request_duration_seconds`,
labelled by method, route template (not the raw path: bounded cardinality) and status."""

import time

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "path", "status"])
DURATION = Histogram("http_request_duration_seconds", "HTTP request duration", ["method", "path"])


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            REQUESTS.labels(scope["method"], path, str(status)).inc()
            DURATION.labels(scope["method"], path).observe(time.perf_counter() - started)


def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    app.add_middleware(MetricsMiddleware)
    app.add_api_route(
        "/metrics", metrics, methods=["GET"], include_in_schema=False, tags=["health"]
    )
