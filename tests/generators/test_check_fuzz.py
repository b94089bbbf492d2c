"""Every check kind over every file propctl generates (issue 17, part 5): each kind with its
file parameters pointing at each file, called directly (not through the engine, which turns a
crash into an `error`), must return a Result: pass, fail, skip or error with a message, never a
Python exception."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from propctl.checks.engine.base import CheckContext
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.engine.runner import instantiate
from tests.checks.checkkit import roadmap
from tests.generators.all_generators import written

PYTHON_RULES = ["cors_origins", "router_prefix", "middleware", "exception_handler"]
PYTHON_RULES += ["no_module_state", "pool_size", "alembic_single_head"]


def _checks(kind: str, name: str) -> Iterator[dict[str, Any]]:
    if kind == "path_exists":
        yield {"kind": kind, "path": name, "type": "file"}
    elif kind == "text":
        yield {"kind": kind, "files": name, "pattern": r"\w+", "every_file": True}
        yield {"kind": kind, "files": name, "pattern": "password", "must_match": False}
    elif kind == "structured":
        for fmt in ("auto", "yaml", "json", "toml"):
            yield {"kind": kind, "file": name, "query": "keys(@)", "format": fmt}
            yield {"kind": kind, "file": name, "query": "*", "every_match": ".", "format": fmt}
    elif kind == "secrets":
        yield {"kind": kind, "paths": [name]}
    elif kind == "k8s":
        yield {"kind": kind, "files": name}
    elif kind == "workflow":
        yield {"kind": kind, "files": name, "jobs": ["test"], "triggers": ["pull_request"]}
        yield {"kind": kind, "files": name, "steps": ["pytest"], "needs": {"deploy": ["test"]}}
        yield {"kind": kind, "files": name, "environments": ["production"]}
    elif kind == "python":
        for rule in PYTHON_RULES:
            yield {"kind": kind, "rule": rule, "file": name, "context": name, "allowed": ["x"]}
    elif kind in ("coverage", "junit"):
        yield {"kind": kind, "file": name}
    elif kind in ("all", "any"):
        yield {"kind": kind, "checks": [{"kind": "path_exists", "path": name}]}
    elif kind == "manual":
        yield {"kind": kind}


FILE_KINDS = ["path_exists", "text", "structured", "secrets", "k8s", "workflow", "python"]
FILE_KINDS += ["coverage", "junit", "all", "any", "manual"]


@pytest.fixture(scope="module")
def context(all_generators_tree: Path) -> CheckContext:
    return CheckContext(
        repo=all_generators_tree,
        roadmap=roadmap(),
        files=FileIndex(all_generators_tree),
        python=sys.executable,
        timeout_s=60,
        trusted=True,
        item_id="fuzz",
    )


def _crashes(ctx: CheckContext, checks: Iterator[dict[str, Any]]) -> list[str]:
    crashes = []
    for check in checks:
        kind = instantiate(check, "fuzz")
        assert kind is not None, check
        try:
            result = kind.run(ctx)
        except Exception:  # noqa: BLE001 - what this test looks for
            crashes.append(f"{check}:\n{traceback.format_exc(limit=-4)}")
            continue
        if result.status.value not in ("pass", "fail", "skip", "error", "manual"):
            crashes.append(f"{check}: status {result.status}")
        elif not result.message:
            crashes.append(f"{check}: {result.status.value} with no message")
    return crashes


@pytest.mark.parametrize("kind", FILE_KINDS)
def test_no_check_kind_crashes_on_a_generated_file(context: CheckContext, kind: str) -> None:
    files = written(context.repo)
    assert len(files) > 700, len(files)
    crashes = _crashes(context, (c for name in files for c in _checks(kind, name)))
    assert not crashes, f"{len(crashes)} crash(es):\n" + "\n".join(crashes[:5])


def test_program_kinds_pointed_at_generated_files_do_not_crash(context: CheckContext) -> None:
    """The kinds that run programs, with their folder and file parameters on generated paths
    (a file where a folder is wanted, a folder that holds no app)."""
    checks: list[dict[str, Any]] = [
        {"kind": "command", "run": "true", "cwd": "apps/api/database.py"},
        {"kind": "command", "run": "true", "cwd": "k8s/ingress"},
        {"kind": "infra_plan", "path": "apps/api/database.py"},
        {"kind": "infra_plan", "path": "k8s"},
        {"kind": "asgi", "app_dir": "apps/api/database.py", "steps": [{"path": "/health"}]},
    ]
    assert not _crashes(context, iter(checks))


def test_the_fuzz_would_see_a_crash(context: CheckContext, monkeypatch: pytest.MonkeyPatch) -> None:
    from propctl.checks.kinds import text

    def boom(self: Any, ctx: CheckContext) -> Any:
        raise KeyError("apiVersion")

    monkeypatch.setattr(text.Text, "run", boom)
    assert _crashes(context, _checks("text", "README.md"))
