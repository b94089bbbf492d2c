"""Off the home field: netbox-docker's real Compose files (tests/fixtures/real/netbox-docker,
anchors and merge keys, every secret from env_file) through the safe YAML loader, the worker
deadline and the symlink rule. The true answers were read from the files by hand."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml
from checkkit import roadmap

from propctl.checks.engine import runner
from propctl.checks.engine.base import CheckContext
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.status import Status
from propctl.checks.support import safeyaml
from propctl.resources import bundled_roadmap
from propctl.roadmap.models import Check

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real" / "netbox-docker"
COMPOSE = ["docker-compose.yml", "docker-compose.test.yml"]


def _compose_pattern() -> str:
    """The bundled 2.11 check's pattern (no literal secret in a compose file)."""
    data = yaml.safe_load(bundled_roadmap().read_text("utf-8"))
    for tier in data["tiers"]:
        for task in tier["tasks"]:
            for subtask in task["subtasks"]:
                if subtask["id"] == "2.11":  # an `all`: its first check is the literal one
                    check = subtask["check"]
                    return str((check.get("checks") or [check])[0]["pattern"])
    raise AssertionError("no 2.11 in the bundled roadmap")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "netbox-docker"
    target.mkdir()
    for name in COMPOSE:
        shutil.copy(REAL / name, target / name)
    return target


def _run(repo: Path, check: dict, timeout: float = 30.0) -> runner.ItemResult:
    ctx = CheckContext(
        repo=repo, roadmap=roadmap(), files=FileIndex(repo), python=sys.executable,
        timeout_s=timeout,
    )  # fmt: skip
    item = runner.Item("2.11", 2, "subtask", "compose", Check.model_validate(check))
    [done] = runner.run_items([item], ctx, jobs=1)
    return done


@pytest.mark.parametrize("name", COMPOSE)
def test_real_compose_files_load_as_pyyaml_loads_them(name: str) -> None:
    text = (REAL / name).read_text("utf-8")
    assert safeyaml.safe_load(text) == yaml.safe_load(text)


def test_merge_keys_reach_the_checks(repo: Path) -> None:
    # netbox-worker: `<<: *netbox` gives it netbox's user; its own healthcheck replaces netbox's
    done = _run(
        repo,
        {"kind": "structured", "file": "docker-compose.yml",
         "query": 'services."netbox-worker".[user, healthcheck.start_period]',
         "equals": ["unit:root", "20s"]},
    )  # fmt: skip
    assert done.status is Status.PASS, done.result


def test_the_compose_secrets_check_passes_on_real_files(repo: Path) -> None:
    # every password is `$$REDIS_PASSWORD` on a command line or comes from an env_file
    done = _run(repo, {"kind": "text", "files": COMPOSE, "pattern": _compose_pattern(),
                       "must_match": False})  # fmt: skip
    assert done.status is Status.PASS, done.result


def test_a_real_compose_file_padded_with_spaces_meets_the_deadline(repo: Path) -> None:
    path = repo / "docker-compose.yml"
    path.write_text(path.read_text("utf-8") + "#\n" + " " * 40_000 + "x\n")
    done = _run(repo, {"kind": "text", "files": COMPOSE, "pattern": _compose_pattern(),
                       "must_match": False}, timeout=2.0)  # fmt: skip
    assert done.status is Status.ERROR and "timed out after 2s" in done.result.message


def test_a_real_compose_file_linked_from_outside_is_not_read(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yml"
    outside.write_text("services: {db: {environment: {POSTGRES_PASSWORD: hunter22}}}\n")
    (repo / "docker-compose.yml").unlink()
    (repo / "docker-compose.yml").symlink_to(outside)
    done = _run(repo, {"kind": "text", "files": COMPOSE, "pattern": _compose_pattern(),
                       "must_match": False})  # fmt: skip
    assert done.status is Status.FAIL
    shown = done.result.message + " ".join(str(e) for e in done.result.evidence)
    assert str(outside) in shown and "hunter22" not in shown
