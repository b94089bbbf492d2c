"""API versioning: routes live under `/api/v1`; every response says which version answered."""

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_VERSION = "1"
HEADER = b"x-api-version"


class ApiVersionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def add_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, API_VERSION.encode())]
            await send(message)

        await self.app(scope, receive, add_header if scope["type"] == "http" else send)


def install(app: FastAPI) -> None:
    app.add_middleware(ApiVersionMiddleware)
