"""Runs checks: parameters validated up front, the trust gate, a pool of worker threads with a
per-check timeout, results cached by the hashes of each check's declared inputs.

A check that raises, times out, or names a kind this propctl lacks ends as `error` with the
reason: never as `pass`."""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from propctl import __version__
from propctl.checks.base import CheckContext, CheckKind, Evidence, Result, Status, registry
from propctl.checks.redact import known_secrets, redact
from propctl.errors import RoadmapError, UserError
from propctl.roadmap.kinds import EXECUTING_KINDS, LIVE_KINDS
from propctl.roadmap.models import Check, Roadmap
from propctl.state import STATE_DIR, atomic_write

CACHE_DIR = f"{STATE_DIR}/cache"
GRACE_S = 5.0  # on top of a check's own timeout, before the engine gives up on it


@dataclass(frozen=True)
class Item:
    """One thing verify judges: an acceptance criterion or a subtask with a check."""

    id: str
    task: int
    role: Literal["criterion", "subtask"]
    text: str
    check: Check


@dataclass
class ItemResult:
    item: Item
    result: Result
    cached: bool = False

    @property
    def status(self) -> Status:
        return self.result.status

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "task": self.item.task,
            "type": self.item.role,
            "text": self.item.text,
            "kind": self.item.check.kind,
            "status": self.result.status.value,
            "message": self.result.message,
            "evidence": [e.as_json() for e in self.result.evidence],
            "duration_s": round(self.result.duration_s, 4),
            "cached": self.cached,
        }


# ---- choosing what to run ------------------------------------------------------------------
def select_items(
    roadmap: Roadmap,
    *,
    tier: int | None = None,
    task: int | None = None,
    criterion: str | None = None,
) -> list[Item]:
    items: list[Item] = []
    for t in roadmap.tiers:
        if tier is not None and t.number != tier:
            continue
        for k in t.tasks:
            if task is not None and k.id != task:
                continue
            items += [
                Item(s.id, k.id, "subtask", s.text, s.check)
                for s in k.subtasks
                if s.check is not None
            ]
            items += [Item(c.id, k.id, "criterion", c.text, c.check) for c in k.acceptance]
    if criterion is not None:
        items = [i for i in items if i.id == criterion]
        if not items:
            known = ", ".join(c.id for _, c in roadmap.criteria()[:6])
            raise UserError(
                f"--criterion {criterion}: no such criterion or checked subtask in "
                f"the selected tasks",
                hint=f"ids look like {known}, ...",
            )
    if not items:
        raise UserError("nothing to verify: the selection (--tier/--task) matches no task")
    return items


def instantiate(check: Check | dict[str, Any], where: str) -> CheckKind | None:
    """The check kind object with validated parameters; None when this propctl lacks the kind.
    Bad parameters are a RoadmapError naming the criterion and the field."""
    data = check.model_dump() if isinstance(check, Check) else dict(check)
    kind = data.pop("kind", None)
    cls = registry().get(str(kind))
    if cls is None:
        return None
    try:
        params = cls.Params.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{where}.check.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        ]
        raise RoadmapError(
            f"{where}: invalid parameters for check kind {kind!r}", problems=problems
        ) from None
    return cls(params)


def kinds_in(check: Check | dict[str, Any]) -> Iterator[str]:
    """The kind of a check and of every check nested in it (all/any)."""
    data = check.model_dump() if isinstance(check, Check) else check
    yield str(data.get("kind"))
    for nested in data.get("checks") or []:
        if isinstance(nested, dict):
            yield from kinds_in(nested)


def executing_items(items: list[Item]) -> list[str]:
    """The items whose checks run programs (`command`): they need a trusted roadmap."""
    return [i.id for i in items if EXECUTING_KINDS & set(kinds_in(i.check))]


def refuse_untrusted(items: list[Item], trusted: bool, roadmap_path: str) -> None:
    if trusted:
        return
    offending = executing_items(items)
    if offending:
        raise UserError(
            f"{roadmap_path}: {', '.join(offending)}: `command` checks run programs on this "
            f"machine and this roadmap is not the bundled one",
            hint="read the roadmap's command checks, then rerun with --trust if you trust it",
        )


