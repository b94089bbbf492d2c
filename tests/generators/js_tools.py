"""The JS tools `scaffold lint` configures (Prettier, ESLint, TypeScript), npm-installed at a
repo's root as the demo installs them, and a way to run them there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from propctl.generators.lint import JS_PACKAGES


def install_js_tools(repo: Path) -> Path:
    npm = shutil.which("npm")
    assert npm, "npm is not installed (.ci/system-deps.sh installs node)"
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--save-dev", *JS_PACKAGES],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return repo


def run_tool(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*args], cwd=repo, capture_output=True, text=True, timeout=300)
