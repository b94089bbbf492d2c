"""Two generated services on loopback: crm calls trust through the client part (service
token, retries, circuit breaker); trust runs under uvicorn in a subprocess."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from propctl.generators.engine.apply import apply
from propctl.generators.engine.plan import plan
from propctl.generators.service import service_generation
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from servers import free_port  # noqa: E402

pytestmark = pytest.mark.slow
SECRET = secrets.token_urlsafe(40)
ENV = {
    "JWT_SECRET": secrets.token_urlsafe(40),
    "SERVICE_TOKEN_SECRET": SECRET,
    "ENVIRONMENT": "test",
    "REDIS_URL": "redis://127.0.0.1:1/0",
}


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Path:
    roadmap = load_roadmap(bundled_roadmap())
    repo = tmp_path_factory.mktemp("pair")
    for name, port in (("crm", 3016), ("trust", 3006)):
        apply(repo, plan(repo, service_generation(repo, roadmap, name, port)))
    return repo / "apps"


class Callee:
    """trust-service under uvicorn on a fixed loopback port, stoppable and restartable."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port, self.process = folder, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        env = {**os.environ, **ENV, "DATABASE_URL": f"sqlite:///{self.folder / 'trust.db'}"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=self.folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"trust-service exited: {self.process.stderr.read()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=0.5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("trust-service did not start in 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@pytest.fixture(scope="module")
def trust(services: Path) -> Iterator[Callee]:
    callee = Callee(services / "trust-service", free_port())
    callee.start()
    try:
        yield callee
    finally:
        callee.stop()


@pytest.fixture(scope="module")
def crm(services: Path) -> Iterator[ModuleType]:
    """crm-service's app.clients, imported in this process."""

    def purge() -> None:
        for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
            del sys.modules[name]

    purge()
    saved = {k: os.environ.get(k) for k in ENV}
    os.environ.update(ENV)
    sys.path.insert(0, str(services / "crm-service"))
    try:
        import app.clients

        yield app.clients
    finally:
        sys.path.remove(str(services / "crm-service"))
        purge()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_crm_calls_trust_then_the_breaker_opens_and_closes(crm: ModuleType, trust: Callee) -> None:
    asyncio.run(scenario(crm, trust))


async def scenario(crm: ModuleType, trust: Callee) -> None:
    """One event loop for the whole story: the client's connection pool belongs to it."""
    from app.settings import Settings

    settings = Settings(
        service_name="crm-service",
        service_urls={"trust": trust.url},
        breaker_fail_max=3,
        breaker_reset_seconds=0.5,
        service_retries=2,
        service_retry_backoff_seconds=0.01,
        service_timeout_seconds=2,
    )
    client = crm.ServiceClient("trust", trust.url, settings)

    async def ping() -> httpx.Response:
        return await client.get("/api/v1/internal/ping", correlation_id="corr-1")

    # 1. an authenticated call succeeds, and the callee knows who called
    response = await ping()
    assert response.status_code == 200, response.text
    assert response.json() == {"service": "trust-service", "caller": "crm"}
    assert response.headers["X-Correlation-ID"] == "corr-1"

    # 2. the callee refuses calls without a service token, or with one meant for another
    bare = httpx.get(f"{trust.url}/api/v1/internal/ping")
    assert bare.status_code == 401
    assert bare.json()["error"]["code"] == "unauthorized"
    elsewhere = crm.service_token("crm", "legal", settings)
    wrong = httpx.get(
        f"{trust.url}/api/v1/internal/ping", headers={"Authorization": f"Bearer {elsewhere}"}
    )
    assert wrong.status_code == 401

    # 3. trust dies: the retries exhaust the breaker's budget, then calls fail fast
    trust.stop()
    with pytest.raises(crm.ServiceUnavailable) as first:
        await ping()
    assert first.value.status == 503 and "circuit open" not in first.value.message
    assert client.breaker.current_state == "open"
    with pytest.raises(crm.ServiceUnavailable, match="circuit open"):
        await ping()

    # 4. trust comes back: after the reset timeout a trial call closes the breaker
    trust.start()
    await asyncio.sleep(0.6)
    assert (await ping()).status_code == 200
    assert client.breaker.current_state == "closed"
    await client.aclose()
