"""`scaffold add security` makes the app sign its own tokens with the secret its new JWT middleware
checks: literal secrets in the app's modules become `get_settings()` reads, nothing else of the
user's file changes, and a re-run (or the engineer's later rewrite) plans nothing there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from propctl.cli.main import main
from propctl.generators.engine.patch import with_patches
from propctl.generators.engine.plan import plan
from propctl.generators.token_signing import signing_patches

BIN = Path(sys.executable).parent
AUTH = "apps/api/routers/auth.py"


def _patched(repo: Path, rel: str) -> str:
    text = (repo / rel).read_text("utf-8")
    patches = signing_patches(repo, "apps/api", "config", set())
    return with_patches(text, [p for p in patches if p.path == rel])


def test_the_example_router_reads_the_secret_and_algorithm_from_the_settings(
    example_repo: Path,
) -> None:
    before = (example_repo / AUTH).read_text("utf-8")
    after = _patched(example_repo, AUTH)
    assert 'JWT_SECRET = "' not in after
    assert "JWT_SECRET = get_settings().jwt_secret.get_secret_value()" in after
    assert "JWT_ALGORITHM = get_settings().jwt_algorithm" in after
    assert "from config import get_settings\nfrom fastapi import" in after  # isort's place
    assert 'OTP_CODE = "123456"' in after  # the OTP flow stays the engineer's edit
    changed = set(after.splitlines()) ^ set(before.splitlines())
    assert len(changed) == 5, changed  # two lines replaced, one import added


def test_the_anchors_never_repeat_the_secret(example_repo: Path) -> None:
    for patch in signing_patches(example_repo, "apps/api", "config", set()):
        assert "do-not-share" not in (patch.anchor or "") + patch.insert + patch.manual


def test_after_the_patch_or_the_engineers_rewrite_nothing_is_planned(example_repo: Path) -> None:
    (example_repo / AUTH).write_text(_patched(example_repo, AUTH))
    assert signing_patches(example_repo, "apps/api", "config", set()) == []
    (example_repo / AUTH).write_text("from security.tokens import issue_tokens\n")
    assert signing_patches(example_repo, "apps/api", "config", set()) == []


def test_tests_generated_files_and_other_names_are_left_alone(tmp_path: Path) -> None:
    api = tmp_path / "apps" / "api"
    (api / "tests").mkdir(parents=True)
    (api / "tests" / "test_x.py").write_text('JWT_SECRET = "a-test-secret"\n')
    (api / "gen.py").write_text('SECRET_KEY = "generated"\n')
    (api / "other.py").write_text('TWILIO_AUTH_TOKEN = "x"\nPASSWORD = "y"\nNAME = "jwt"\n')
    (api / "broken.py").write_text('JWT_SECRET = "x"\ndef (:\n')
    assert signing_patches(tmp_path, "apps/api", "config", {"apps/api/gen.py"}) == []


def test_an_existing_import_is_reused_and_a_file_without_imports_gets_one_first(
    tmp_path: Path,
) -> None:
    api = tmp_path / "apps" / "api"
    api.mkdir(parents=True)
    (api / "a.py").write_text('from config import get_settings\n\nSECRET_KEY = "s3cr3t"\n')
    (api / "b.py").write_text('JWT_SECRET_KEY = "s3cr3t"  # TODO move\n')
    a = _patched(tmp_path, "apps/api/a.py")
    assert a.count("import get_settings") == 1
    assert "SECRET_KEY = get_settings().jwt_secret.get_secret_value()" in a
    b = _patched(tmp_path, "apps/api/b.py")
    assert b.startswith("from config import get_settings\n")
    assert "JWT_SECRET_KEY = get_settings().jwt_secret.get_secret_value()\n" in b


def test_in_a_package_the_import_sorts_among_the_first_party_ones(tmp_path: Path) -> None:
    api = tmp_path / "backend" / "app"
    (api / "api").mkdir(parents=True)
    (api / "api" / "login.py").write_text(
        "import time\n\nimport jwt\nfrom fastapi import APIRouter\n\n"
        "from app.core.db import engine\nfrom app.models import User\n\n"
        'SECRET_KEY = "changethis"\nprint(time, jwt, APIRouter, engine, User)\n'
    )
    rel = "backend/app/api/login.py"
    patches = signing_patches(tmp_path, "backend/app", "app.core.platform_settings", set(), "app")
    text = with_patches((tmp_path / rel).read_text(), patches)
    assert (
        "from app.core.db import engine\nfrom app.core.platform_settings import get_settings\n"
        "from app.models import User\n"
    ) in text
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ruff.lint]\nselect = ["I"]\n[tool.ruff.lint.isort]\nknown-first-party = ["app"]\n'
    )
    (tmp_path / rel).write_text(text)
    done = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", rel],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_scaffold_add_security_patches_the_router_once(example_repo: Path) -> None:
    words = ["scaffold", "add", "security", "--service", "api", "--repo", str(example_repo)]
    assert main(words) == 0
    text = (example_repo / AUTH).read_text("utf-8")
    assert "JWT_SECRET = get_settings().jwt_secret.get_secret_value()" in text
    assert main(words) == 0
    assert (example_repo / AUTH).read_text("utf-8") == text


def test_the_plan_names_the_router_patch(example_repo: Path) -> None:
    from propctl.generators.concerns import add_generation
    from propctl.resources import bundled_roadmap
    from propctl.roadmap.loader import load_roadmap

    roadmap = load_roadmap(bundled_roadmap())
    actions = plan(example_repo, add_generation(example_repo, roadmap, "api", ["security"]))
    router = [a for a in actions.actions if a.path == AUTH]
    assert [a.action for a in router] == ["patch"], router
