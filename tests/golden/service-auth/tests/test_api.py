def test_info(client) -> None:
    body = client.get("/api/v1/info").json()
    assert body["api"] == "v1" and body["service"].endswith("-service")


def test_verify_returns_the_claims(client, make_token) -> None:
    response = client.post("/api/v1/auth/verify", json={"token": make_token("u1")})
    assert response.status_code == 200 and response.json()["sub"] == "u1"


def test_verify_rejects_a_bad_token(client) -> None:
    response = client.post("/api/v1/auth/verify", json={"token": "x.y.z"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
