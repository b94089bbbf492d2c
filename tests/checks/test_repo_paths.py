"""Reads stay in the repo: the file index never reads through a symlink out of it (the path
stays listed, with its target), a check whose inputs lead out fails without being run, and a
path parameter that climbs out is refused before anything runs, naming the item and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
from checkkit import make_repo, roadmap

from propctl.checks.engine import paths, runner
from propctl.checks.engine.base import CheckContext, registry
from propctl.checks.engine.fileindex import FileIndex
from propctl.checks.status import Status
from propctl.errors import RoadmapError
from propctl.roadmap.models import Check

SECRET = "AWS_SECRET_ACCESS_KEY=outside-canary\n"


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (outside / "main.py").write_text("from repositories import x\n")
    repo = make_repo(tmp_path / "repo", {"README.md": "# r\n", "apps/api/main.py": "x = 1\n"})
    (repo / "apps/api/config.py").symlink_to(outside / "secret.txt")
    (repo / "apps/web").symlink_to(outside)
    (repo / "apps/api/inside.py").symlink_to(repo / "apps/api/main.py")
    return repo, outside


@pytest.mark.parametrize("git", [False, True], ids=["walk", "git"])
def test_a_symlink_out_is_listed_with_its_target_and_never_read(
    layout: tuple[Path, Path], git: bool
) -> None:
    repo, outside = layout
    if git:
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    files = FileIndex(repo)
    assert {"apps/api/config.py", "apps/web", "apps/api/inside.py"} <= set(files.files)
    assert files.escape("apps/api/config.py") == str(outside / "secret.txt")
    assert files.escape("apps/web/secret.txt") == str(outside / "secret.txt")
    assert files.escape("apps/api/inside.py") is None  # a link inside the repo is fine
    assert files.read_text("apps/api/config.py") is None
    assert "outside the repo" in (files.unread("apps/api/config.py") or "")
    assert files.hash("apps/api/config.py") == f"outside:{outside / 'secret.txt'}"
    with pytest.raises(OSError, match="outside the repo"):
        files.read_bytes("apps/web/secret.txt")
    assert files.read_text("apps/api/inside.py") == "x = 1\n"


def test_globs_under_a_linked_folder_name_the_link(layout: tuple[Path, Path]) -> None:
    repo, _ = layout
    files = FileIndex(repo)
    assert files.select(["apps/web/**/*.txt"]) == ["apps/web"]
    assert files.select(["apps/web/"]) == ["apps/web"]
    assert files.glob("apps/web/secret.txt") == ["apps/web"]
    assert files.artifacts(["apps/web/secret.txt"]) == ["apps/web/secret.txt"]
    assert files.artifacts(["../outside/secret.txt"]) == []


def _ctx(repo: Path) -> CheckContext:
    return CheckContext(repo=repo, roadmap=roadmap(), files=FileIndex(repo), python=sys.executable)


def _item(check: dict[str, Any], item_id: str = "2.a1") -> runner.Item:
    return runner.Item(item_id, 2, "criterion", "text", Check.model_validate(check))


@pytest.mark.parametrize(
    "check",
    [
        {"kind": "text", "files": "{api}/config.py", "pattern": "AWS_SECRET"},
        {"kind": "text", "files": "{api}/*.py", "pattern": "AWS", "must_match": False},
        {"kind": "structured", "file": "{api}/config.py", "query": "AWS_SECRET_ACCESS_KEY"},
        {"kind": "path_exists", "path": "{api}/config.py"},
        {"kind": "text", "files": "apps/web/**", "pattern": "from repositories"},
        {"kind": "all", "checks": [{"kind": "text", "files": "apps/web/", "pattern": "x"}]},
    ],
    ids=["text", "negative text", "structured", "path_exists", "linked folder", "nested"],
)
def test_a_check_whose_input_leads_out_fails_and_shows_the_target(
    layout: tuple[Path, Path], check: dict[str, Any]
) -> None:
    repo, outside = layout
    [done] = runner.run_items([_item(check)], _ctx(repo), jobs=1)
    assert done.status is Status.FAIL, done.result
    shown = done.result.message + " ".join(str(e) for e in done.result.evidence)
    assert "outside the repo" in shown and str(outside) in shown
    assert "canary" not in shown and "repositories import" not in shown


@pytest.mark.parametrize(
    ("check", "field"),
    [
        ({"kind": "coverage", "file": "../outside.xml"}, "2.a1.check.file"),
        ({"kind": "coverage", "file": ["coverage.xml", "/tmp/c.xml"]}, "2.a1.check.file"),
        ({"kind": "text", "files": "a/../../b", "pattern": "x"}, "2.a1.check.files"),
        ({"kind": "text", "files": "x", "pattern": "y", "exclude": [".."]}, "check.exclude"),
        ({"kind": "asgi", "app_dir": "../../..", "steps": [{"path": "/"}]}, "check.app_dir"),
        ({"kind": "command", "run": "true", "cwd": ".."}, "2.a1.check.cwd"),
        ({"kind": "secrets", "paths": ["apps/"], "allowlist": "/etc/x"}, "check.allowlist"),
        (
            {"kind": "any", "checks": [{"kind": "junit", "file": "..\\x.xml"}]},
            "2.a1.check.checks.0.file",
        ),
        ({"kind": "infra_plan", "path": "{api}/../../.."}, "2.a1.check.path"),
    ],
)
def test_a_path_parameter_out_of_the_repo_is_refused_before_anything_runs(
    tmp_path: Path, check: dict[str, Any], field: str
) -> None:
    repo = make_repo(tmp_path / "repo", {"README.md": "x"})
    with pytest.raises(RoadmapError) as caught:
        runner.run_items([_item(check)], _ctx(repo), jobs=1)
    problems = " ".join(caught.value.problems)
    assert field in problems and "outside the repo" in problems


@pytest.mark.parametrize("value", ["apps/api", "apps/../apps/api/*.py", "./x", "**/c.xml", "."])
def test_paths_that_stay_inside_are_accepted(value: str) -> None:
    assert not paths.outside(value)


def test_inside_follows_symlinks(layout: tuple[Path, Path]) -> None:
    repo, _ = layout
    assert paths.inside(repo, "apps/api") == (repo / "apps/api").resolve()
    assert paths.inside(repo, "apps/web") is None
    assert paths.inside(repo, "..") is None


def _string_fields(cls: type) -> set[str]:
    out = set()
    for name, info in cls.Params.model_fields.items():
        args = {info.annotation, *get_args(info.annotation)}
        args |= {a for arg in list(args) for a in get_args(arg)}
        if str in args or any(getattr(a, "__origin__", None) is not None for a in args):
            out.add(name)
    return out


def test_every_string_parameter_of_every_kind_is_classified() -> None:
    """A new kind (or parameter) that takes a path must be in paths.PATH_FIELDS."""
    for kind, cls in registry().items():
        if kind in ("all", "any", "manual"):
            continue
        declared = set(paths.PATH_FIELDS.get(kind, ())) | set(paths.NOT_PATHS.get(kind, ()))
        unclassified = {
            f
            for f in _string_fields(cls) - declared
            if f not in ("steps", "env", "equals", "contains")
        }
        assert not unclassified, (
            f"{kind}: classify {sorted(unclassified)} in propctl.checks.engine.paths"
        )