# ---- running one check -------------------------------------------------------------------
def run_check(check: CheckKind | None, kind: str, ctx: CheckContext) -> Result:
    """Run a check in this thread; every way it can go wrong becomes an `error` result."""
    start = time.perf_counter()
    if check is None:
        result = Result.errored(f"check kind {kind!r} is not available in propctl {__version__}")
    elif kind in LIVE_KINDS and not ctx.live:
        result = Result.skipped("live check: runs only with `propctl verify --live`")
    else:
        try:
            result = check.run(ctx)
            if not isinstance(result, Result):
                result = Result.errored(
                    f"check kind {kind!r} returned {type(result).__name__}, "
                    "not a Result (a bug in the check)"
                )
        except Exception as exc:  # noqa: BLE001 - a crashing check is an error, never a pass
            tail = traceback.format_exc().strip().splitlines()[-3:]
            result = Result.errored(
                f"the {kind} check crashed: {exc!r}", [Evidence("\n".join(tail))]
            )
    result.duration_s = time.perf_counter() - start
    secrets = known_secrets()
    result.message = redact(result.message, secrets)
    for item in result.evidence:
        item.detail = redact(item.detail, secrets)
    return result


def run_nested(checks: list[dict[str, Any]], ctx: CheckContext) -> list[Result]:
    """For the composite kinds: run nested checks one after the other."""
    return [
        run_check(instantiate(c, ctx.item_id or "check"), str(c.get("kind")), ctx) for c in checks
    ]


def check_timeout(check: CheckKind | None, ctx: CheckContext) -> float:
    own = getattr(check.params, "timeout", None) if check is not None else None
    return float(own or ctx.timeout_s) + GRACE_S


