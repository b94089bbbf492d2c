"""Calls to the other services (Task 11.96-11.99).

    trust = client_for("trust", settings)           # one per callee, kept for the process
    response = await trust.get("/api/v1/internal/ping")

- every call has a timeout (SERVICE_TIMEOUT_SECONDS);
- idempotent calls (GET, HEAD, PUT, DELETE, OPTIONS, or `idempotent=True`) are retried on
  connection errors, timeouts and 5xx, with exponential backoff and jitter (SERVICE_RETRIES);
- one circuit breaker per callee (pybreaker): after BREAKER_FAIL_MAX failed calls it opens and
  calls fail at once with 503 `dependency_unavailable`, without touching the network; after
  BREAKER_RESET_SECONDS one trial call goes through, and a success closes it again;
- each request carries a service token: a JWT signed with SERVICE_TOKEN_SECRET, naming this
  service (`sub`) and the callee (`aud`), valid SERVICE_TOKEN_TTL_SECONDS; the callee checks it
  with `require_service` (app/internal.py), plus the correlation id and trace context.

4xx answers are the caller's problem, not the callee's health: they are returned as they are
and never open the breaker.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from typing import Annotated, Any

import httpx
import jwt
import pybreaker
from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.errors import ServiceError
from app.settings import Settings, SettingsDep

log = logging.getLogger("app.clients")
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
TOKEN_TYPE = "service"  # noqa: S105 - a claim value, not a password
ALGORITHM = "HS256"


class ServiceUnavailable(ServiceError):
    def __init__(self, callee: str, reason: str) -> None:
        super().__init__(
            f"{callee} is unavailable: {reason}",
            status=503,
            code="dependency_unavailable",
            details={"service": callee},
        )


class _CalleeFailed(Exception):
    """A 5xx answer: counts against the callee's breaker like a connection error."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _secret(settings: Settings) -> str:
    if settings.service_token_secret is None:
        raise ServiceError(
            "SERVICE_TOKEN_SECRET is not set: service-to-service calls are off",
            status=500,
            code="misconfigured",
        )
    return settings.service_token_secret.get_secret_value()


def service_token(caller: str, callee: str, settings: Settings) -> str:
    now = int(time.time())
    claims = {
        "sub": caller,
        "aud": callee,
        "iat": now,
        "typ": TOKEN_TYPE,
        "exp": now + settings.service_token_ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, _secret(settings), algorithm=ALGORITHM)


def _headers(caller: str, callee: str, settings: Settings) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {service_token(caller, callee, settings)}"}
    try:  # continue the current trace when tracing is installed
        from opentelemetry import propagate

        propagate.inject(headers)
    except ImportError:
        pass
    return headers


class ServiceClient:
    def __init__(
        self,
        callee: str,
        base_url: str,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.callee, self.settings = callee, settings
        self.caller = settings.service_name.removesuffix("-service")
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=settings.breaker_fail_max,
            reset_timeout=settings.breaker_reset_seconds,
            name=f"{self.caller}->{callee}",
            throw_new_error_on_trip=False,
        )
        self.http = httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=settings.service_timeout_seconds
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool | None = None,
        correlation_id: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        method = method.upper()
        retry = method in IDEMPOTENT if idempotent is None else idempotent
        attempts = 1 + (self.settings.service_retries if retry else 0)
        for attempt in range(attempts):
            try:
                return await self._once(method, path, correlation_id, **kwargs)
            except pybreaker.CircuitBreakerError:
                raise ServiceUnavailable(self.callee, "circuit open") from None
            except (httpx.TransportError, _CalleeFailed) as exc:
                reason = str(exc) or type(exc).__name__
                if attempt == attempts - 1:
                    raise ServiceUnavailable(self.callee, reason) from None
                delay = self.settings.service_retry_backoff_seconds * 2**attempt
                log.warning(
                    "%s %s%s failed (%s); retry %d in %.2fs",
                    method,
                    self.callee,
                    path,
                    reason,
                    attempt + 1,
                    delay,
                )
                await asyncio.sleep(delay * (0.5 + random.random()))  # noqa: S311 - jitter
        raise AssertionError("unreachable")

    async def _once(
        self, method: str, path: str, correlation_id: str | None, **kwargs: Any
    ) -> httpx.Response:
        headers = {**_headers(self.caller, self.callee, self.settings), **kwargs.pop("headers", {})}
        if correlation_id:
            headers["X-Correlation-ID"] = correlation_id
        with self.breaker.calling():
            response = await self.http.request(method, path, headers=headers, **kwargs)
            if response.status_code >= 500:
                raise _CalleeFailed(response)
        return response

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def aclose(self) -> None:
        await self.http.aclose()


_clients: dict[str, ServiceClient] = {}


def client_for(callee: str, settings: Settings) -> ServiceClient:
    """The process-wide client of `callee` (its breaker is shared by every request)."""
    if callee not in _clients:
        if callee not in settings.service_urls:
            known = ", ".join(sorted(settings.service_urls)) or "none"
            raise ServiceError(
                f"no URL for service {callee!r} in SERVICE_URLS (known: {known})",
                status=500,
                code="misconfigured",
            )
        _clients[callee] = ServiceClient(callee, settings.service_urls[callee], settings)
    return _clients[callee]


# ---- the callee's side -----------------------------------------------------------------------
_bearer = HTTPBearer(auto_error=False)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def require_service(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    settings: SettingsDep,
) -> str:
    """The calling service's name, from a valid service token addressed to this service."""
    if credentials is None:
        raise _unauthorized("missing service token")
    me = settings.service_name.removesuffix("-service")
    try:
        claims = jwt.decode(
            credentials.credentials,
            _secret(settings),
            algorithms=[ALGORITHM],
            audience=me,
            options={"require": ["exp", "iat", "sub", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise _unauthorized("service token expired") from None
    except jwt.InvalidTokenError as exc:
        raise _unauthorized(f"invalid service token: {exc}") from None
    if claims.get("typ") != TOKEN_TYPE:
        raise _unauthorized("not a service token")
    return str(claims["sub"])


CallingService = Annotated[str, Depends(require_service)]
