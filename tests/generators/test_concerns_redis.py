"""The hardened example against a real Redis (fixture `redis_url`): login rate limit, OTP
storage and TTL, refresh-token rotation, response cache (warming, TTLs, invalidation on writes,
hit rate), and readiness 503 when Redis is down. Nothing sends an SMS: the development adapter
prints the message and the probe reads it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hardening import harden  # noqa: E402

PROBE = Path(__file__).parent / "fixtures_hardened_api" / "probe_redis.py"


def _env(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "JWT_"))}
    return {**clean, "PYTHONDONTWRITEBYTECODE": "1", **extra}


@pytest.fixture
def hardened(example_repo: Path) -> Path:
    harden(example_repo)
    return example_repo / "apps/api"


def test_redis_backed_security_and_cache(hardened: Path, redis_url: str) -> None:
    shutil.copy(PROBE, hardened / "tests" / "test_probe_redis.py")
    url = redis_url.rsplit("/", 1)[0] + "/11"  # a database of its own
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_probe_redis.py",
        ],
        cwd=hardened,
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(REDIS_URL=url),
        check=False,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "5 passed" in out.stdout


def test_readiness_is_503_and_the_app_still_starts_when_redis_is_down(hardened: Path) -> None:
    from servers import free_port

    code = """
import json
from fastapi.testclient import TestClient
from main import app
with TestClient(app) as c:
    ready = c.get("/health/ready")
    live = c.get("/health")
    feed = c.get("/api/v1/projects/feed")
    cache = c.get("/health/cache")
    print(json.dumps([ready.status_code, ready.json(), live.status_code, feed.status_code,
                      cache.status_code]))
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=hardened,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_env(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    ready, body, live, feed, cache = json.loads(out.stdout.strip().splitlines()[-1])
    assert ready == 503 and body["checks"]["redis"]["status"] == "down"
    assert (live, feed, cache) == (200, 200, 503)  # answers uncached; the cache says it is down


def test_production_refuses_missing_secrets(hardened: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import main"],
        cwd=hardened,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_env(ENVIRONMENT="production"),
    )
    assert out.returncode != 0
    assert "JWT_SECRET, REDIS_URL must be set in production" in out.stderr
    out = subprocess.run(
        [sys.executable, "-c", "import main"],
        cwd=hardened,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_env(ENVIRONMENT="production", JWT_SECRET="x" * 48, REDIS_URL="redis://127.0.0.1:1/0"),
    )
    assert "SMS_PROVIDER=console sends no SMS" in out.stderr
