"""Static checks in forked worker processes, each killed at its check's deadline.

A thread cannot be stopped, and a regular expression or a YAML parser in C holds the GIL while
it runs: a 40,000-space line in a compose file kept the 2.11 regex busy for minutes and the
engine could not even notice. A process can be killed. Workers are forked (they inherit the
roadmap, the file index and the checks: nothing is pickled but the job's index and its
Result), each runs one check at a time, and one that outlives the deadline is killed with
SIGKILL and replaced. Where there is no fork (Windows), the caller runs checks in threads."""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait

from propctl.checks.engine.base import Result

CAN_FORK = hasattr(os, "fork")


AHEAD = 4  # jobs queued in a worker's pipe: it never waits for the parent between checks


@dataclass
class _Worker:
    pid: int
    conn: Connection
    queued: list[int] = field(default_factory=list)  # sent, not answered; the first is running
    started: float = 0.0  # when the first of `queued` started, as far as the parent can tell
    groups: set[str] = field(default_factory=set)  # the kinds of check it has run


@dataclass
class ProcessPool:
    """`run(index)` is called in a worker; `deadline(index)` is its budget in seconds;
    `done(index, result)` is called here, in the parent, as results arrive. A worker has up
    to AHEAD jobs queued (so no round trip separates two checks); its running job is the
    oldest unanswered one, timed from the answer before it."""

    run: Callable[[int], Result]
    deadline: Callable[[int], float]
    done: Callable[[int, Result], None]
    size: int
    group: Callable[[int], str] = str  # jobs of one group go to one worker where they can
    workers: list[_Worker] = field(default_factory=list)
    todo: list[int] = field(default_factory=list)

    def map(self, indices: list[int]) -> None:
        self.todo = list(reversed(indices))
        gc.freeze()  # the collector would touch every object and copy every page in a worker
        try:
            while self.todo or any(w.queued for w in self.workers):
                self._fill()
                self._collect()
        finally:
            for worker in self.workers:
                self._stop(worker)
            self.workers.clear()
            gc.unfreeze()

    def _fill(self) -> None:
        while self.todo and len(self.workers) < self.size:
            self.workers.append(self._fork())
        share = max(1, min(AHEAD, -(-len(self.todo) // max(1, len(self.workers)))))
        for worker in self.workers:
            while self.todo and len(worker.queued) < share:
                index = self._next_for(worker)
                if not worker.queued:
                    worker.started = time.monotonic()
                worker.queued.append(index)
                worker.conn.send(index)

    def _next_for(self, worker: _Worker) -> int:
        """The first job of a group this worker has run, else of a group no worker has run,
        else the first: a kind's first run (its imports, its schemas) is paid in one worker,
        not in each (check_jsonschema alone takes half a second to import)."""
        claimed = {g for w in self.workers if w is not worker for g in w.groups}
        chosen = None
        for pos in range(len(self.todo) - 1, -1, -1):
            group = self.group(self.todo[pos])
            if group in worker.groups:
                chosen = pos
                break
            if chosen is None and group not in claimed:
                chosen = pos
        index = self.todo.pop(len(self.todo) - 1 if chosen is None else chosen)
        worker.groups.add(self.group(index))
        return index

    def _collect(self) -> None:
        busy = [w for w in self.workers if w.queued]
        if not busy:
            return
        wait_s = max(0.0, min(self._deadline(w) for w in busy) - time.monotonic())
        ready = wait([w.conn for w in busy], timeout=wait_s)
        for worker in busy:
            if worker.conn in ready:
                self._receive(worker)
            elif time.monotonic() >= self._deadline(worker):
                limit = self.deadline(worker.queued[0])
                self._replace(
                    worker, Result.errored(f"timed out after {limit:g}s (the check was stopped)")
                )

    def _deadline(self, worker: _Worker) -> float:
        return worker.started + self.deadline(worker.queued[0])

    def _receive(self, worker: _Worker) -> None:
        try:
            while worker.queued and worker.conn.poll():
                result = worker.conn.recv()
                index = worker.queued.pop(0)
                worker.started = time.monotonic()
                self.done(index, result)
        except (EOFError, OSError):
            self._replace(worker, Result.errored("the process running the check died"))

    def _replace(self, worker: _Worker, result: Result) -> None:
        """The worker's running job ends with `result`; the worker is killed, the jobs queued
        behind that one go back to the queue for the others (or a new worker)."""
        index, *behind = worker.queued
        result.duration_s = time.monotonic() - worker.started
        worker.queued = [index]  # so that _stop kills it rather than asking it to stop
        self._stop(worker)
        self.workers.remove(worker)
        self.todo.extend(reversed(behind))
        self.done(index, result)

    def _fork(self) -> _Worker:
        parent, child = Pipe()
        sys.stdout.flush()  # a buffer copied into the child would be written twice
        sys.stderr.flush()
        me = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; coverage does not follow a fork
            parent.close()
            for other in self.workers:
                other.conn.close()
            _serve(child, self.run, me)
        child.close()
        return _Worker(pid, parent)

    @staticmethod
    def _stop(worker: _Worker) -> None:
        try:
            if worker.queued:
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


def _serve(conn: Connection, run: Callable[[int], Result], parent: int) -> None:  # pragma: no cover
    """A worker's life: checks until told to stop; never back into the parent's code."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle
        _die_with_parent(parent)
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


def _die_with_parent(parent: int) -> None:  # pragma: no cover - in the child
    """Linux: the kernel kills this worker when verify dies (a stuck regex would otherwise
    run on, orphaned, until it finished)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
