"""Static checks in forked worker processes, each killed at its check's deadline.

A thread cannot be stopped, and a regular expression or a YAML parser in C holds the GIL while
it runs: a 40,000-space line in a compose file kept the 2.11 regex busy for minutes and the
engine could not even notice. A process can be killed. Workers are forked (they inherit the
roadmap, the file index and the checks: nothing is pickled but the job's index and its
Result), each runs one check at a time, and one that outlives the deadline is killed with
SIGKILL and replaced. Where there is no fork (Windows), the caller runs checks in threads."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait

from propctl.checks.base import Result

CAN_FORK = hasattr(os, "fork")


@dataclass
class _Worker:
    pid: int
    conn: Connection
    job: int | None = None
    started: float = 0.0
    deadline: float = 0.0


@dataclass
class ProcessPool:
    """`run(index)` is called in a worker; `deadline(index)` is its budget in seconds;
    `done(index, result)` is called here, in the parent, as results arrive."""

    run: Callable[[int], Result]
    deadline: Callable[[int], float]
    done: Callable[[int, Result], None]
    size: int
    workers: list[_Worker] = field(default_factory=list)

    def map(self, indices: list[int]) -> None:
        todo = list(reversed(indices))
        try:
            while todo or any(w.job is not None for w in self.workers):
                self._fill(todo)
                self._collect()
        finally:
            for worker in self.workers:
                self._stop(worker)
            self.workers.clear()

    def _fill(self, todo: list[int]) -> None:
        while todo and len(self.workers) < self.size:
            self.workers.append(self._fork())
        for worker in self.workers:
            if worker.job is None and todo:
                index = todo.pop()
                worker.job, worker.started = index, time.monotonic()
                worker.deadline = worker.started + self.deadline(index)
                worker.conn.send(index)

    def _collect(self) -> None:
        busy = [w for w in self.workers if w.job is not None]
        if not busy:
            return
        wait_s = max(0.0, min(w.deadline for w in busy) - time.monotonic())
        ready = wait([w.conn for w in busy], timeout=wait_s)
        now = time.monotonic()
        for worker in busy:
            assert worker.job is not None
            if worker.conn in ready:
                self._receive(worker, now)
            elif now >= worker.deadline:
                limit = worker.deadline - worker.started
                self._replace(
                    worker, Result.errored(f"timed out after {limit:g}s (the check was stopped)")
                )

    def _receive(self, worker: _Worker, now: float) -> None:
        index = worker.job
        assert index is not None
        try:
            result = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker, Result.errored("the process running the check died"))
            return
        worker.job = None
        self.done(index, result)

    def _replace(self, worker: _Worker, result: Result) -> None:
        index = worker.job
        assert index is not None
        result.duration_s = time.monotonic() - worker.started
        self._stop(worker)
        self.workers.remove(worker)
        self.done(index, result)

    def _fork(self) -> _Worker:
        parent, child = Pipe()
        sys.stdout.flush()  # a buffer copied into the child would be written twice
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; coverage does not follow a fork
            parent.close()
            for other in self.workers:
                other.conn.close()
            _serve(child, self.run)
        child.close()
        return _Worker(pid, parent)

    @staticmethod
    def _stop(worker: _Worker) -> None:
        try:
            if worker.job is not None:
                os.kill(worker.pid, signal.SIGKILL)
            else:
                worker.conn.send(None)
        except OSError:
            pass
        worker.conn.close()
        try:
            os.waitpid(worker.pid, 0)
        except ChildProcessError:
            pass


def _serve(conn: Connection, run: Callable[[int], Result]) -> None:  # pragma: no cover
    """A worker's life: checks until told to stop; never back into the parent's code."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle
        while (index := conn.recv()) is not None:
            result = run(index)
            try:
                conn.send(result)
            except Exception as exc:  # noqa: BLE001 - an unpicklable result is an error
                conn.send(Result.errored(f"the check's result could not be sent back: {exc!r}"))
    except BaseException:  # noqa: BLE001 - the parent sees the pipe close and reports it
        code = 1
    finally:
        os._exit(code)
