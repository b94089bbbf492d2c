"""Helpers for the check-kind tests: a repo made from a {path: content} mapping, and one call
that runs a check dict through the engine exactly as verify does."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from propctl.checks.engine.base import CheckContext, Result
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.engine.runner import instantiate, run_check
from propctl.resources import bundled_roadmap
from propctl.roadmap.loader import load_roadmap
from propctl.roadmap.models import Roadmap

CASES = Path(__file__).resolve().parent / "cases"


@cache
def roadmap() -> Roadmap:
    return load_roadmap(bundled_roadmap())


def make_repo(root: Path, files: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, (dict, list)):
            content = yaml.safe_dump(content, sort_keys=False)
        path.write_text(str(content), encoding="utf-8")
    return root


def run(
    check: dict[str, Any],
    repo: Path,
    *,
    trusted: bool = True,
    item_id: str = "2.a4",
    services: dict[str, Any] | None = None,
    timeout: float = 60.0,
) -> Result:
    ctx = CheckContext(
        repo=repo,
        roadmap=roadmap(),
        files=FileIndex(repo),
        python=sys.executable,
        timeout_s=timeout,
        trusted=trusted,
        services=services or {},
        item_id=item_id,
    )
    return run_check(instantiate(check, item_id), str(check["kind"]), ctx)


def load_cases(kind_file: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((CASES / f"{kind_file}.yaml").read_text("utf-8"))
    return [dict(case, id=f"{kind_file}: {case['name']}") for case in data]
