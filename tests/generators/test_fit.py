"""Generators that fit the repository they write into, off the home field: the
full-stack-fastapi-template (a package app, its own settings class, compose ports, Python 3.14)
and a purpose-built app whose `middleware.py` clashes with the package propctl writes."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from propctl.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "real" / "full-stack-fastapi-template"


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """A copy of the fixture with a roadmap whose paths.api is backend/app."""
    repo = tmp_path / "template"
    shutil.copytree(FIXTURE, repo)
    roadmap = (ROOT / "checklists" / "roadmap.yaml").read_text("utf-8")
    (repo / "checklists").mkdir()
    (repo / "checklists" / "roadmap.yaml").write_text(
        roadmap.replace("paths: {api: apps/api,", "paths: {api: backend/app,", 1), "utf-8"
    )
    return repo


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    if "--format" in args:
        return code, out.out
    return code, " ".join((out.out + out.err).split())  # the console wraps long lines


def test_package_app_gets_package_imports_and_keeps_one_settings_class(
    template_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(
        capsys, "scaffold", "add", "all", "--service", "api", "--repo", str(template_repo)
    )
    assert code == 0, out
    app = template_repo / "backend" / "app"
    main_py = (app / "main.py").read_text()
    assert "from app.app_platform import install as install_platform\n" in main_py
    assert "from app_platform import" not in main_py
    assert main_py.rstrip().endswith("install_platform(app)")
    assert not (app / "config.py").exists()  # the app's own is core/config.py
    settings = (app / "core" / "platform_settings.py").read_text()
    assert "from app.core.config import Settings as AppSettings" in settings
    assert "class Settings(AppSettings):" in settings and "SettingsConfigDict" not in settings
    # every import of the app's own package names a module that exists in it
    for path in app.rglob("*.py"):
        if path.name == "deps.py":  # Python 3.14 syntax (PEP 758): this ast cannot read it
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "app":
                target = template_repo / "backend" / node.module.replace(".", "/")
                assert target.with_suffix(".py").is_file() or target.is_dir(), (path, node.module)
            if isinstance(node, ast.ImportFrom) and node.module == "main":
                pytest.fail(f"{path}: `from main import` does not resolve in a package")
    # propctl's own Python lacks the app's dependencies: said, with the way to find out more
    assert "did not import before the change" in out and "sentry_sdk" in out
    assert f"propctl doctor --repo {template_repo}" in out


def test_change_that_breaks_the_import_is_undone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The app has a module `middleware.py`; `scaffold add errors` writes the package
    `middleware/error_handler.py`, which the module shadows: the app no longer imports."""
    repo = tmp_path / "tiny"
    api = repo / "apps" / "api"
    api.mkdir(parents=True)
    (api / "main.py").write_text(
        "from fastapi import FastAPI\n\nfrom middleware import timing\n\napp = FastAPI()\n"
        "app.middleware('http')(timing)\n"
    )
    (api / "middleware.py").write_text(
        "async def timing(request, call_next):\n    return await call_next(request)\n"
    )
    before = tree(repo)
    code, out = run(capsys, "scaffold", "add", "errors", "--service", "api", "--repo", str(repo))
    assert code == 1, out
    assert "no longer imports" in out and "'middleware' is not a package" in out
    assert "every file was put back" in out
    assert tree(repo) == before  # not one file written, no .propctl/ left behind


def test_example_imports_after_each_change_and_its_tests_still_pass(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def tests_pass() -> bool:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
            cwd=example_repo / "apps" / "api",
            capture_output=True,
            text=True,
            timeout=300,
            env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
            check=False,
        )
        return done.returncode == 0

    assert tests_pass()
    code, out = run(
        capsys, "scaffold", "add", "errors,logging", "--service", "api", "--repo", str(example_repo)
    )
    assert code == 0, out
    assert "import check: main:app" in out and "imports after the change" in out
    assert (
        "from app_platform import install as install_platform"
        in (example_repo / "apps/api/main.py").read_text()
    )
    assert tests_pass()


