"""Warm ASGI runner processes, one per concurrent `asgi` check, reused across checks.

Importing FastAPI and pydantic costs about a second of CPU; a verify run has many `asgi`
checks. Each process keeps those imports and imports the target's own modules afresh for
every check (asgi_runner.serve). A check whose app cannot be imported in a reused process is
retried in a fresh one, so state a library keeps globally cannot fake an import error."""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

RUNNER = Path(__file__).resolve().parent / "asgi_runner.py"
MARK = "__PROPCTL_ASGI__"


class RunnerTimeout(Exception):
    pass


class RunnerCrashed(Exception):
    def __init__(self, message: str, tail: str) -> None:
        super().__init__(message)
        self.tail = tail


@dataclass
class _Worker:
    python: str
    proc: subprocess.Popen[bytes]
    stderr: IO[bytes]
    buffer: bytes = b""
    uses: int = 0

    def stderr_tail(self) -> str:
        try:
            self.stderr.flush()
            self.stderr.seek(0)
            return self.stderr.read()[-1500:].decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin:
                self.proc.stdin.close()
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdout:
                self.proc.stdout.close()
            self.stderr.close()


class RunnerPool:
    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def run(self, python: str, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
        worker = self._take(python)
        reused = worker.uses > 0
        try:
            result = self._ask(worker, spec, timeout)
        except BaseException:
            worker.close()
            raise
        worker.uses += 1
        self._give_back(worker)
        if reused and "error" in result and result["error"].startswith("cannot import"):
            fresh = self._spawn(python)
            try:
                result = self._ask(fresh, spec, timeout)
            finally:
                fresh.uses += 1
                self._give_back(fresh)
        return result

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()

    # ---- internals ---------------------------------------------------------------------------
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
        stderr = tempfile.TemporaryFile()
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(
            [python, str(RUNNER), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            start_new_session=True,
        )
        return _Worker(python, proc, stderr)

    def _ask(self, worker: _Worker, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert worker.proc.stdin is not None and worker.proc.stdout is not None
        try:
            worker.proc.stdin.write(json.dumps(spec).encode() + b"\n")
            worker.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise RunnerCrashed(f"the runner exited early ({exc})", worker.stderr_tail()) from None
        deadline = time.monotonic() + timeout
        fd = worker.proc.stdout.fileno()
        while True:
            line = _next_line(worker)
            if line is not None:
                if line.startswith(MARK):
                    return json.loads(line[len(MARK) :])  # type: ignore[no-any-return]
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RunnerTimeout(f"no answer within {timeout:g}s")
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    code = worker.proc.wait()
                    raise RunnerCrashed(f"the runner exited with {code}", worker.stderr_tail())
                worker.buffer += chunk


def _next_line(worker: _Worker) -> str | None:
    if b"\n" not in worker.buffer:
        return None
    line, worker.buffer = worker.buffer.split(b"\n", 1)
    return line.decode("utf-8", "replace")
