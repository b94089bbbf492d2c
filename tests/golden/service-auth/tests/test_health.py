import pytest

from app import health


def test_liveness(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_ready_when_database_and_redis_answer(client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(health.CHECKS, "redis", lambda settings: None)  # no Redis server here
    response = client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["database"] == {"status": "up"}


def test_not_ready_when_redis_is_down(client) -> None:
    response = client.get("/health/ready")  # conftest points Redis at a closed port
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "up"


def test_not_ready_when_the_database_is_down(client, settings, monkeypatch) -> None:
    monkeypatch.setitem(health.CHECKS, "redis", lambda settings: None)
    settings.database_url = "sqlite:////nonexistent-dir/x/y.db"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "down"
    assert "nonexistent" not in response.text
