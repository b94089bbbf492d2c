"""What `scaffold frontend` writes passes the gates `scaffold lint` configures (Task 4.a3/4.a4):
Prettier's --check and ESLint with no warnings, run by the real tools npm installs at the root of
a copy of the example, as the demo does. The example's own pages (single quotes, no semicolons)
are adopted and formatted with the repo's Prettier; a second run changes nothing. Slow: npm
installs the JS tools."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.generators.engine.plan import plan
from propctl.generators.frontend import frontend_generation
from tests.generators.js_tools import install_js_tools, run_tool

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SOURCES = "apps/web/**/*.{js,jsx,mjs,cjs,ts,tsx}"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("site") / "propmubi"
    shutil.copytree(
        ROOT / "examples/propmubi",
        repo,
        ignore=shutil.ignore_patterns(".venv", "__pycache__", "node_modules"),
    )
    return install_js_tools(repo)


def test_generated_frontend_passes_prettier_and_eslint(capsys, repo: Path) -> None:
    page = (repo / "apps/web/app/consumer/page.tsx").read_text()
    assert "'" in page  # the user's style, not the repo's Prettier config's
    assert run_tool(repo, "node_modules/.bin/prettier", "--check", SOURCES).returncode == 1
    for command in (["scaffold", "lint"], ["scaffold", "frontend"]):
        assert main([*command, "--repo", str(repo)]) == 0, capsys.readouterr()
    assert "not formatted" not in capsys.readouterr().err

    check = run_tool(repo, "node_modules/.bin/prettier", "--check", SOURCES)
    assert check.returncode == 0, check.stdout + check.stderr
    eslint = run_tool(repo, "node_modules/.bin/eslint", "--max-warnings=0", "apps/web")
    assert eslint.returncode == 0, eslint.stdout + eslint.stderr

    generation = frontend_generation(repo)
    again = plan(repo, generation)
    assert set(again.counts()) == {"identical"}, again.counts()
    assert again.generation.notes == []


def test_eslint_still_reports_unused_values(capsys, repo: Path) -> None:
    """`args: "none"` stops only the judging of parameters (the core rule misreads names in
    function types); an unused variable or import is still an error."""
    assert main(["scaffold", "lint", "--repo", str(repo)]) == 0, capsys.readouterr()
    bad = repo / "apps/web/lib/unused.ts"
    bad.write_text(
        'import { useState } from "react";\n\nexport function f(x: number): number {\n'
        "  const y = 2;\n  return x;\n}\n"
    )
    try:
        eslint = run_tool(repo, "node_modules/.bin/eslint", "--max-warnings=0", "apps/web")
    finally:
        bad.unlink()
    assert eslint.returncode == 1, eslint.stdout + eslint.stderr
    assert "'useState' is defined but never used" in eslint.stdout, eslint.stdout
    assert "'y' is assigned a value but never used" in eslint.stdout, eslint.stdout
