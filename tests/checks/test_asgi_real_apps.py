"""The asgi runner on code propctl was not written with: FastAPI's own documentation examples
(tests/fixtures/real/fastapi-docs-src, SOURCE.md), through one warm pool as verify runs them.
The expected answers come from reading those apps: a bearer scheme's 401, a dependency chain's
400 and 200, a lifespan that must run before the first request, a streamed body, a background
task that runs after the response."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from checkkit import run

from propctl.checks.kinds.asgi.pool import RunnerPool
from propctl.checks.status import Status

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "fastapi-docs-src"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


CASES: list[tuple[str, dict[str, Any], Status, str]] = [
    (
        "a bearer scheme refuses a request without a token",
        {
            "app_dir": "bearer",
            "steps": [
                {
                    "path": "/items/",
                    "expect": {"status": 401, "headers": {"www-authenticate": "^Bearer$"}},
                }
            ],
        },
        Status.PASS,
        "401",
    ),
    (
        "expecting 200 from it without a token fails, with what it answered",
        {"app_dir": "bearer", "steps": [{"path": "/items/", "expect": {"status": 200}}]},
        Status.FAIL,
        "GET /items/ -> 401: expected status 200",
    ),
    (
        "the token reaches the route",
        {
            "app_dir": "bearer",
            "steps": [
                {
                    "path": "/items/",
                    "headers": _bearer("abc"),
                    "expect": {"status": 200, "json": "token == 'abc'"},
                }
            ],
        },
        Status.PASS,
        "200",
    ),
    (
        "a dependency chain: unknown 401, inactive 400, active 200",
        {
            "app_dir": "users",
            "steps": [
                {"path": "/users/me", "headers": _bearer("nobody"), "expect": {"status": 401}},
                {
                    "path": "/users/me",
                    "headers": _bearer("alice"),
                    "expect": {"status": 400, "body": "Inactive user"},
                },
                {
                    "path": "/users/me",
                    "headers": _bearer("johndoe"),
                    "expect": {"status": 200, "json": "username == 'johndoe' && !disabled"},
                },
            ],
        },
        Status.PASS,
        "3 responses as expected",
    ),
    (
        "the lifespan runs before the first request (else /predict is a KeyError)",
        {
            "app_dir": "lifespan",
            "steps": [
                {"path": "/predict?x=2", "expect": {"status": 200, "json": "result == `84.0`"}}
            ],
        },
        Status.PASS,
        "200",
    ),
    (
        "a streamed body arrives whole",
        {
            "app_dir": "streaming",
            "steps": [
                {"path": "/", "expect": {"status": 200, "body": "^(some fake video bytes){10}$"}}
            ],
        },
        Status.PASS,
        "200",
    ),
]


@pytest.fixture(scope="module")
def pool() -> Any:
    shared = RunnerPool()
    yield shared
    shared.close()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("real") / "repo"
    shutil.copytree(FIXTURE, dest)
    return dest


@pytest.mark.parametrize(("name", "params", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_fastapi_docs_apps(
    name: str, params: dict[str, Any], status: Status, message: str, repo: Path, pool: RunnerPool
) -> None:
    result = run({"kind": "asgi", "timeout": 60, **params}, repo, services={"asgi_pool": pool})
    detail = result.message + " | " + " | ".join(e.detail for e in result.evidence)
    assert result.status is status, detail
    assert message in detail


def test_a_background_task_runs_after_the_response(repo: Path, pool: RunnerPool) -> None:
    check = {
        "kind": "asgi",
        "app_dir": "background",
        "steps": [
            {
                "method": "POST",
                "path": "/send-notification/ana@example.com",
                "expect": {"status": 200, "json": "contains(message, 'background')"},
            }
        ],
    }
    result = run(check, repo, services={"asgi_pool": pool})
    assert result.status is Status.PASS, result.message
    # it ran in the app's folder (the runner's working directory for the check), and finished
    # before the runner replied
    log = repo / "background" / "log.txt"
    assert log.read_text() == "notification for ana@example.com: some notification"
