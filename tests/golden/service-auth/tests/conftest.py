"""Test settings: a random JWT secret, SQLite for the database, Redis on a closed port unless a
test says otherwise. Nothing here reaches the network."""

import os
import secrets
import time
from collections.abc import Iterator

import jwt
import pytest
from fastapi.testclient import TestClient

os.environ["JWT_SECRET"] = secrets.token_urlsafe(48)  # hermetic: never a developer's secret
os.environ["ENVIRONMENT"] = "test"

from app.main import create_app  # noqa: E402
from app.settings import Settings, get_settings  # noqa: E402


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'test.db'}",
        redis_url="redis://127.0.0.1:1/0",
        readiness_timeout_seconds=0.5,
        login_rate_limit=3,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    app.dependency_overrides[get_settings] = lambda: settings
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def make_token(settings: Settings):
    def make(subject: str = "user-1", expires_in: int = 300, **claims: object) -> str:
        payload = {"sub": subject, "exp": int(time.time()) + expires_in, **claims}
        return jwt.encode(
            payload, settings.jwt_secret.get_secret_value(), algorithm=settings.jwt_algorithm
        )

    return make
