"""Where this propctl came from: its source repository and the commit it was built from.

A wheel carries `propctl/_build_info.json`, written at build time by the hatch build hook
(hatch_build.py at the repository root). A source checkout or an editable install has no such
file: the repository URL is then read from pyproject.toml and the commit from `git rev-parse
HEAD`. Either may be unknown (an sdist built outside git, a fork without a URL): callers that
need them ask the user instead of guessing."""

from __future__ import annotations

import json
import subprocess
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
BUILD_INFO = _PACKAGE / "_build_info.json"


@dataclass(frozen=True)
class Provenance:
    repository: str | None
    commit: str | None

    @property
    def pip_spec(self) -> str | None:
        """`propctl @ git+URL@commit`: pip installs exactly this propctl from its source."""
        if not self.repository or not self.commit:
            return None
        url = self.repository.removesuffix("/")
        return f"propctl @ git+{url}{'' if url.endswith('.git') else '.git'}@{self.commit}"

    def docs_url(self, page: str) -> str | None:
        """A page of docs/ on the repository's web view, at this commit (else the default
        branch's)."""
        if not self.repository:
            return None
        url = self.repository.removesuffix("/").removesuffix(".git")
        return f"{url}/blob/{self.commit or 'HEAD'}/docs/{page}"


@cache
def provenance() -> Provenance:
    if BUILD_INFO.is_file():
        try:
            info = json.loads(BUILD_INFO.read_text("utf-8"))
            return Provenance(_str(info.get("repository")), _str(info.get("commit")))
        except (OSError, ValueError, AttributeError):
            return Provenance(None, None)
    root = _PACKAGE.parent
    return Provenance(repository_from_pyproject(root / "pyproject.toml"), git_head(root))


def repository_from_pyproject(path: Path) -> str | None:
    try:
        project = tomllib.loads(path.read_text("utf-8")).get("project", {})
    except (OSError, ValueError):
        return None
    return _str((project.get("urls") or {}).get("Repository"))


def git_head(root: Path) -> str | None:
    """HEAD's commit when `root` is the top of a git checkout (not a folder inside another
    repository: a propctl vendored into a monorepo must not claim the monorepo's commit)."""
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
