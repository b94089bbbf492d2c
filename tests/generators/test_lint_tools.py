"""The generated lint configuration run by the real tools: pre-commit blocks a commit with lint
errors and lets the fixed one through; ESLint (flat config) and Prettier read the generated
files and judge real TypeScript. Slow: pre-commit installs ruff and black from PyPI, npm
installs the JS tools."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from propctl.cli.main import main
from tests.generators.js_tools import install_js_tools, run_tool

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
BAD = "import os\nimport sys\ndef f( x ):\n    return x==None\n"
GOOD = "def f(x):\n    return x is None\n"


def _scaffold(capsys, repo: Path) -> None:
    capsys.readouterr()
    assert main(["scaffold", "lint", "--repo", str(repo)]) == 0, capsys.readouterr()


def _git(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=600
    )


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    """One cache of hook environments for the module: they install once (from PyPI and npm)."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def git_repo(capsys, tmp_path: Path, pre_commit_home: Path) -> tuple[Path, dict[str, str]]:
    """A git repository with the generated config and `pre-commit install` done."""
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    assert _git(repo, "init", "-q", "-b", "main", env=env).returncode == 0
    _scaffold(capsys, repo)
    installed = subprocess.run(
        [str(BIN / "pre-commit"), "install"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stderr
    assert (repo / ".git/hooks/pre-commit").exists() and (repo / ".git/hooks/pre-push").exists()
    return repo, env


def _commit(repo: Path, env: dict[str, str], *paths: str) -> tuple[int, str]:
    _git(repo, "add", *paths, env=env)
    done = _git(repo, "commit", "-m", "change", env=env)
    return done.returncode, done.stdout + done.stderr


def test_pre_commit_blocks_a_commit_with_lint_errors(git_repo) -> None:
    repo, env = git_repo
    (repo / "module.py").write_text(BAD)
    code, output = _commit(repo, env, "module.py")
    assert code != 0, output
    assert re.search(r"ruff \(lint, with fixes\)\.+Failed", output), output
    assert re.search(r"black \(format\)\.+Failed", output), output
    assert _git(repo, "rev-parse", "--verify", "HEAD", env=env).returncode != 0  # no commit

    (repo / "module.py").write_text(GOOD)
    code, output = _commit(repo, env, "module.py")
    assert code == 0, output
    assert re.search(r"ruff \(lint, with fixes\)\.+Passed", output), output
    assert re.search(r"black \(format\)\.+Passed", output), output


def test_pre_commit_judges_workflows(capsys, git_repo) -> None:
    repo, env = git_repo
    assert main(["scaffold", "workflow", "--service", "auth", "--repo", str(repo)]) == 0
    capsys.readouterr()
    code, output = _commit(repo, env, ".github/workflows/auth.yml")
    assert code == 0, output  # propctl's own workflow passes both judges
    assert re.search(r"zizmor \(GitHub Actions security, offline\)\.+Passed", output), output
    bad = repo / ".github/workflows/bad.yml"
    bad.write_text(
        "on: pull_request\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-24.04\n"
        '    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    code, output = _commit(repo, env, ".github/workflows/bad.yml")
    assert code != 0 and "template-injection" in output, output


@pytest.fixture(scope="module")
def js_repo(tmp_path_factory) -> Path:
    return install_js_tools(tmp_path_factory.mktemp("js"))


def test_eslint_and_prettier_read_the_generated_configs(capsys, js_repo: Path) -> None:
    _scaffold(capsys, js_repo)
    web = js_repo / "apps/web/app"
    web.mkdir(parents=True, exist_ok=True)
    page = web / "page.tsx"
    page.write_text(
        "type Props = { name: string };\n\nexport default function Page({ name }: "
        'Props) {\n  const unused = 1;\n  if (name == "x") {\n    return null;\n  }\n'
        "  return <h1>{name}</h1>;\n}\n"
    )
    eslint = run_tool(js_repo, "node_modules/.bin/eslint", "--max-warnings=0", "apps/web")
    assert eslint.returncode == 1, eslint.stdout + eslint.stderr
    assert "no-unused-vars" in eslint.stdout and "eqeqeq" in eslint.stdout, eslint.stdout
    page.write_text(
        "type Props = { name: string };\n\nexport default function Page({ name }: "
        'Props) {\n  if (name === "x") {\n    return null;\n  }\n'
        "  return <h1>{name}</h1>;\n}\n"
    )
    eslint = run_tool(js_repo, "node_modules/.bin/eslint", "--max-warnings=0", "apps/web")
    assert eslint.returncode == 0, eslint.stdout + eslint.stderr

    page.write_text(page.read_text().replace("  if (", "    if (").replace(";\n", "\n"))
    check = run_tool(js_repo, "node_modules/.bin/prettier", "--check", "apps/web/**/*.tsx")
    assert check.returncode == 1, check.stdout + check.stderr
    run_tool(js_repo, "node_modules/.bin/prettier", "--write", "apps/web/**/*.tsx")
    check = run_tool(js_repo, "node_modules/.bin/prettier", "--check", "apps/web/**/*.tsx")
    assert check.returncode == 0, check.stdout + check.stderr
    assert 'if (name === "x") {' in page.read_text() and page.read_text().count(";") >= 3


def test_generated_files_are_already_prettier_clean(capsys, js_repo: Path) -> None:
    """The prettier hook must not rewrite what propctl generates (that would read as a user's
    edit, a conflict, on the next scaffold run)."""
    _scaffold(capsys, js_repo)
    for args in (["--all"], ["--verify"]):
        assert main(["scaffold", "workflow", *args, "--repo", str(js_repo)]) == 0
    capsys.readouterr()
    files = [
        ".pre-commit-config.yaml",
        ".prettierrc",
        "eslint.config.js",
        *(str(p.relative_to(js_repo)) for p in (js_repo / ".github/workflows").glob("*.yml")),
    ]
    assert len(files) == 13
    check = run_tool(js_repo, "node_modules/.bin/prettier", "--check", *files)
    assert check.returncode == 0, check.stdout + check.stderr