# ---- the cache -----------------------------------------------------------------------------
@dataclass
class ResultCache:
    """`.propctl/cache/results.json`: per item, the key its result was computed under."""

    path: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    hashes: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    # this run: every input a key was computed from, and how many items a replay may reuse
    used: set[str] = field(default_factory=set)
    replayable: int = 0

    @classmethod
    def load(cls, repo: Path, *, fresh: bool = False) -> ResultCache:
        """The cache of earlier runs; with `fresh`, none (every check runs, then is stored)."""
        path = repo / CACHE_DIR / "results.json"
        if fresh:
            return cls(path)
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("propctl") != __version__:
                return cls(path)
            hashes = {k: (int(v[0]), int(v[1]), str(v[2])) for k, v in data["hashes"].items()}
            return cls(path, dict(data["results"]), hashes)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return cls(path)  # a missing or damaged cache is only a slower run

    def key(self, item: Item, check: CheckKind, ctx: CheckContext) -> str | None:
        inputs = check.inputs(ctx)
        replay_inputs = inputs if inputs is not None else check.replay_inputs(ctx)
        if replay_inputs is not None:
            self.used.update(replay_inputs)
            self.replayable += 1
        if inputs is None:
            return None
        params = check.params.model_dump(mode="json", exclude_unset=True)
        body = {
            "kind": item.check.kind,
            "params": params,
            "paths": ctx.roadmap.paths,
            "inputs": [(p, ctx.files.hash(p)) for p in sorted(set(inputs))],
            "threshold": ctx.roadmap.coverage_threshold,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()

    def get(self, item_id: str, key: str) -> Result | None:
        entry = self.entries.get(item_id)
        if not entry or entry.get("key") != key:
            return None
        raw = entry["result"]
        return Result(
            Status(raw["status"]),
            raw["message"],
            [Evidence(e["detail"], e.get("file"), e.get("line")) for e in raw["evidence"]],
            float(raw.get("duration_s", 0.0)),
        )

    def put(self, item_id: str, key: str, result: Result) -> None:
        self.entries[item_id] = {
            "key": key,
            "result": {
                "status": result.status.value,
                "message": result.message,
                "evidence": [e.as_json() for e in result.evidence],
                "duration_s": result.duration_s,
            },
        }

    def save(self, files_memo: dict[str, tuple[int, int, str]]) -> None:
        body = {"propctl": __version__, "results": self.entries, "hashes": files_memo}
        atomic_write(self.path, json.dumps(body, separators=(",", ":")))
        ignore = self.path.parent / ".gitignore"
        if not ignore.is_file():
            atomic_write(ignore, "# propctl's result cache: never commit it\n*\n")


# ---- running many ------------------------------------------------------------------------
@dataclass
class _Job:
    index: int
    item: Item
    check: CheckKind | None
    key: str | None
    started: float = 0.0


def run_items(
    items: list[Item],
    ctx: CheckContext,
    *,
    jobs: int = 4,
    cache: ResultCache | None = None,
    on_done: Callable[[ItemResult], None] | None = None,
) -> list[ItemResult]:
    """Run every item, cached results first, the rest on `jobs` worker threads. A check that
    outlives its timeout is reported as `error` and its worker abandoned (threads are daemons;
    a replacement keeps the pool at `jobs`)."""
    if cache is not None:  # what this run hashed already is newer than the stored memo
        ctx.files.hash_memo.update(
            {k: v for k, v in cache.hashes.items() if k not in ctx.files.hash_memo}
        )
    checks = {i.id: instantiate(i.check, i.id) for i in items}
    results: dict[int, ItemResult] = {}
    pending: list[_Job] = []
    for index, item in enumerate(items):
        check = checks[item.id]
        item_ctx = replace(ctx, item_id=item.id)
        key = cache.key(item, check, item_ctx) if cache is not None and check else None
        hit = cache.get(item.id, key) if cache is not None and key else None
        if hit is not None:
            results[index] = ItemResult(item, hit, cached=True)
            if on_done:
                on_done(results[index])
        else:
            pending.append(_Job(index, item, check, key))
    _run_pool(pending, ctx, max(1, jobs), results, on_done)
    out = [results[i] for i in range(len(items))]
    if cache is not None:
        for job in pending:
            done = results[job.index]
            if job.key and done.status is not Status.ERROR:
                cache.put(job.item.id, job.key, done.result)
    return out


def _run_pool(
    pending: list[_Job],
    ctx: CheckContext,
    jobs: int,
    results: dict[int, ItemResult],
    on_done: Callable[[ItemResult], None] | None,
) -> None:
    if not pending:
        return
    todo: queue.Queue[_Job] = queue.Queue()
    for job in pending:
        todo.put(job)
    lock = threading.Condition()
    running: dict[int, _Job] = {}

    def worker() -> None:
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            with lock:
                job.started = time.monotonic()
                running[job.index] = job
            result = run_check(job.check, job.item.check.kind, replace(ctx, item_id=job.item.id))
            with lock:
                if job.index in running and job.index not in results:
                    del running[job.index]
                    results[job.index] = ItemResult(job.item, result)
                    if on_done:
                        on_done(results[job.index])
                lock.notify_all()
                if job.index in results and results[job.index].result is not result:
                    return  # this worker was given up on; its replacement carries on

    def start() -> None:
        threading.Thread(target=worker, daemon=True, name="propctl-check").start()

    for _ in range(min(jobs, len(pending))):
        start()
    with lock:
        while len(results) < len(pending) + _cached_count(results, pending):
            lock.wait(timeout=0.2)
            now = time.monotonic()
            for index, job in list(running.items()):
                limit = check_timeout(job.check, ctx)
                if now - job.started > limit:
                    del running[index]
                    timed_out = Result.errored(f"timed out after {limit - GRACE_S:g}s")
                    timed_out.duration_s = now - job.started
                    results[index] = ItemResult(job.item, timed_out)
                    if on_done:
                        on_done(results[index])
                    start()


def _cached_count(results: dict[int, ItemResult], pending: list[_Job]) -> int:
    pending_ids = {j.index for j in pending}
    return sum(1 for i in results if i not in pending_ids)
