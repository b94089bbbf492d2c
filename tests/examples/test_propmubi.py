"""The example target repo sits at the roadmap's starting point for the real reasons the source
document gives: its own tests pass (but are far too few), the code is really unformatted and has
real Ruff findings, credentials are literal, and none of the roadmap's artefacts exist yet."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "propmubi"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def test_its_own_tests_pass_but_are_too_few_for_task_10(example_repo: Path) -> None:
    out = _run([sys.executable, "-m", "pytest", "apps/api/tests", "-q", "-p", "no:cacheprovider"],
               example_repo)
    assert out.returncode == 0, out.stdout + out.stderr
    passed = int(re.search(r"(\d+) passed", out.stdout).group(1))  # type: ignore[union-attr]
    assert 3 <= passed < 120


def test_ruff_reports_real_findings(example_repo: Path) -> None:
    out = _run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format",
                "concise", "apps/api"], example_repo)
    assert out.returncode == 1, out.stdout + out.stderr
    codes = set(re.findall(r": ([A-Z]+[0-9]+) ", out.stdout))
    assert {"F401", "F841"} <= codes, out.stdout  # unused import, unused variable


def test_black_would_reformat_the_api(example_repo: Path) -> None:
    out = _run([sys.executable, "-m", "black", "--check", "apps/api"], example_repo)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "would reformat" in out.stderr
    assert "apps/api/main.py" in out.stderr


def test_detect_secrets_finds_the_literal_credentials(example_repo: Path) -> None:
    out = _run([sys.executable, "-m", "detect_secrets", "scan", "--all-files", "apps",
                "docker-compose.yml"], example_repo)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)["results"]
    assert {"apps/api/routers/auth.py", "docker-compose.yml"} <= set(found)


def _text(relative: str) -> str:
    return (EXAMPLE / relative).read_text("utf-8")


@pytest.mark.parametrize("relative,pattern", [
    ("apps/api/main.py", r'allow_origins=\["\*"\]'),
    ("apps/api/routers/auth.py", r'OTP_CODE = "123456"'),
    ("apps/api/routers/auth.py", r'JWT_SECRET = "'),
    ("apps/api/routers/crm.py", r"^LEADS = \[\]"),
    ("apps/api/routers/projects.py", r"^PROJECTS = \["),
    ("docker-compose.yml", r"POSTGRES_PASSWORD: propmubi123"),
    ("apps/web/app/consumer/page.tsx", r"fetch\('http://localhost:8000/projects/feed"),
    ("apps/web/.env.local", r"^NEXT_PUBLIC_API_URL="),
])
def test_starting_point_has(relative: str, pattern: str) -> None:
    assert re.search(pattern, _text(relative), re.MULTILINE)


@pytest.mark.parametrize("relative,pattern", [
    ("apps/api/main.py", r"/api/v1"),
    ("apps/api/main.py", r"exception_handler|add_exception_handler"),
    ("apps/api/main.py", r"middleware\(\"http\"\)|BaseHTTPMiddleware"),
    (".gitignore", r"^\.env$"),
    ("apps/web/package.json", r"react-query|zustand"),
    ("pyproject.toml", r"tool\.(black|ruff)"),
])
def test_starting_point_lacks(relative: str, pattern: str) -> None:
    assert not re.search(pattern, _text(relative), re.MULTILINE)


@pytest.mark.parametrize("relative", [
    ".propctl/history.jsonl", ".propctl/baseline.json", ".github", "k8s", "infra", "coverage.xml", "apps/api/migrations",
    "apps/api/database.py", "apps/api/routers/health.py", "apps/api/config.py", ".env.example",
    ".pre-commit-config.yaml", "apps/web/node_modules", "apps/web/playwright.config.ts",
    "apps/api/tests/conftest.py",
])
def test_starting_point_has_no(relative: str) -> None:
    assert not (EXAMPLE / relative).exists()


def test_the_example_is_the_bundled_roadmaps_declared_target() -> None:
    """Without it, the bundled roadmap's command and asgi checks would be `skip` here."""
    from propctl.resources import bundled_roadmap
    from propctl.roadmap.loader import load_roadmap
    from propctl.state import RepoState

    assert RepoState(EXAMPLE).declares(load_roadmap(bundled_roadmap()).name)
