"""The real public repositories under tests/fixtures/real/: each a trimmed tree (repo/), a
roadmap written for it by hand, the true answers (expected.yaml) and mutations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@e", "-c", "commit.gpgsign=false"]


def fixtures() -> list[Path]:
    return sorted(p for p in REAL.iterdir() if (p / "roadmap.yaml").is_file())


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def checkout(fixture: Path, into: Path) -> Path:
    """A copy of the fixture's tree, committed in a fresh git repository (the file index
    lists what git lists, as in a real clone)."""
    repo = into / fixture.name
    shutil.copytree(fixture / "repo", repo)
    subprocess.run([*GIT, "init", "-q", str(repo)], check=True)
    subprocess.run([*GIT, "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(repo), "commit", "-qm", "fixture"], check=True)
    return repo


def mutate(repo: Path, edits: list[dict[str, Any]]) -> None:
    for edit in edits:
        path = repo / edit["file"]
        if "write" in edit:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(edit["write"], encoding="utf-8")
        elif edit.get("delete"):
            path.unlink()
        else:
            old, new = edit["replace"]
            text = path.read_text("utf-8")
            # a mutation that no longer applies must not pass as "nothing flipped"
            assert text.count(old) == 1, f"{edit['file']}: {old!r} found {text.count(old)} times"
            path.write_text(text.replace(old, new), encoding="utf-8")


def verify(repo: Path, *args: str, roadmap: Path | None = None) -> dict[str, dict[str, Any]]:
    """propctl verify as a user runs it, --strict, writing nothing; results by id."""
    cmd = [sys.executable, "-m", "propctl"]
    cmd += ["--roadmap", str(roadmap)] if roadmap else []
    cmd += ["verify", "--repo", str(repo), "--format", "json", "--no-history", "--strict", *args]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode in (0, 1), f"exit {done.returncode}\n{done.stderr[-3000:]}"
    return {r["id"]: r for r in json.loads(done.stdout)["results"]}
