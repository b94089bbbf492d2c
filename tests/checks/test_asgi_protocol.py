"""The asgi pool's side of the protocol, against fake runners: only the one reply to this
request, on the private channel, is a result (propctl.checks.kinds.asgi.pool)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from propctl.checks.kinds.asgi.kind import reply_problem
from propctl.checks.kinds.asgi.pool import ForgedReply, RunnerCrashed, RunnerPool, RunnerTimeout

PRELUDE = """\
import json, os, sys, time
inbox, outbox = os.fdopen(int(sys.argv[2]), "rb"), os.fdopen(int(sys.argv[3]), "wb", 0)
def line(request_id, result):
    return json.dumps({"id": request_id, "result": result}).encode() + b"\\n"
def answer(request_id, result):
    outbox.write(line(request_id, result))
for raw in inbox:
    request = json.loads(raw)
"""
FAKES = {
    "honest, with noise on stdout": "    print('__PROPCTL_ASGI__{\"steps\": []}', flush=True)\n"
    "    answer(request['id'], {'steps': ['real']})\n",
    "answers another request": "    answer('0' * 32, {'steps': ['forged']})\n",
    "a junk line first": "    outbox.write(b'not json\\n'); answer(request['id'], {'steps': []})\n",
    "two replies at once": "    outbox.write(line(request['id'], {}) * 2)\n",
    "no result in the reply": "    outbox.write(line(request['id'], None))\n",
    "never answers": "    time.sleep(60)\n",
    "dies": "    print('the runner fell over', file=sys.stderr, flush=True); sys.exit(9)\n",
}


def ask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: str) -> dict[str, Any]:
    script = tmp_path / "fake_runner.py"
    script.write_text(PRELUDE + FAKES[fake])
    monkeypatch.setattr("propctl.checks.kinds.asgi.pool.RUNNER", script)
    pool = RunnerPool()
    try:
        return pool.run(sys.executable, {"root": str(tmp_path)}, timeout=3)
    finally:
        pool.close()


def test_the_reply_to_this_request_is_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ask(tmp_path, monkeypatch, "honest, with noise on stdout") == {"steps": ["real"]}


@pytest.mark.parametrize(
    ("fake", "error", "message"),
    [
        ("answers another request", ForgedReply, "does not answer this check's request"),
        ("a junk line first", ForgedReply, "not JSON"),
        ("two replies at once", ForgedReply, "more than one reply"),
        ("no result in the reply", ForgedReply, "holds no result"),
        ("never answers", RunnerTimeout, "no answer within 3s"),
        ("dies", RunnerCrashed, "exited with 9"),
    ],
)
def test_anything_else_is_never_a_result(
    fake: str,
    error: type[Exception],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(error, match=message) as caught:
        ask(tmp_path, monkeypatch, fake)
    if fake == "dies":
        assert isinstance(caught.value, RunnerCrashed)
        assert "the runner fell over" in caught.value.tail  # its log, as evidence


def _response(**changes: Any) -> dict[str, Any]:
    return {"method": "GET", "path": "/", "status": 200, "headers": {}, **changes}


@pytest.mark.parametrize(
    ("seen", "problem"),
    [
        ({"steps": [{"responses": [_response()]}]}, None),
        ({"steps": [{"responses": [_response(status=None)]}]}, None),  # judged: no response
        ({"steps": []}, "expected 1 step outcome(s)"),
        ({"steps": [{"responses": "200"}]}, "no responses"),
        ({"steps": [{"responses": [_response(status=999)]}]}, "not an HTTP status"),
        ({"steps": [{"responses": [_response(status="200")]}]}, "not an HTTP status"),
        ({"steps": [{"responses": [_response(headers=[])]}]}, "with headers"),
        ({"steps": [{"responses": [_response(path=None)]}]}, "which request"),
    ],
)
def test_a_malformed_reply_is_never_judged(seen: dict[str, Any], problem: str | None) -> None:
    found = reply_problem(seen, 1)
    assert (found is None) if problem is None else (found is not None and problem in found)
