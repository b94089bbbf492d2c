"""The file index: git's view in a checkout, .gitignore honoured elsewhere, globs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from checkkit import make_repo

from propctl.checks.engine.fileindex import FileIndex, glob_regex

FILES = {
    ".gitignore": "*.log\nbuild/\n!keep.log\n/secret.env\n",
    "apps/api/main.py": "x",
    "apps/api/routers/a.py": "x",
    "apps/api/app.log": "x",
    "apps/api/keep.log": "x",
    "build/out.txt": "x",
    "secret.env": "x",
    "apps/secret.env": "x",
    "node_modules/pkg/index.js": "x",
    ".venv/bin/python": "x",
    "apps/api/.gitignore": "generated_*.py\n",
    "apps/api/generated_x.py": "x",
}
EXPECTED = [
    ".gitignore",
    "apps/api/.gitignore",
    "apps/api/keep.log",
    "apps/api/main.py",
    "apps/api/routers/a.py",
    "apps/secret.env",
]


def test_walk_honours_gitignore(tmp_path: Path) -> None:
    assert FileIndex(make_repo(tmp_path, FILES)).files == EXPECTED


def test_git_checkout_uses_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert FileIndex(repo).files == EXPECTED


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("apps/*.py", "apps/a.py", True),
        ("apps/*.py", "apps/x/a.py", False),
        ("apps/**/*.py", "apps/a.py", True),
        ("apps/**/*.py", "apps/x/y/a.py", True),
        ("**/coverage.xml", "coverage.xml", True),
        ("**/coverage.xml", "a/b/coverage.xml", True),
        ("tests/test_?.py", "tests/test_a.py", True),
        ("*.{yml,yaml}", "a.yaml", True),
        ("[!a]*.py", "a.py", False),
        ("[!a]*.py", "b.py", True),
    ],
)
def test_glob(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is matches


def test_select_folders_and_globs(tmp_path: Path) -> None:
    index = FileIndex(make_repo(tmp_path, FILES))
    assert index.select(["apps/api/routers/"]) == ["apps/api/routers/a.py"]
    assert index.select("apps/**/*.py") == ["apps/api/main.py", "apps/api/routers/a.py"]
    assert index.is_dir("apps/api") and not index.is_dir("build")


def test_hashes_follow_content(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.txt": "one"})
    first = FileIndex(repo).hash("a.txt")
    (repo / "a.txt").write_text("two")
    assert FileIndex(repo).hash("a.txt") != first
    assert FileIndex(repo).hash("missing.txt") == "missing"


COVERAGE = (
    '<?xml version="1.0" ?><coverage line-rate="0.9" lines-valid="100" '
    'lines-covered="90"><packages/></coverage>'
)
JUNIT = '<testsuite name="t" tests="3" failures="0" errors="0" time="1.0"></testsuite>'


def test_ci_artifacts_are_found_although_git_ignores_them(tmp_path: Path) -> None:
    """CI writes coverage.xml and JUnit reports into the work tree and ignores them; they are
    still the evidence (the index itself keeps honouring .gitignore)."""
    from checkkit import run

    from propctl.checks.status import Status

    repo = make_repo(
        tmp_path,
        {
            ".gitignore": "coverage.xml\nreports/\n",
            "apps/api/coverage.xml": COVERAGE,
            "reports/junit.xml": JUNIT,
            "node_modules/x/coverage.xml": COVERAGE,
        },
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    index = FileIndex(repo)
    assert "apps/api/coverage.xml" not in index.files
    assert index.artifacts(["**/coverage.xml"]) == ["apps/api/coverage.xml"]
    assert run({"kind": "coverage", "min": 85}, repo).status is Status.PASS
    assert (
        run({"kind": "junit", "file": "reports/*.xml", "min_tests": 3}, repo).status is Status.PASS
    )


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "no-git"])
def test_artifacts_look_inside_ignored_folders_but_not_skipped_ones(
    tmp_path: Path, in_git: bool
) -> None:
    """Git names a wholly ignored folder once (`build/`); its files are still searched, while
    SKIP_DIRS (.venv, node_modules) stay out even when ignored or nested in an ignored folder."""
    repo = make_repo(
        tmp_path,
        {
            ".gitignore": "build/\n.venv/\n*.xml\n",
            "build/reports/unit.xml": JUNIT,
            "build/.venv/x/unit.xml": JUNIT,
            ".venv/lib/unit.xml": JUNIT,
            "src/unit.xml": JUNIT,
            "src/main.py": "x = 1\n",
        },
    )
    if in_git:
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    index = FileIndex(repo)
    assert index.files == [".gitignore", "src/main.py"]
    assert index.artifacts(["**/*.xml"]) == ["build/reports/unit.xml", "src/unit.xml"]
    assert index.artifacts(["build/**/*.xml"]) == ["build/reports/unit.xml"]
    assert index.artifacts(["src/unit.xml", "nope/*.xml"]) == ["src/unit.xml"]
