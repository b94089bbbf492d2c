"""`scaffold frontend` on a copy of the example web app, judged by tsc and Vitest after a real
npm install (one per test session)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.generators.engine.apply import apply
from propctl.generators.engine.plan import plan
from propctl.generators.frontend import DEPENDENCIES, frontend_generation

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ("useProjectFeed", "useProjectById", "useCreateLead", "useAgentLeads")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("site") / "propmubi"
    shutil.copytree(
        ROOT / "examples/propmubi",
        repo,
        ignore=shutil.ignore_patterns(".venv", "__pycache__", "node_modules"),
    )
    apply(repo, plan(repo, frontend_generation(repo)))  # the pages are adopted: no --force
    return repo / "apps/web"


def test_missing_web_app_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["scaffold", "frontend", "--repo", str(tmp_path)]) == 2
    assert "apps/web/package.json not found" in capsys.readouterr().err


def test_the_data_layer_exists_and_the_pages_use_it(web: Path) -> None:
    for path in (
        "app/providers.tsx",
        "lib/api/client.ts",
        "lib/api/hooks/useProjects.ts",
        "lib/api/hooks/useAgents.ts",
        "lib/store/authStore.ts",
        "components/ErrorBoundary.tsx",
    ):
        assert (web / path).is_file(), path
    hooks = (web / "lib/api/hooks/useProjects.ts").read_text() + (
        web / "lib/api/hooks/useAgents.ts"
    ).read_text()
    for hook in HOOKS:
        assert f"export function {hook}(" in hooks
    assert "onMutate" in hooks and "onError" in hooks  # optimistic, with rollback
    assert "persist(" in (web / "lib/store/authStore.ts").read_text()
    assert "<Providers>" in (web / "app/layout.tsx").read_text()
    for page, uses in (
        ("consumer", ("useProjectFeed", "useCreateLead")),
        ("agent", ("useAgentLeads", "useMarkContacted")),
    ):
        text = (web / f"app/{page}/page.tsx").read_text()
        assert all(u in text for u in uses) and "fetch(" not in text
        assert not (web / f"app/{page}/page.tsx.orig").exists()  # adopted, not overwritten
    package = json.loads((web / "package.json").read_text())
    assert DEPENDENCIES.items() <= package["dependencies"].items()
    assert package["scripts"]["test"] == "vitest run"


def test_running_again_changes_nothing(web: Path) -> None:
    repo = web.parent.parent
    assert set(plan(repo, frontend_generation(repo)).counts()) == {"identical"}


def _npm(web: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    npx = shutil.which("npx") or pytest.fail("node/npm are not installed (make test installs them)")
    return subprocess.run(
        [npx, *args],
        cwd=web,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "CI": "1", "NO_COLOR": "1"},
    )


@pytest.fixture(scope="module")
def installed(web: Path) -> Path:
    """npm install once. `next` is left out: nothing generated imports it, and it is the
    largest download by far."""
    package = json.loads((web / "package.json").read_text())
    package["dependencies"].pop("next", None)
    (web / "package.json").write_text(json.dumps(package, indent=2))
    npm = shutil.which("npm") or pytest.fail("npm is not installed")
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=web,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return web


@pytest.mark.slow
def test_tsc_accepts_the_generated_code_even_strict(installed: Path) -> None:
    """The whole app under its own tsconfig (strict: false), and what propctl wrote whole under
    --strict too. The adopted pages are the user's code around the hooks: the example's
    `prompt()` answers (string | null) go to useCreateLead as they went to fetch, which only
    --strict refuses."""
    result = _npm(installed, "tsc", "--noEmit")
    assert result.returncode == 0, result.stdout + result.stderr
    strict = installed / "tsconfig.strict.json"
    strict.write_text(
        json.dumps(
            {
                "extends": "./tsconfig.json",
                "compilerOptions": {"strict": True},
                "include": [
                    "lib/**/*.ts",
                    "lib/**/*.tsx",
                    "components/**/*.tsx",
                    "app/providers.tsx",
                ],
            }
        )
    )
    try:
        result = _npm(installed, "tsc", "--noEmit", "-p", strict.name)
    finally:
        strict.unlink()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_vitest_passes_on_the_hooks(installed: Path) -> None:
    result = _npm(installed, "vitest", "run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Tests\s+3 passed", result.stdout), result.stdout


@pytest.mark.slow
def test_the_judges_catch_a_broken_data_layer(installed: Path) -> None:
    hooks = installed / "lib/api/hooks/useProjects.ts"
    original = hooks.read_text()
    try:
        # No optimistic insert: Vitest must fail.
        broken = original.replace('{ ...lead, id: optimisticId, status: "new" },', "")
        assert broken != original
        hooks.write_text(broken)
        assert _npm(installed, "vitest", "run").returncode != 0
        # A type error: tsc must fail.
        hooks.write_text(
            original.replace("enabled: id !== null && id !== undefined,", "enabled: 'yes' * 2,")
        )
        assert _npm(installed, "tsc", "--noEmit").returncode != 0
    finally:
        hooks.write_text(original)
