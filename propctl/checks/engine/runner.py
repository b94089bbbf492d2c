"""Runs checks: parameters validated up front (path parameters stay in the repo), the trust
gate, static checks in worker processes killed at their deadline, the rest on threads, results
cached by the content hashes of each check's declared inputs.

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
from propctl.checks.engine import paths
from propctl.checks.engine.base import CheckContext, CheckKind, Evidence, Result, registry
from propctl.checks.engine.redact import known_secrets, redact
from propctl.checks.engine.usercache import RepoCache, SealError
from propctl.checks.engine.workers import CAN_FORK, ProcessPool
from propctl.checks.status import Status
from propctl.checks.support.kind_helpers import cap
from propctl.errors import RoadmapError, UserError
from propctl.roadmap.kinds import EXECUTING_KINDS, LIVE_KINDS
from propctl.roadmap.models import Check, Roadmap
from propctl.roadmap.offline import judged_offline

RESULTS = "results.json"
GRACE_S = 5.0  # on top of a thread check's own timeout, before the engine gives up on it
# Kinds run in threads: they run programs or reach the world with deadlines of their own, or
# use helpers this process holds (the asgi runner pool). Every other kind runs in a worker
# process killed at its deadline (propctl.checks.engine.workers).
IN_THREADS = EXECUTING_KINDS | LIVE_KINDS | {"asgi", "infra_plan"}


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
            "offline": judged_offline(self.item.check),
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
    """The item's deadline: its own `timeout`, else what its nested checks declare between
    them (an `all` runs them one after another), never less than verify's --timeout."""
    own = getattr(check.params, "timeout", None) if check is not None else None
    nested = getattr(check.params, "checks", None) if check is not None else None
    declared = sum(_declared(c) for c in nested) if isinstance(nested, list) else 0.0
    return float(own or max(declared, ctx.timeout_s)) + GRACE_S


def _declared(check: object) -> float:
    if not isinstance(check, dict):
        return 0.0
    own = check.get("timeout")
    if isinstance(own, int | float) and not isinstance(own, bool) and own > 0:
        return float(own)
    nested = check.get("checks")
    return sum(_declared(c) for c in nested) if isinstance(nested, list) else 0.0


