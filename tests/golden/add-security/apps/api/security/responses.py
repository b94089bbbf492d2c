"""Error answers written by middleware (outside FastAPI's exception handlers), in the same shape
as the error handler's: {"error": {"status", "code", "message", "correlation_id"}}."""

import json

from starlette.types import Scope, Send


async def send_error(
    scope: Scope,
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> None:
    cid = (scope.get("state") or {}).get("correlation_id")
    body = json.dumps(
        {"error": {"status": status, "code": code, "message": message, "correlation_id": cid}}
    ).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