@pytest.mark.parametrize(
    "port,where",
    [
        ("8000", "compose.override.yml:36: compose service 'backend'"),
        # unquoted 9323:9323 is a base-60 integer to YAML 1.1; compose reads the text
        ("9323", "compose.override.yml:100: compose service 'playwright'"),
        ("8090", "compose.override.yml:7: compose service 'proxy' uses 8090 as its host port"),
        ("3001", "checklists/roadmap.yaml:42: the roadmap gives port 3001 to the 'auth'"),
    ],
)
def test_service_port_held_elsewhere_exits_2_naming_file_and_line(
    template_repo: Path, capsys: pytest.CaptureFixture[str], port: str, where: str
) -> None:
    code, out = run(
        capsys, "scaffold", "service", "billing", "--port", port, "--repo", str(template_repo)
    )
    assert code == 2, out
    assert where in out and "Traceback" not in out
    assert not (template_repo / "apps").exists()


@pytest.mark.parametrize("source", [".python-version", "requires-python"])
def test_service_takes_the_repos_python_and_passes_hadolint(
    template_repo: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    if source == "requires-python":  # then backend/pyproject.toml: >=3.14,<4.0
        (template_repo / ".python-version").unlink()
    code, out = run(
        capsys, "scaffold", "service", "billing", "--port", "4101", "--repo", str(template_repo)
    )
    assert code == 0, out
    service = template_repo / "apps" / "billing-service"
    dockerfile = (service / "Dockerfile").read_text()
    assert [line for line in dockerfile.splitlines() if line.startswith("FROM")] == [
        "FROM python:3.14-slim AS build",
        "FROM python:3.14-slim",
    ]
    pyproject = (service / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.14"' in pyproject
    assert 'target-version = "py314"' in pyproject and 'target-version = ["py314"]' in pyproject
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    judged = subprocess.run(
        [hadolint, "--failure-threshold", "style", "Dockerfile"],
        cwd=service,
        capture_output=True,
        text=True,
        check=False,
    )
    assert judged.returncode == 0, judged.stdout + judged.stderr


def test_python_older_than_the_templates_support_exits_2(
    template_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (template_repo / ".python-version").write_text("3.9\n")
    code, out = run(
        capsys, "scaffold", "service", "billing", "--port", "4101", "--repo", str(template_repo)
    )
    assert code == 2 and ".python-version:1" in out and "3.10 or later" in out, out


def test_doctor_says_which_checks_error_here_and_the_fix(
    template_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "doctor", "--repo", str(template_repo), "--format", "json")
    assert code == 0, out
    findings = {f["name"]: f for f in json.loads(out)["target"]["findings"]}
    version = findings["the repo's Python version"]
    assert not version["ok"] and ".python-version:1" in version["detail"]
    assert version["fix"].startswith("python3.14 -m venv")
    app = findings["the app imports (app.main, from backend)"]
    assert not app["ok"] and "sentry_sdk" in app["detail"]
    assert app["fix"].endswith(f"pip install -e {template_repo / 'backend'}")
    # the bundled roadmap's asgi checks import main:app from paths.api, as for a flat app
    asgi = findings["asgi checks import main:app from backend/app"]
    assert not asgi["ok"] and "2.a2" in asgi["blocks"]
    assert "app: app.main:app and app_dir: backend" in asgi["fix"]
    prettier = findings["node_modules/.bin/prettier"]
    assert not prettier["ok"] and prettier["blocks"] and "npm" in prettier["fix"]


def test_doctor_on_the_example_finds_the_app_importable(
    example_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "doctor", "--repo", str(example_repo), "--format", "json")
    assert code == 0, out
    findings = {f["name"]: f for f in json.loads(out)["target"]["findings"]}
    assert findings["the app imports (main, from apps/api)"]["ok"], findings
    assert "asgi checks import main:app from apps/api" not in findings  # the same import
    assert findings["fastapi in the target's Python"]["ok"]


FIXTURE_DEPENDENCIES = (  # backend/pyproject.toml's, less what propctl's venv already has
    "sqlmodel>=0.0.39",
    "sentry-sdk>=2.66.1",
    "email-validator>=2.1",
    "pwdlib[argon2,bcrypt]>=0.3",
    "emails>=1.1.2",
    "tenacity>=8.2.3",
    "python-multipart>=0.0.27",
)


@pytest.mark.slow
def test_template_imports_before_and_after_scaffold_add_all(
    template_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a Python that imports the app (its dependencies installed; the two 3.14-only lines
    back-ported, SOURCE.md says which), every concern keeps it importing: among others its
    `generate_unique_id_function` reads route.tags[0], so an untagged generated route broke it."""
    backend = template_repo / "backend"
    deps = backend / "app" / "api" / "deps.py"
    deps.write_text(
        deps.read_text().replace(
            "except InvalidTokenError, ValidationError:",
            "except (InvalidTokenError, ValidationError):",
        )
    )
    models = backend / "app" / "models.py"
    models.write_text("from __future__ import annotations\n\n" + models.read_text())
    (backend / "app" / "frontend").mkdir()
    (backend / "app" / "frontend" / "index.html").write_text("<!doctype html>\n")
    venv = template_repo / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "propctl-venv.pth").write_text("\n".join(p for p in sys.path if "site-packages" in p))
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q"]
        + ["--disable-pip-version-check", *FIXTURE_DEPENDENCIES],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    code, out = run(
        capsys, "scaffold", "add", "all", "--service", "api", "--repo", str(template_repo)
    )
    assert code == 0, out
    assert "import check: app.main:app" in out and "imports after the change" in out


def test_port_of_a_service_already_here_exits_2_naming_its_file_and_line(
    template_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = str(template_repo)
    assert run(capsys, "scaffold", "service", "billing", "--port", "4101", "--repo", repo)[0] == 0
    code, out = run(capsys, "scaffold", "service", "payments", "--port", "4101", "--repo", repo)
    assert code == 2
    assert "apps/billing-service/.env.example:4: already used by 'billing'" in out, out


def test_security_writes_no_override_compose_would_ignore(
    template_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """compose loads compose.yml and the first override file, here the template's own
    compose.override.yml: a generated docker-compose.override.yml would never be read."""
    before = (template_repo / "compose.override.yml").read_text()
    repo = str(template_repo)
    code, out = run(capsys, "scaffold", "add", "security", "--service", "api", "--repo", repo)
    assert code == 0, out
    assert not (template_repo / "docker-compose.override.yml").exists()
    assert (template_repo / "compose.override.yml").read_text() == before
    assert "compose.override.yml is yours and docker compose loads only that override" in out


def test_security_names_the_override_after_a_compose_yml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / "apps" / "api").mkdir(parents=True)
    (repo / "apps" / "api" / "main.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n"
    )
    (repo / "compose.yml").write_text("services:\n  api:\n    image: api\n")
    code, out = run(capsys, "scaffold", "add", "security", "--service", "api", "--repo", str(repo))
    assert code == 0, out
    assert "env_file" in (repo / "compose.override.yml").read_text()
    assert "compose.override.yml" in (repo / ".gitignore").read_text().splitlines()


def test_no_import_check_writes_without_running_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An app whose import has a side effect: with --no-import-check it never runs."""
    repo = tmp_path / "repo"
    (repo / "apps" / "api").mkdir(parents=True)
    (repo / "apps" / "api" / "main.py").write_text(
        "from pathlib import Path\n\nfrom fastapi import FastAPI\n\n"
        "Path(__file__).with_name('imported').write_text('yes')\napp = FastAPI()\n"
    )
    args = ["scaffold", "add", "errors", "--service", "api", "--repo", str(repo)]
    code, out = run(capsys, *args, "--no-import-check")
    assert code == 0 and "import check skipped" in out, out
    assert (repo / "apps" / "api" / "app_platform.py").is_file()
    assert not (repo / "apps" / "api" / "imported").exists()


@pytest.mark.parametrize(
    "compose,port,line",
    [
        ('services:\n  api:\n    ports: ["${API_PORT:-8123}:80"]\n', "8123", 3),
        ("services:\n  api:\n    ports:\n      - target: 80\n        published: 8124\n", "8124", 4),
        ('services:\n  api:\n    ports: ["127.0.0.1:8125-8127:9000-9002/udp"]\n', "8126", 3),
        (  # inherited through a merge key, as compose reads it
            'x-web: &web\n  ports: ["8128:8128"]\nservices:\n  api:\n    <<: *web\n',
            "8128",
            2,
        ),
    ],
)
def test_compose_ports_are_read_as_compose_reads_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compose: str, port: str, line: int
) -> None:
    (tmp_path / "docker-compose.yml").write_text(compose)
    code, out = run(
        capsys, "scaffold", "service", "billing", "--port", port, "--repo", str(tmp_path)
    )
    assert code == 2, out
    assert f"docker-compose.yml:{line}: compose service 'api'" in out, out
