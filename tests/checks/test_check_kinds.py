"""Every check kind against passing and failing cases written as data (cases/<kind>.yaml):
files -> check -> expected status (and, where it matters, part of the message)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from checkkit import load_cases, make_repo, run

from propctl.checks.engine.base import registry
from propctl.checks.gate.verdict import Attestation
from propctl.checks.status import Status
from propctl.errors import MissingToolError
from propctl.roadmap.kinds import CHECK_KINDS

STATIC = [
    "path_exists",
    "text",
    "structured",
    "python",
    "coverage",
    "junit",
    "secrets",
    "k8s",
    "workflow",
    "command",
    "composite",
]
CASES = [case for name in STATIC for case in load_cases(name)]


def _assert(case: dict[str, Any], result: Any) -> None:
    shown = f"{result.status.value}: {result.message} {[str(e) for e in result.evidence]}"
    assert result.status is Status(case["expected"]), shown
    if "message" in case:
        assert case["message"] in result.message, shown
    for secret in case.get("evidence_lacks", []):
        assert secret not in shown, f"{secret!r} leaked: {shown}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_static_kinds(case: dict[str, Any], tmp_path: Path) -> None:
    _assert(case, run(case["check"], make_repo(tmp_path / "repo", case["files"])))


ASGI = load_cases("asgi")


@pytest.mark.parametrize("case", ASGI, ids=[c["id"] for c in ASGI])
def test_asgi_kind(case: dict[str, Any], tmp_path: Path, asgi_pool: Any) -> None:
    repo = make_repo(tmp_path / "repo", case["files"])
    _assert(case, run(case["check"], repo, services={"asgi_pool": asgi_pool}))


def test_asgi_without_a_pool_runs_its_own_process(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "apps/api/main.py": (
                "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/health')\n"
                "def health():\n    return {'ok': True}\n"
            )
        },
    )
    check = {"kind": "asgi", "steps": [{"path": "/health", "expect": {"status": 200}}]}
    assert run(check, repo).status is Status.PASS


READY_APP = """\
import os, socket
from urllib.parse import urlsplit
from fastapi import FastAPI
from fastapi.responses import JSONResponse
app = FastAPI()
@app.get('/health/ready')
def ready():
    url = urlsplit(os.environ.get('REDIS_URL', ''))
    try:
        socket.create_connection((url.hostname, url.port), timeout=1).close()
        return {'redis': 'ok', 'database': 'ok'}
    except OSError:
        return JSONResponse({'redis': 'down', 'database': 'ok'}, status_code=503)
"""


@pytest.mark.parametrize(
    ("redis", "status", "expected"),
    [("down", 503, Status.PASS), ("up", 503, Status.FAIL), ("up", 200, Status.PASS)],
)
def test_asgi_redis_up_and_down(
    redis: str,
    status: int,
    expected: Status,
    tmp_path: Path,
    asgi_pool: Any,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    repo = make_repo(tmp_path / "repo", {"apps/api/main.py": READY_APP})
    check = {
        "kind": "asgi",
        "redis": redis,
        "steps": [{"path": "/health/ready", "expect": {"status": status}}],
    }
    assert run(check, repo, services={"asgi_pool": asgi_pool}).status is expected


def test_asgi_needs_redis_and_has_none_is_an_error(
    tmp_path: Path, asgi_pool: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    repo = make_repo(tmp_path / "repo", {"apps/api/main.py": READY_APP})
    check = {
        "kind": "asgi",
        "redis": "up",
        "steps": [{"path": "/health/ready", "expect": {"status": 200}}],
    }
    # no REDIS_URL and no redis-server provider: error, never pass
    result = run(check, repo, services={"asgi_pool": asgi_pool})
    assert result.status is Status.ERROR and "Redis" in result.message


def _attested(days: int | None) -> dict[str, Attestation]:
    expires = None if days is None else date.today() + timedelta(days=days)
    return {
        "2.a4": Attestation(
            "2.a4",
            "Asha Rao",
            "https://tracker.example/SEC-42",
            date.today() - timedelta(days=3),
            expires,
        )
    }


@pytest.mark.parametrize(
    ("attestations", "expected", "words"),
    [
        ({}, Status.MANUAL, "propctl attest 2.a4"),
        (_attested(None), Status.PASS, "attested by Asha Rao"),
        (_attested(30), Status.PASS, "attested by Asha Rao"),
        (_attested(-1), Status.FAIL, "expired"),
    ],
)
def test_manual_kind(
    attestations: dict[str, Attestation], expected: Status, words: str, tmp_path: Path
) -> None:
    result = run(
        {"kind": "manual"},
        make_repo(tmp_path, {}),
        item_id="2.a4",
        services={"attestations": attestations},
    )
    assert result.status is expected
    assert words in result.message


def test_every_listed_kind_is_registered_or_live() -> None:
    """The roadmap's kind list and the registry agree (the infrastructure kinds come from
    their own modules)."""
    known = set(registry())
    assert known <= set(CHECK_KINDS)
    assert set(CHECK_KINDS) - known <= {"infra_plan", "aws", "k8s_live"}


def test_every_kind_has_cases_here() -> None:
    covered = {c["check"]["kind"] for c in CASES + ASGI} | {"manual"}
    assert covered >= set(registry()) - {"infra_plan", "aws", "k8s_live"}


CACHING_APP = """\
import os, socket
from urllib.parse import urlsplit
from fastapi import FastAPI
app = FastAPI()
def redis(*words):
    url = urlsplit(os.environ['REDIS_URL'])
    with socket.create_connection((url.hostname, url.port)) as sock:
        for cmd in (['SELECT', url.path.strip('/') or '0'], list(words)):
            wire = ''.join(f'${len(w)}\\r\\n{w}\\r\\n' for w in cmd)
            sock.sendall((f'*{len(cmd)}\\r\\n' + wire).encode())
            sock.recv(1024)
