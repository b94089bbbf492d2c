"""One exception handler for the whole service: every error is JSON with the correlation id.

    {"error": {"status": 404, "code": "not_found", "message": "...", "correlation_id": "..."}}

Raise `ServiceError` (or an HTTPException) in a route; anything unexpected becomes a 500 whose
body says nothing about the internals (the traceback goes to the log)."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("app.errors")


class ServiceError(Exception):
    """An expected failure with its HTTP status and a stable machine-readable code."""

    def __init__(
        self, message: str, *, status: int = 400, code: str | None = None, details: Any = None
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.details = message, status, details
        self.code = code or _code(status)


def _code(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    code: str | None = None,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    cid = getattr(request.state, "correlation_id", None)
    body: dict[str, Any] = {
        "status": status,
        "code": code or _code(status),
        "message": message,
        "correlation_id": cid,
    }
    if details is not None:
        body["details"] = jsonable_encoder(details)
    merged = {**(headers or {}), **({"X-Correlation-ID": cid} if cid else {})}
    return JSONResponse({"error": body}, status_code=status, headers=merged)


async def handle(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ServiceError):
        return error_response(request, exc.status, exc.message, code=exc.code, details=exc.details)
    if isinstance(exc, HTTPException):
        return error_response(
            request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None)
        )
    if isinstance(exc, RequestValidationError):
        return error_response(
            request, 422, "the request is not valid", code="validation_error", details=exc.errors()
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        request, 500, "internal error; quote the correlation id", code="internal_error"
    )


def install(app: FastAPI) -> None:
    for kind in (ServiceError, HTTPException, RequestValidationError, Exception):
        app.add_exception_handler(kind, handle)
