def test_every_response_carries_the_api_version(client) -> None:
    for path in ("/health", "/api/v1/info", "/does-not-exist"):
        assert client.get(path).headers["X-API-Version"] == "1"


def test_docs_live_under_the_version(client) -> None:
    assert client.get("/api/v1/docs").status_code == 200
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert all(p.startswith(("/api/v1/", "/health")) for p in paths)
