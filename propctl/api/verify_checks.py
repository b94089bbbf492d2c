"""Running a verify run's items: Redis and the asgi runner pool up for the run and stopped
after, progress reported per item, and the declared-target rule: in a repo that is not the
bundled roadmap's declared target (`propctl init`), what would run programs is `skip`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from propctl.checks.engine.base import CheckContext
    from propctl.checks.engine.runner import Item, ItemResult, ResultCache

# the kinds that run programs on this machine: the repo's code (asgi imports its app,
# infra_plan runs its Pulumi program) or the roadmap's (command)
RUNS_PROGRAMS = frozenset({"command", "asgi", "infra_plan"})
NOT_A_TARGET = "not a declared target: run `propctl init` or pass --trust"
Progress = Callable[[int, int, str], None]  # (done, total, id of the item just finished)


def runs_programs(items: list[Item]) -> list[str]:
    from propctl.checks.engine.runner import kinds_in

    return [i.id for i in items if RUNS_PROGRAMS & set(kinds_in(i.check))]


def run_items_in_services(
    items: list[Item],
    ctx: CheckContext,
    cache: ResultCache,
    gated: bool,
    *,
    jobs: int,
    progress: Progress | None,
) -> list[ItemResult]:
    """Run the items with Redis and the asgi runner pool up, and stop them after. In a repo
    that is not the bundled roadmap's declared target, what would run programs is `skip`."""
    from propctl.checks.engine.base import Result
    from propctl.checks.engine.runner import ItemResult, run_items
    from propctl.checks.kinds.asgi.helper_processes import RedisServer
    from propctl.checks.kinds.asgi.pool import RunnerPool

    held = set(runs_programs(items)) if gated else set()
    skipped = {i.id: ItemResult(i, Result.skipped(NOT_A_TARGET)) for i in items if i.id in held}
    runnable = [i for i in items if i.id not in held]
    counter = _Counter(progress, len(items))
    for done in skipped.values():
        counter(done)
    redis, pool = RedisServer(), RunnerPool()
    ctx.services.update(redis=redis, asgi_pool=pool)
    try:
        ran = run_items(runnable, ctx, jobs=jobs, cache=cache, on_done=counter) if runnable else []
    finally:
        pool.close()
        redis.stop()
    by_id = {r.item.id: r for r in ran} | skipped
    return [by_id[i.id] for i in items]


@dataclass
class _Counter:
    progress: Progress | None
    total: int
    done: int = 0

    def __call__(self, result: ItemResult) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, result.item.id)