# ---- the cache -----------------------------------------------------------------------------
@dataclass
class ResultCache:
    """Per item, the key its result was computed under and the result: kept in the user's
    cache folder (`propctl.checks.engine.usercache`), never in the judged tree, sealed with an HMAC.
    A key is a digest of the check's kind and parameters and of the content of every input,
    read this run: no size or timestamp stands in for a file's content."""

    path: Path | None
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    # this run: every input a key was computed from, and how many items a replay may reuse
    used: set[str] = field(default_factory=set)
    replayable: int = 0
    store: RepoCache | None = None
    note: str = ""  # why nothing was loaded (for -v)

    @classmethod
    def load(cls, repo: Path, *, fresh: bool = False) -> ResultCache:
        """The cache of earlier runs; with `fresh`, none (every check runs, then is stored)."""
        store = RepoCache.of(repo)
        cache = cls(store.path(RESULTS), store=store, note=store.why)
        if fresh or store.folder is None:
            return cache
        try:
            data = store.read(RESULTS)
        except SealError as exc:
            cache.note = f"result cache: {exc}"
            return cache
        results = data.get("results")
        if data.get("propctl") != __version__ or not isinstance(results, dict):
            cache.note = "result cache: written by another propctl: not used"
            return cache
        cache.entries = results
        return cache

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
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        secrets = known_secrets()  # this run's: the entry was redacted with the last run's
        try:
            raw = entry["result"]
            return Result(
                Status(raw["status"]),
                redact(str(raw["message"]), secrets),
                [
                    Evidence(redact(e["detail"], secrets), e.get("file"), e.get("line"))
                    for e in raw["evidence"]
                ],
                float(raw.get("duration_s", 0.0)),
            )
        except (KeyError, TypeError, ValueError):
            return None  # sealed by us yet not ours to read: run the check

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

    def save(self, files_memo: object = None) -> None:
        """Seal and write the entries (`files_memo` is ignored: hashes are never carried
        between runs any more; the parameter stays for callers that still pass one)."""
        if self.store is not None:
            self.store.write(RESULTS, {"propctl": __version__, "results": self.entries})


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
    """Run every item, cached results first; static checks in `jobs` worker processes killed
    at their deadline, the kinds in IN_THREADS on `jobs` threads. A path parameter out of the
    repo is a RoadmapError before anything runs; a check whose inputs lead out of the repo
    through a symlink fails without being run."""
    checks = {i.id: instantiate(i.check, i.id) for i in items}
    refuse_outside_paths(items, ctx)
    results: dict[int, ItemResult] = {}

    def finish(index: int, item: Item, result: Result, cached: bool = False) -> None:
        results[index] = ItemResult(item, result, cached=cached)
        if on_done:
            on_done(results[index])

    pending: list[_Job] = []
    for index, item in enumerate(items):
        check = checks[item.id]
        item_ctx = replace(ctx, item_id=item.id)
        escaped = _escaped(check, item_ctx)
        if escaped is not None:
            finish(index, item, escaped)
            continue
        key = cache.key(item, check, item_ctx) if cache is not None and check else None
        hit = cache.get(item.id, key) if cache is not None and key else None
        if hit is not None:
            finish(index, item, hit, cached=True)
        else:
            pending.append(_Job(index, item, check, key))
    forked = [j for j in pending if CAN_FORK and not IN_THREADS & set(kinds_in(j.item.check))]
    _run_forked(forked, ctx, max(1, jobs), finish)
    in_workers = {j.index for j in forked}
    threaded = [j for j in pending if j.index not in in_workers]
    _run_pool(threaded, ctx, max(1, jobs), results, on_done)
    out = [results[i] for i in range(len(items))]
    if cache is not None:
        for job in pending:
            done = results[job.index]
            if job.key and done.status is not Status.ERROR:
                cache.put(job.item.id, job.key, done.result)
    return out


def refuse_outside_paths(items: list[Item], ctx: CheckContext) -> None:
    found = [
        problem
        for item in items
        for problem in paths.problems(item.check.model_dump(), ctx.expand, item.id)
    ]
    if found:
        raise RoadmapError(
            f"{len(found)} path parameter(s) lead out of the repository", problems=found
        )


def _escaped(check: CheckKind | None, ctx: CheckContext) -> Result | None:
    """A failure when an input is a symlink out of the repo: the repo's file is not in the
    repo, so no verdict about its content can hold (fail, not error: that finding does not
    depend on this machine, and a rerun would find the same)."""
    inputs = check.inputs(ctx) if check is not None else None
    escaping = ctx.files.escaping(sorted(set(inputs or [])))
    if not escaping:
        return None
    evidence = [
        Evidence(f"a symlink to {target}, outside the repo: not read", name)
        for name, target in escaping
    ]
    names = ", ".join(f"{n} -> {t}" for n, t in escaping[:3])
    return Result.failed(f"leads out of the repository: {names}", cap(evidence))


def _run_forked(
    pending: list[_Job],
    ctx: CheckContext,
    jobs: int,
    finish: Callable[[int, Item, Result], None],
) -> None:
    if not pending:
        return
    ctx.files.files  # noqa: B018 - listed once here, not once in every worker
    by_index = {job.index: job for job in pending}

    def run(index: int) -> Result:
        job = by_index[index]
        return run_check(job.check, job.item.check.kind, replace(ctx, item_id=job.item.id))

    def deadline(index: int) -> float:
        return check_timeout(by_index[index].check, ctx) - GRACE_S

    def group(index: int) -> str:
        return ",".join(sorted(set(kinds_in(by_index[index].item.check))))

    pool = ProcessPool(
        run,
        deadline,
        lambda i, r: finish(i, by_index[i].item, r),
        min(jobs, len(pending)),
        group,
    )
    pool.map([job.index for job in pending])


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
