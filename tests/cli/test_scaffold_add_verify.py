"""Hardening proven by behaviour: `propctl verify` on the example before and after
`scaffold add all --service api` (+ the engineer's router edits): the API's machine-checked
criteria and subtasks of Tasks 2, 3, 5, 6, 7 and 9 fail before and pass after, through real
requests (asgi) against a real Redis; the example's own tests pass after. What still fails needs
other work (frontend, Pact contract tests, Postman export, Kubernetes probes for the API,
python-decouple in 2.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "generators"))
from hardening import harden  # noqa: E402

PROPCTL = Path(sys.executable).parent / "propctl"
TASKS = (2, 3, 5, 6, 7, 9)
API = {
    2: [
        "2.2",
        "2.3",
        "2.6",
        "2.7",
        "2.10",
        "2.11",
        "2.12",
        "2.13",
        "2.a1",
        "2.a2",
        "2.a3",
        "2.a5",
        "2.a6",
    ],
    3: ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.a1", "3.a2", "3.a4"],
    5: ["5.1", "5.2", "5.3", "5.a1", "5.a2", "5.a3", "5.a4"],
    6: ["6.1", "6.2", "6.3", "6.4", "6.5", "6.9", "6.10", "6.a1", "6.a2", "6.a3", "6.a4"],
    7: ["7.1", "7.2", "7.3", "7.5", "7.a1", "7.a2"],
    9: ["9.1", "9.2", "9.3", "9.6", "9.a1", "9.a2", "9.a3"],
}
# 6.6 and 6.7 cache GET /trust/score/{user_id} and /reputation/{builder_id}: routes of the trust
# and reputation services (Task 11), which the monolith does not have.
OTHER_WORK = {"2.1", "6.6", "6.7", "7.6", "7.7", "7.8", "7.a3", "7.a4", "9.7", "9.8", "9.a4"}
MANUAL = {"2.a4", "3.a3"}


def verify(repo: Path, task: int, redis_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # a database per run: the rate-limit check's 11 logins must not lock out the next
        # task's login requests from the same client address
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + f"/{task}",
    }
    out = subprocess.run(
        [str(PROPCTL), "verify", "--repo", str(repo), "--task", str(task), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr[-3000:]
    return {r["id"]: r["status"] for r in json.loads(out.stdout)["results"]}


def flush(redis_url: str) -> None:
    import redis

    for task in TASKS:
        redis.Redis.from_url(redis_url.rsplit("/", 1)[0] + f"/{task}").flushdb()


@pytest.mark.slow
def test_api_criteria_fail_before_and_pass_after(example_repo: Path, redis_url: str) -> None:
    flush(redis_url)
    before = {task: verify(example_repo, task, redis_url) for task in TASKS}
    for task, ids in API.items():
        passing = [i for i in ids if before[task][i] == "pass"]
        assert not passing, (task, passing)
    harden(example_repo)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=example_repo / "apps/api",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "REDIS_URL"},
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
    flush(redis_url)
    for task in TASKS:
        after = verify(example_repo, task, redis_url)
        failing = {i: after[i] for i in API[task] if after[i] != "pass"}
        assert not failing, (task, failing)
        rest = {i: s for i, s in after.items() if i not in API[task]}
        assert {i for i, s in rest.items() if s == "manual"} <= MANUAL
        assert {i for i, s in rest.items() if s != "manual"} <= OTHER_WORK, rest
