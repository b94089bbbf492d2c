"""Shared fixtures. Servers start on first use and stop when the session ends, pass or fail.

`PROPCTL_TEST_PG_URL` / `PROPCTL_TEST_REDIS_URL` point the tests at servers started elsewhere.
When a server cannot be started here, the tests that need it fail (they never silently pass):
set `PROPCTL_ALLOW_SKIP_SERVERS=1` to skip them instead during local work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import servers  # noqa: E402


def _unavailable(what: str, exc: Exception) -> None:
    if os.environ.get("PROPCTL_ALLOW_SKIP_SERVERS"):
        pytest.skip(f"{what} unavailable: {exc}")
    pytest.fail(f"{what} could not be started: {exc}")


def _server(env_var: str, what: str, start: Callable[[], Any]) -> Iterator[str]:
    if os.environ.get(env_var):
        yield os.environ[env_var]
        return
    try:
        manager = start()
        url = manager.__enter__()
    except Exception as exc:  # noqa: BLE001
        _unavailable(what, exc)
    try:
        yield url
    finally:
        manager.__exit__(None, None, None)


# Modules that share a costly session-scoped setup: under pytest-xdist they run in one worker,
# which builds it once (all_generators_tree: every generator over a copy of the example).
SAME_WORKER = {
    "tests/generators/test_generated_gates.py": "all-generators-tree",
    "tests/generators/test_check_fuzz.py": "all-generators-tree",
    # propctl_wheel: `pip wheel` of this checkout
    "tests/cli/test_packaging.py": "propctl-wheel",
    "tests/core/test_build_info.py": "propctl-wheel",
    "tests/generators/test_wheel_templates.py": "propctl-wheel",
}


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test` runs `pytest -n 2 --dist loadfile`: each test module whole in one worker, so
    its module- and session-scoped setups (servers, installs, generated trees) are built once,
    and the modules of a SAME_WORKER group together. Other --dist modes are xdist's own."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return SAME_WORKER.get(module, module)

    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the modules holding a `slow` test come first (the workers hand out
    modules in collection order with --no-loadscope-reorder), so that no long one starts when
    the rest are done. The same order in every worker (xdist requires it): a stable sort.
    Outside xdist nothing changes."""
    if not hasattr(config, "workerinput"):
        return

    def unit(item: pytest.Item) -> str:
        module = item.nodeid.split("::", 1)[0]
        return SAME_WORKER.get(module, module)

    slow = {unit(item) for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: unit(item) not in slow)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    yield from _server("PROPCTL_TEST_PG_URL", "PostgreSQL", servers.postgres)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    yield from _server("PROPCTL_TEST_REDIS_URL", "redis-server", servers.redis)


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test gets its own propctl cache folder (verify's results, replay, the HMAC key):
    nothing read from, or left in, the user's ~/.cache; beside the test's tmp_path, not in it
    (tests check that a dry run leaves tmp_path as it was)."""
    monkeypatch.setenv("PROPCTL_CACHE_DIR", str(tmp_path_factory.mktemp("propctl-cache")))
    # the real calendar unless a test fixes it (a PROPCTL_TODAY from the shell would shift
    # every date a test compares with date.today())
    monkeypatch.delenv("PROPCTL_TODAY", raising=False)


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A private copy of examples/propmubi to change freely."""
    dest = tmp_path / "propmubi"
    shutil.copytree(
        ROOT / "examples" / "propmubi",
        dest,
        ignore=shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache"),
    )
    return dest


@pytest.fixture(scope="session")
def propctl_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel` of this checkout, built once for the tests that unpack or install it (read
    it, never change it)."""
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return next(dist.glob("propctl-*.whl"))


@pytest.fixture
def repo_root() -> Path:
    return ROOT
