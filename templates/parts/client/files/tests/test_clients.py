"""The inter-service client against a fake callee (httpx.MockTransport): tokens, retries,
the circuit breaker. The two-real-services test lives in propctl's own suite."""

import asyncio
import secrets

import httpx
import jwt
import pytest

from app.clients import ServiceClient, ServiceUnavailable, require_service, service_token
from app.settings import Settings

SECRET = secrets.token_urlsafe(40)


@pytest.fixture
def caller_settings() -> Settings:
    return Settings(
        service_name="crm-service",
        service_token_secret=SECRET,
        breaker_fail_max=3,
        breaker_reset_seconds=0.2,
        service_retries=2,
        service_retry_backoff_seconds=0.0,
        service_timeout_seconds=1.0,
    )


def client(settings: Settings, handler) -> ServiceClient:
    return ServiceClient(
        "trust", "http://trust.test", settings, transport=httpx.MockTransport(handler)
    )


def run(coro):
    return asyncio.run(coro)


def test_requests_carry_a_short_lived_token_for_the_callee(caller_settings: Settings) -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["token"] = request.headers["authorization"].removeprefix("Bearer ")
        return httpx.Response(200, json={"ok": True})

    response = run(client(caller_settings, handler).get("/api/v1/internal/ping"))
    assert response.status_code == 200
    claims = jwt.decode(seen["token"], SECRET, algorithms=["HS256"], audience="trust")
    assert claims["sub"] == "crm" and claims["typ"] == "service"
    assert 0 < claims["exp"] - claims["iat"] <= caller_settings.service_token_ttl_seconds


def test_the_callee_accepts_only_its_own_valid_service_tokens(caller_settings: Settings) -> None:
    from fastapi import HTTPException
    from fastapi.security import HTTPAuthorizationCredentials

    trust = Settings(service_name="trust-service", service_token_secret=SECRET)
    good = HTTPAuthorizationCredentials(
        scheme="Bearer", credentials=service_token("crm", "trust", trust)
    )
    assert require_service(good, trust) == "crm"
    for credentials in (
        None,
        HTTPAuthorizationCredentials(
            scheme="Bearer", credentials=service_token("crm", "legal", trust)
        ),
        HTTPAuthorizationCredentials(
            scheme="Bearer",
            credentials=jwt.encode({"sub": "crm", "aud": "trust", "iat": 0, "exp": 10**10}, SECRET),
        ),  # no typ
        HTTPAuthorizationCredentials(
            scheme="Bearer",
            credentials=jwt.encode(
                {"sub": "crm", "aud": "trust", "iat": 0, "exp": 10**10, "typ": "service"},
                "another-secret-of-enough-length-0123456789",
            ),
        ),
    ):
        with pytest.raises(HTTPException) as info:
            require_service(credentials, trust)
        assert info.value.status_code == 401


def test_idempotent_calls_are_retried_and_others_are_not(caller_settings: Settings) -> None:
    calls = {"GET": 0, "POST": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls[request.method] += 1
        return httpx.Response(503) if calls[request.method] < 3 else httpx.Response(200)

    trust = client(caller_settings, handler)
    assert run(trust.get("/x")).status_code == 200 and calls["GET"] == 3
    with pytest.raises(ServiceUnavailable):
        run(trust.post("/x", json={}))
    assert calls["POST"] == 1


def test_client_errors_are_returned_and_do_not_open_the_breaker(caller_settings: Settings) -> None:
    trust = client(caller_settings, lambda request: httpx.Response(404))
    for _ in range(5):
        assert run(trust.get("/missing")).status_code == 404
    assert trust.breaker.current_state == "closed"


def test_the_breaker_opens_fails_fast_and_closes_again(caller_settings: Settings) -> None:
    state = {"up": False, "calls": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        state["calls"] += 1
        if not state["up"]:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200)

    trust = client(caller_settings, handler)
    with pytest.raises(ServiceUnavailable):
        run(trust.get("/x"))  # three attempts: the breaker's fail_max
    assert trust.breaker.current_state == "open"
    before = state["calls"]
    with pytest.raises(ServiceUnavailable, match="circuit open"):
        run(trust.get("/x"))
    assert state["calls"] == before  # failed fast: no request sent
    state["up"] = True
    run(asyncio.sleep(0.25))
    assert run(trust.get("/x")).status_code == 200
    assert trust.breaker.current_state == "closed"
