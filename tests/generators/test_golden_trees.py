"""Every generator's output, pinned as a golden tree under tests/golden/<case>/: the files a
scaffold command writes into a fresh copy of examples/propmubi (or an empty repo), compared as a
whole tree and file by file. `.propctl/` (hashes of what was written) is left out.

Refresh after a deliberate template change:
    PROPCTL_UPDATE_GOLDEN=1 pytest tests/generators/test_golden_trees.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from propctl.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
UPDATE = bool(os.environ.get("PROPCTL_UPDATE_GOLDEN"))

# case -> (start from: example | empty, the scaffold command's words); a command before it
# (the generator it builds on) is in SETUP
SETUP: dict[str, list[str]] = {
    "repository-agent": ["scaffold", "database", "--service", "api"],
    "workflow-verify": ["scaffold", "workflow", "--all"],
    "ingress": ["scaffold", "gateway"],  # the ingress deploys Kong on the gateway's routes
    "migrations-api": ["scaffold", "database", "--service", "api"],  # env.py imports its Base
}
CASES: dict[str, tuple[str, list[str]]] = {
    "gateway": ("empty", ["scaffold", "gateway"]),
    "database-api": ("example", ["scaffold", "database", "--service", "api"]),
    "migrations-api": ("example", ["migrations", "init", "--service", "api"]),
    "repository-agent": (
        "example",
        ["scaffold", "repository", "Agent", "--service", "api", "--fields", "name:str, city:str"],
    ),
    "workflow-all": ("empty", ["scaffold", "workflow", "--all"]),
    "lint": ("example", ["scaffold", "lint"]),
    "add-security": ("example", ["scaffold", "add", "security", "--service", "api"]),
    "add-errors": ("example", ["scaffold", "add", "errors", "--service", "api"]),
    "add-logging": ("example", ["scaffold", "add", "logging", "--service", "api"]),
    "add-cache": ("example", ["scaffold", "add", "cache", "--service", "api"]),
    "add-versioning": ("example", ["scaffold", "add", "versioning", "--service", "api"]),
    "add-health": ("example", ["scaffold", "add", "health", "--service", "api"]),
    "events": ("empty", ["scaffold", "events"]),
    "observability": ("empty", ["scaffold", "observability"]),
    "ingress": ("empty", ["scaffold", "ingress", "--email", "platform@propmubi.com"]),
    "infra": ("empty", ["scaffold", "infra"]),
    # the example's hand-written pages are adopted (anchored regions patched), no --force
    "frontend": ("example", ["scaffold", "frontend"]),
    "workflow-verify": (
        "empty",
        ["scaffold", "workflow", "--verify", "--propctl-spec", "propctl==0.1.0"],
    ),
}


def snapshot(root: Path) -> dict[str, str]:
    """Every file under root but .propctl/, with its text (or a hash of its bytes)."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or rel.startswith(".propctl/") or "__pycache__" in rel:
            continue
        raw = path.read_bytes()
        try:
            out[rel] = raw.decode("utf-8")
        except UnicodeDecodeError:
            out[rel] = "sha256:" + hashlib.sha256(raw).hexdigest()
    return out


def generated(
    tmp_path: Path, start: str, words: list[str], setup: list[str] | None
) -> dict[str, str]:
    """What the command added or changed: path -> content."""
    repo = tmp_path / "repo"
    if start == "example":
        shutil.copytree(
            ROOT / "examples" / "propmubi",
            repo,
            ignore=shutil.ignore_patterns(".venv", "__pycache__", ".propctl"),
        )
    else:
        repo.mkdir()
    if setup:
        assert main([*setup, "--repo", str(repo)]) == 0, f"propctl {' '.join(setup)} failed"
    before = snapshot(repo)
    code = main([*words, "--repo", str(repo)])
    assert code == 0, f"propctl {' '.join(words)} exited {code}"
    after = snapshot(repo)
    return {p: text for p, text in after.items() if before.get(p) != text}


def write_tree(dest: Path, files: dict[str, str]) -> None:
    shutil.rmtree(dest, ignore_errors=True)
    for rel, text in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


@pytest.mark.parametrize("case", sorted(CASES))
def test_generator_output_matches_its_golden_tree(case: str, tmp_path: Path) -> None:
    start, words = CASES[case]
    actual = generated(tmp_path, start, words, SETUP.get(case))
    assert actual, f"propctl {' '.join(words)} wrote nothing"
    golden = GOLDEN / case
    if UPDATE:
        write_tree(golden, actual)
    assert golden.is_dir(), f"no golden tree {golden}: refresh with PROPCTL_UPDATE_GOLDEN=1"
    expected = snapshot(golden)
    assert sorted(actual) == sorted(expected), f"the file list differs from tests/golden/{case}"
    for rel, text in expected.items():
        assert actual[rel] == text, f"{rel} differs from tests/golden/{case}/{rel}"
