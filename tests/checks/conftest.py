"""The check-kind tests share one pool of warm ASGI runner processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from propctl.checks.kinds.asgi.pool import RunnerPool


@pytest.fixture(scope="session")
def asgi_pool() -> Iterator[RunnerPool]:
    pool = RunnerPool()
    yield pool
    pool.close()