@app.get('/feed')
def feed():
    redis('SET', 'cache:feed', '[]')
    return []
"""


def test_each_redis_check_starts_from_an_empty_database(
    tmp_path: Path, asgi_pool: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verify's own redis-server (the `redis` service): a database per check, emptied first."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    repo = make_repo(tmp_path / "repo", {"apps/api/main.py": CACHING_APP})
    services = {"asgi_pool": asgi_pool, "redis": lambda: redis_url}
    fills = {
        "kind": "asgi",
        "redis": "up",
        "steps": [{"path": "/feed", "expect": {"status": 200, "redis_keys_added": 1}}],
    }
    warm = {
        "kind": "asgi",
        "redis": "up",
        "steps": [{"path": "/feed", "expect": {"redis_keys_before": 1}}],
    }
    for _ in range(16):  # every database of the rotation has been written to at least once
        assert run(fills, repo, services=services).status is Status.PASS
    result = run(warm, repo, services=services)
    assert result.status is Status.FAIL and "0 Redis keys before" in result.message


def test_the_users_redis_is_never_emptied(
    tmp_path: Path, asgi_pool: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No redis-server to start: REDIS_URL is used as it is, and what it holds stays."""
    import redis

    users = redis_url.rsplit("/", 1)[0] + "/9"
    client = redis.Redis.from_url(users)
    client.flushdb()
    client.set("precious", "1")
    monkeypatch.setenv("REDIS_URL", users)

    def no_server() -> str:
        raise MissingToolError("redis-server is not installed")

    repo = make_repo(tmp_path / "repo", {"apps/api/main.py": CACHING_APP})
    check = {
        "kind": "asgi",
        "redis": "up",
        "steps": [{"path": "/feed", "expect": {"status": 200, "redis_keys_added": 1}}],
    }
    result = run(check, repo, services={"asgi_pool": asgi_pool, "redis": no_server})
    assert result.status is Status.PASS, result.message
    assert client.get("precious") == b"1" and client.exists("cache:feed")


BIG = "x = 1\n" * (5 * 1024 * 1024 // 6 + 1)  # over the 4 MiB a check reads


@pytest.mark.parametrize(
    ("check", "status"),
    [
        # must not match: a file it cannot read may hold the pattern
        ({"must_match": False}, "error"),
        # must match, and the readable files already have enough matches: the big one cannot matter
        ({"must_match": True}, "pass"),
        # must match in every file: the big one might or might not
        ({"must_match": True, "every_file": True}, "error"),
        # must match twice: one readable match; the big file might hold the second
        ({"must_match": True, "min_matches": 2}, "error"),
    ],
    ids=["absent", "present", "every-file", "min-matches"],
)
def test_a_text_check_errors_when_a_file_it_cannot_read_could_change_the_verdict(
    tmp_path: Path, check: dict[str, Any], status: str
) -> None:
    repo = make_repo(
        tmp_path / "repo", {"app/main.py": "SECRET = 1\n", "app/big.py": BIG, "app/logo.py": ""}
    )
    (repo / "app" / "logo.py").write_bytes(b"\x89PNG\0\0SECRET")  # binary: never an error
    result = run({"kind": "text", "files": "app/*.py", "pattern": "SECRET", **check}, repo)
    assert result.status.value == status, result.message
    if status == "error":
        assert "app/big.py (larger than 4 MiB)" in result.message
        assert "logo" not in result.message
