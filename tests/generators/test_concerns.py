"""`scaffold add CONCERN --service api` on copies of the example: each concern alone and
all six, twice (the second run changes nothing), the generated app imports and answers, the
main.py refusals, dry-run, and the layout map / compose / replace-patch helpers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.generators import concerns
from propctl.generators.engine.patch import plan_patch
from propctl.generators.engine.specs import PatchSpec

EXPECTED = {  # concern -> files at the roadmap's names (besides config.py and app_platform.py)
    "security": [
        "middleware/auth.py",
        "security/otp.py",
        "security/sms.py",
        "security/tokens.py",
        "security/rate_limit.py",
        "cache/redis_client.py",
    ],
    "errors": ["exceptions.py", "middleware/error_handler.py"],
    "logging": ["logging_config.py", "middleware/request_logger.py"],
    "cache": ["cache/redis_client.py", "cache/decorators.py", "tasks/cache_warmer.py"],
    "versioning": ["middleware/deprecation.py", "middleware/versioning.py"],
    "health": ["routers/health.py", "middleware/metrics.py"],
}


def plan_json(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    code = main(
        ["scaffold", "add", *args, "--service", "api", "--repo", str(repo), "--format", "json"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def run_app(api: Path, code: str, env: dict[str, str] | None = None) -> str:
    """Import the example's app in a fresh interpreter (as uvicorn would) and run `code`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "JWT_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=api,
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize("concern", list(concerns.CONCERNS))
def test_each_concern_alone_twice(
    example_repo: Path, concern: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = plan_json(example_repo, capsys, concern)
    assert first["applied"] and first["params"] == {"service": "api", "concerns": [concern]}
    api = example_repo / "apps/api"
    for relative in ["config.py", "app_platform.py", *EXPECTED[concern]]:
        assert (api / relative).is_file(), relative
    platform = (api / "app_platform.py").read_text()
    assert f"concerns: {concern}." in platform.replace("Concerns", "concerns")
    main_py = (api / "main.py").read_text()
    assert main_py.count("from app_platform import install as install_platform") == 1
    assert main_py.rstrip().endswith("install_platform(app)")
    second = plan_json(example_repo, capsys, concern)
    assert set(second["counts"]) == {"identical"}, second["counts"]
    out = run_app(api, "import main, json; print(json.dumps(sorted(main.app.openapi()['paths'])))")
    paths = json.loads(out.strip().splitlines()[-1])
    assert ("/api/v1/projects/feed" in paths) == (concern == "versioning")


def test_all_six_then_each_again_changes_nothing(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_json(example_repo, capsys, "security")
    plan_json(example_repo, capsys, "errors,logging")
    result = plan_json(example_repo, capsys, "cache", "versioning", "health")
    assert result["params"]["concerns"] == list(concerns.CONCERNS)
    platform = (example_repo / "apps/api/app_platform.py").read_text()
    assert all(
        f"install_{n}(app" in platform
        for n in ("errors", "cache", "security", "deprecation", "versioning", "logging")
    )
    for concern in [*concerns.CONCERNS, "all"]:
        again = plan_json(example_repo, capsys, concern)
        assert set(again["counts"]) == {"identical"}, (concern, again["counts"])
    compose = (example_repo / "docker-compose.yml").read_text()
    assert "propmubi123" not in compose and "redispass123" not in compose
    assert "${POSTGRES_PASSWORD:?set it in .env}" in compose
    env = (example_repo / ".env.example").read_text()
    assert "POSTGRES_PASSWORD=\n" in env and "JWT_SECRET=\n" in env and "REDIS_URL=" in env
    assert ".env" in (example_repo / ".gitignore").read_text().splitlines()
    main_py = (example_repo / "apps/api/main.py").read_text()
    assert 'allow_origins=["*"]' not in main_py
    assert "allow_origins=get_settings().cors_origins" in main_py
    requirements = (example_repo / "apps/api/requirements.txt").read_text()
    assert "twilio" in requirements and "redis" in requirements


def test_installed_app_answers(example_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan_json(example_repo, capsys, "all")
    out = run_app(
        example_repo / "apps/api",
        """
import json
from fastapi.testclient import TestClient
from main import app
with TestClient(app) as c:
    v1 = c.get("/api/v1/projects/feed")
    old = c.get("/projects/feed")
    miss = c.get("/__missing__")
    crm = c.get("/api/v1/crm/leads", headers={"Origin": "http://localhost:3005"})
    docs = c.get("/api/v1/docs")
    print(json.dumps({"v1": [v1.status_code, dict(v1.headers)], "old": dict(old.headers),
                      "miss": [miss.status_code, miss.json()],
                      "crm": [crm.status_code, crm.headers.get("access-control-allow-origin")],
                      "docs": [docs.status_code, "/api/v1/openapi.json" in docs.text],
                      "openapi": sorted(app.openapi()["paths"])}))
""",
    )
    seen = json.loads(out.strip().splitlines()[-1])
    status, headers = seen["v1"]
    assert status == 200 and headers["x-api-version"] == "1" and "deprecation" not in headers
    assert headers["x-correlation-id"]
    assert seen["old"]["deprecation"] == "true" and "sunset" in seen["old"]
    assert seen["old"]["link"] == '</api/v1/projects/feed>; rel="successor-version"'
    code, body = seen["miss"]
    assert code == 404 and body["error"]["code"] == "not_found"
    assert body["error"]["correlation_id"]
    assert seen["crm"] == [401, "http://localhost:3005"]  # CORS outermost: readable 401
    assert seen["docs"] == [200, True]
    assert all(p.startswith("/api/v1/") for p in seen["openapi"])
    assert "/api/v1/auth/refresh" in seen["openapi"]


# ---- refusals and dry-run -----------------------------------------------------------------------
FACTORY = "from fastapi import FastAPI\n\n\ndef create_app():\n    return FastAPI()\n"
TWO_APPS = "from fastapi import FastAPI\n\napp = FastAPI()\nadmin = FastAPI()\n"
BROKEN = "from fastapi import FastAPI\napp = FastAPI(\n"


@pytest.mark.parametrize(
    "text,why",
    [(FACTORY, "no module-level"), (TWO_APPS, "2 FastAPI apps"), (BROKEN, "cannot parse")],
)
def test_unfamiliar_main_is_refused_and_nothing_written(
    example_repo: Path, capsys: pytest.CaptureFixture[str], text: str, why: str
) -> None:
    (example_repo / "apps/api/main.py").write_text(text)
    before = sorted(p.relative_to(example_repo) for p in example_repo.rglob("*"))
    capsys.readouterr()
    code = main(["scaffold", "add", "all", "--service", "api", "--repo", str(example_repo)])
    err = capsys.readouterr().err
    assert code == 2
    assert why in err and "from app_platform import install as install_platform" in err
    assert "install_platform(app)" in err
    assert sorted(p.relative_to(example_repo) for p in example_repo.rglob("*")) == before
    assert (example_repo / "apps/api/main.py").read_text() == text


def test_an_app_factory_wired_by_hand_is_accepted(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main_py = example_repo / "apps/api/main.py"
    main_py.write_text(
        "from fastapi import FastAPI\n\nfrom app_platform import install as install_platform\n"
        "from routers import projects\n\n\ndef create_app():\n    app = FastAPI()\n"
        "    app.include_router(projects.router)\n    install_platform(app)\n    return app\n\n\n"
        "app = create_app()\n"
    )
    before = main_py.read_text()
    plan_json(example_repo, capsys, "errors", "versioning")
    assert main_py.read_text() == before
    out = run_app(
        example_repo / "apps/api", "import main; print(sorted(main.app.openapi()['paths']))"
    )
    assert "/api/v1/projects/feed" in out


def test_dry_run_shows_the_main_patch_and_writes_nothing(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in example_repo.rglob("*") if p.is_file()}
    data = plan_json(example_repo, capsys, "security", "--dry-run")
    assert data["dry_run"] and not data["applied"]
    patch = next(a for a in data["actions"] if a["path"] == "apps/api/main.py")
    assert patch["action"] == "patch"
    assert "+from app_platform import install as install_platform" in patch["diff"]
    assert "+install_platform(app)" in patch["diff"]
    assert '-app.add_middleware(CORSMiddleware, allow_origins=["*"]' in patch["diff"]
    assert {p: p.read_bytes() for p in example_repo.rglob("*") if p.is_file()} == before


def test_main_guard_keeps_install_before_it(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main_py = example_repo / "apps/api/main.py"
    main_py.write_text(main_py.read_text() + '\n\nif __name__ == "__main__":\n    pass\n')
    plan_json(example_repo, capsys, "errors")
    text = main_py.read_text()
    assert text.index("install_platform(app)") < text.index('if __name__ == "__main__":')


@pytest.mark.parametrize(
    "args,message",
    [
        (["nonsense"], "unknown concern 'nonsense'"),
        (["errors", "--service", "auth"], "hardens the existing API only"),
    ],
)
def test_bad_input_exits_2(
    example_repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["scaffold", "add", *args, "--repo", str(example_repo)])
    assert code == 2
    assert message in capsys.readouterr().err


def test_missing_main_py_exits_2(example_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (example_repo / "apps/api/main.py").unlink()
    assert main(["scaffold", "add", "errors", "--repo", str(example_repo)]) == 2
    assert "apps/api/main.py: not found" in capsys.readouterr().err


# ---- helpers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source,expected",
    [
        ("from app.settings import Settings\n", "from config import Settings\n"),
        ("from app import __version__\n", "from config import __version__\n"),
        (
            "from app.errors import ServiceError\n",
            "from middleware.error_handler import ServiceError\n",
        ),
        ("from app.auth import decode_token\n", "from security.dependencies import decode_token\n"),
        (
            "from app.cache.redis_client import get_store\n",
            "from cache.redis_client import get_store\n",
        ),
        ("    from app.logs import install\n", "    from logging_config import install\n"),
        ("import apple\nlog = 'app.errors'\n", "import apple\nlog = 'app.errors'\n"),
    ],
)
def test_layout_map_relocates_imports(source: str, expected: str) -> None:
    assert concerns.relocate_imports(source) == expected


@pytest.mark.parametrize(
    "line,expected,names",
    [
        (
            "  POSTGRES_PASSWORD: s3cret",
            "  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}",
            ["POSTGRES_PASSWORD"],
        ),
        ("  - JWT_SECRET=abc", "  - JWT_SECRET=${JWT_SECRET:?set it in .env}", ["JWT_SECRET"]),
        (
            "  DATABASE_URL: postgresql://u:p@db/x",
            "  DATABASE_URL: ${DATABASE_URL:?set it in .env}",
            ["DATABASE_URL"],
        ),
        (
            "  command: redis-server --requirepass pw",
            "  command: redis-server --requirepass ${REDIS_PASSWORD:?set it in .env}",
            ["REDIS_PASSWORD"],
        ),
        ("  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}", None, ["POSTGRES_PASSWORD"]),
        ("  POSTGRES_PASSWORD: ${PGPASS}", None, []),
        ("  POSTGRES_USER: propmubi", None, []),
        ("  image: postgres:15", None, []),
    ],
)
def test_compose_credentials_become_variables(
    line: str, expected: str | None, names: list[str]
) -> None:
    patches, found = concerns.compose_patches("docker-compose.yml", line + "\n")
    assert found == names
    if expected is None:
        assert patches == []
    else:
        (patch,) = patches
        assert plan_patch(patch, line + "\n").new == expected + "\n"
        assert plan_patch(patch, expected + "\n").action == "identical"


def test_replace_patch_is_idempotent_and_refused_without_its_anchor() -> None:
    spec = PatchSpec("main.py", "allow_origins=ORIGINS", r'allow_origins=\["\*"\]', replace=True)
    first = plan_patch(spec, 'x(allow_origins=["*"], y=1)\n')
    assert first.action == "patch" and first.new == "x(allow_origins=ORIGINS, y=1)\n"
    assert plan_patch(spec, first.new).action == "identical"
    refused = plan_patch(spec, "x(allow_origins=OTHER)\n")
    assert refused.action == "refused" and "replace" in refused.manual
