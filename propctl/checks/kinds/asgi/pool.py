"""Warm ASGI runner processes, one per concurrent `asgi` check, reused across checks.

Importing FastAPI and pydantic costs about a second of CPU; a verify run has many `asgi`
checks. Each process keeps those imports and imports the target's own modules afresh for
every check (runner.serve). A check whose app cannot be imported in a reused process is
retried in a fresh one, so state a library keeps globally cannot fake an import error.

The app under test runs inside the runner, so nothing it writes may be taken for a result:
requests and replies travel over two pipes of their own (never stdout, which goes to a log),
each reply carries the id of its request, and anything else on the pipe — a second reply, a
stray line, a reply to another request — ends the worker with an error. After every check
the processes the app left behind are killed (propctl.checks.support.untrusted)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from propctl.checks.support.untrusted import kill_group, kill_strays, minimal_env

RUNNER = Path(__file__).resolve().parent / "runner.py"
MAX_REPLY = 64 * 1024 * 1024  # a reply larger than this is the app flooding the channel


class RunnerTimeout(Exception):
    pass


class RunnerCrashed(Exception):
    def __init__(self, message: str, tail: str) -> None:
        super().__init__(message)
        self.tail = tail


class ForgedReply(RunnerCrashed):
    """Something other than the runner's one reply to this request came over the channel."""


@dataclass
class _Worker:
    python: str
    proc: subprocess.Popen[bytes]
    log: IO[bytes]
    requests: IO[bytes]  # our end of the request pipe
    replies: int  # our end of the reply pipe (a raw fd: read with select)
    buffer: bytearray = field(default_factory=bytearray)
    uses: int = 0

    def log_tail(self) -> str:
        """The last of what the runner and the app wrote to stdout and stderr."""
        try:
            self.log.flush()
            self.log.seek(0, os.SEEK_END)
            size = self.log.tell()
            self.log.seek(max(0, size - 1500))
            return self.log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.requests.close()
        kill_strays(self.proc.pid)
        kill_group(self.proc.pid)  # the runner leads its own session: pgid == pid
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        with contextlib.suppress(OSError, ValueError):
            os.close(self.replies)
        with contextlib.suppress(OSError, ValueError):
            self.log.close()


class RunnerPool:
    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def run(self, python: str, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
        worker = self._take(python)
        reused = worker.uses > 0
        result = self._use(worker, spec, timeout)
        if reused and "error" in result and str(result["error"]).startswith("cannot import"):
            result = self._use(self._spawn(python), spec, timeout)
        return result

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()

    # ---- internals ---------------------------------------------------------------------------
    def _use(self, worker: _Worker, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
        """One check on one worker; the worker goes back to the pool only after a clean reply
        and once everything the app started has been killed."""
        try:
            result = _ask(worker, spec, timeout)
        except BaseException:
            worker.close()
            raise
        kill_strays(worker.proc.pid)
        worker.uses += 1
        self._give_back(worker)
        return result

    def _take(self, python: str) -> _Worker:
        with self._lock:
            for worker in self._idle:
                if worker.python == python and worker.proc.poll() is None:
                    self._idle.remove(worker)
                    return worker
        return self._spawn(python)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and worker.proc.poll() is None:
                self._idle.append(worker)
                return
        worker.close()

    def _spawn(self, python: str) -> _Worker:
        log = tempfile.TemporaryFile()
        spec_read, spec_write = os.pipe()
        reply_read, reply_write = os.pipe()
        try:
            proc = subprocess.Popen(
                [python, str(RUNNER), "--serve", str(spec_read), str(reply_write)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=minimal_env({"PYTHONUNBUFFERED": "1"}),
                pass_fds=(spec_read, reply_write),
                start_new_session=True,
            )
        except BaseException:
            for fd in (spec_write, reply_read):
                os.close(fd)
            log.close()
            raise
        finally:
            os.close(spec_read)
            os.close(reply_write)
        return _Worker(python, proc, log, os.fdopen(spec_write, "wb"), reply_read)


def _ask(worker: _Worker, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    # unguessable, so that a reply cannot be written ahead of the request it answers
    request_id = secrets.token_hex(16)
    try:
        worker.requests.write(json.dumps({"id": request_id, "spec": spec}).encode() + b"\n")
        worker.requests.flush()
    except (BrokenPipeError, OSError) as exc:
        raise RunnerCrashed(f"the runner exited early ({exc})", worker.log_tail()) from None
    line = _read_line(worker, time.monotonic() + timeout, timeout)
    return _match(line, request_id, worker)


def _read_line(worker: _Worker, deadline: float, timeout: float) -> bytes:
    while b"\n" not in worker.buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RunnerTimeout(f"no answer within {timeout:g}s")
        ready, _, _ = select.select([worker.replies], [], [], min(remaining, 1.0))
        if not ready:
            if worker.proc.poll() is not None:
                raise RunnerCrashed(
                    f"the runner exited with {worker.proc.returncode}", worker.log_tail()
                )
            continue
        chunk = os.read(worker.replies, 65536)
        if not chunk:
            code = worker.proc.wait()
            raise RunnerCrashed(f"the runner exited with {code}", worker.log_tail())
        worker.buffer += chunk
        if len(worker.buffer) > MAX_REPLY:
            raise RunnerCrashed("the reply is larger than 64 MiB", worker.log_tail())
    line, _, rest = bytes(worker.buffer).partition(b"\n")
    worker.buffer = bytearray(rest)
    return line


def _match(line: bytes, request_id: str, worker: _Worker) -> dict[str, Any]:
    """The reply to this request, and nothing else: the runner writes exactly one line per
    request, so anything more (or other) on the channel means something forged it."""
    try:
        reply = json.loads(line)
    except ValueError:
        raise ForgedReply("the runner's reply is not JSON", worker.log_tail()) from None
    if not isinstance(reply, dict) or reply.get("id") != request_id:
        raise ForgedReply(
            "a reply that does not answer this check's request arrived: refused",
            worker.log_tail(),
        )
    if worker.buffer:
        raise ForgedReply("more than one reply arrived for one request", worker.log_tail())
    result = reply.get("result")
    if not isinstance(result, dict):
        raise ForgedReply("the runner's reply holds no result", worker.log_tail())
    return result
