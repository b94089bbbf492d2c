"""One run per distinct command in a verify run: criteria that name the same program, with the
same arguments, folder, environment and timeout (the bundled roadmap's `migrations check`,
prettier and eslint each stand behind two items), share its exit code and output instead of
running it again. The first item to ask runs it; the others wait for its outcome."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


class SharedRuns:
    """Outcomes of commands already run in this verify run (never across runs: the repo may
    change in between). Thread-safe: checks run on several threads at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[Hashable, Future[object]] = {}
        self.shared = 0  # how many asks were answered by an earlier run

    def run(self, key: Hashable, work: Callable[[], T]) -> T:
        """`work()`'s outcome for `key`, computed once; an exception is shared as well."""
        with self._lock:
            future = self._runs.get(key)
            owner = future is None
            if future is None:
                future = self._runs[key] = Future()
            else:
                self.shared += 1
        if owner:
            try:
                future.set_result(work())
            except BaseException as exc:  # shared with every waiter, then raised here too
                future.set_exception(exc)
        return future.result()  # type: ignore[return-value]
