import pytest

from app.auth import RateLimiter, limiter


@pytest.fixture(autouse=True)
def fresh_limiter():
    limiter._hits.clear()


def test_protected_route_needs_a_token(client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_valid_token_is_accepted(client, make_token) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {make_token('u7')}"})
    assert response.status_code == 200 and response.json()["sub"] == "u7"


@pytest.mark.parametrize("case", ["expired", "tampered", "garbage", "no-exp"])
def test_bad_tokens_are_rejected(client, make_token, case: str) -> None:
    token = {
        "expired": lambda: make_token(expires_in=-10),
        "tampered": lambda: make_token()[:-2] + "xx",
        "garbage": lambda: "not.a.jwt",
        "no-exp": lambda: _without_exp(client),
    }[case]()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def _without_exp(client) -> str:
    import jwt

    settings = client.app.state.settings
    return jwt.encode({"sub": "x"}, settings.jwt_secret.get_secret_value(), algorithm="HS256")


def test_login_like_route_is_rate_limited(client, make_token) -> None:
    token = make_token()
    codes = [
        client.post("/api/v1/auth/verify", json={"token": token}).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]  # conftest sets the limit to 3


def test_rate_limiter_window_resets() -> None:
    limiter = RateLimiter()
    assert [limiter.hit("k", 2, 60) for _ in range(3)][:2] == [0, 0]
    assert limiter.hit("k", 2, 60) > 0
    assert limiter.hit("other", 2, 60) == 0
    assert limiter.hit("zero-window", 1, 1) == 0
