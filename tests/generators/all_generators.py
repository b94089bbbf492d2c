"""One copy of the example with every generator applied, built once per session: the tree the
gates test (test_generated_gates.py) and the check-kind fuzz test (test_check_fuzz.py) judge.

The invocations are examples/demo.sh's, plus the generators it does not run yet (events,
observability, ingress, frontend). `scaffold frontend` needs --force on the example today: its
pages exist and were not generated (issue 17, part 3)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from propctl.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ENTITIES = {
    "Agent": "name:str, phone:str, city:str",
    "Lead": "name:str, phone:str, project_id:int, status:str",
    "Project": "name:str, city:str, builder_id:int",
    "Builder": "name:str, city:str",
}
SCAFFOLDS: list[list[str]] = [
    ["scaffold", "lint"],
    ["scaffold", "workflow", "--all"],
    ["scaffold", "database", "--service", "api"],
    *(
        ["scaffold", "repository", name, "--fields", fields, "--service", "api"]
        for name, fields in ENTITIES.items()
    ),
    ["migrations", "init", "--service", "api"],
    ["migrations", "new", "Initial schema", "--service", "api"],
    ["scaffold", "add", "all", "--service", "api"],
    ["scaffold", "services", "--all"],
    ["scaffold", "gateway"],
    ["scaffold", "events"],
    ["scaffold", "observability"],
    ["scaffold", "ingress", "--email", "ops@propmubi.com"],
    ["scaffold", "infra"],
    ["scaffold", "frontend", "--force"],
]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@t.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@t.invalid",
    "PATH": "/usr/bin:/bin",
}


def build(dest: Path) -> Path:
    shutil.copytree(
        ROOT / "examples" / "propmubi",
        dest,
        ignore=shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache"),
    )
    for git in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "example"]):
        subprocess.run(["git", *git], cwd=dest, env=GIT_ENV, check=True, timeout=60)
    for args in SCAFFOLDS:
        assert main(["-q", *args, "--repo", str(dest)]) == 0, args
    return dest


def _git_names(repo: Path, *args: str) -> list[str]:
    """The NUL-separated names a git listing prints, in the tree's own environment."""
    done = subprocess.run(
        ["git", *args, "-z"],
        cwd=repo,
        env=GIT_ENV,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [name for name in done.stdout.split("\0") if name]


def written(repo: Path) -> list[str]:
    """Every file the generators created or changed (git's view against the example)."""
    entries = _git_names(repo, "status", "--porcelain", "-uall")
    return sorted(entry[3:] for entry in entries if (repo / entry[3:]).is_file())


def created(repo: Path) -> list[str]:
    """The files propctl created (not the user's files it patched)."""
    return sorted(_git_names(repo, "ls-files", "--others", "--exclude-standard"))
