"""Two services in one process: each gets its own `database` and `models`, and nothing of either
stays in sys.modules afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from migration_helpers import ok, scaffold_api

from propctl.migrations.isolation import service_imports


def test_two_services_one_process(capsys, example_repo: Path, tmp_path: Path):
    """apps/api is flat (its folder is the import root); apps/auth-service is packaged like
    `propctl scaffold service` makes it (app/__init__.py), so its layer goes under app/."""
    (example_repo / "apps/auth-service/app").mkdir(parents=True)
    (example_repo / "apps/auth-service/app/__init__.py").write_text("")
    scaffold_api(capsys, example_repo, entities={"Agent": "name:str"})
    scaffold_api(capsys, example_repo, "auth", entities={"User": "email:str, active:bool"})
    urls = {s: f"sqlite:///{tmp_path / s}.db" for s in ("api", "auth")}
    for _round in range(2):
        for service, url in urls.items():
            args = ["--service", service, "--repo", str(example_repo), "--database-url", url]
            if _round == 0:
                ok(capsys, "migrations", "new", "Initial schema", *args)
            moved = json.loads(ok(capsys, "migrations", "upgrade", *args, "--format", "json"))
            assert len(moved["applied"]) == (1 if _round == 0 else 0)
    from sqlalchemy import create_engine, inspect

    for service, table in (("api", "agents"), ("auth", "users")):
        engine = create_engine(urls[service])
        assert set(inspect(engine).get_table_names()) == {table, "alembic_version"}
        engine.dispose()
    assert "database" not in sys.modules and "models" not in sys.modules
    assert "app.database" not in sys.modules
    auth = example_repo / "apps/auth-service"
    assert (auth / "app/models/user.py").is_file() and not (auth / "models").exists()
    assert "from app.models.user import User" in (auth / "app/models/__init__.py").read_text()
    ok(capsys, "migrations", "current", "--service", "auth", "--repo", str(example_repo))
    assert (auth / "auth.db").is_file()  # the default SQLite file sits at the service root
    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_user_repository.py",
        ],
        cwd=auth,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tests.returncode == 0 and "8 passed" in tests.stdout, tests.stdout + tests.stderr


def test_shadowed_modules_come_back(tmp_path: Path):
    (tmp_path / "json.py").write_text("SHADOW = True\n")
    real = sys.modules["json"]
    with service_imports(tmp_path):
        import json as inside

        assert getattr(inside, "SHADOW", False)
    assert sys.modules["json"] is real
    assert str(tmp_path) not in sys.path


def test_new_revisions_follow_the_repository_formatter(capsys, example_repo: Path, tmp_path: Path):
    pyproject = example_repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.black]\nline-length = 100\n")
    scaffold_api(capsys, example_repo, entities={"Agent": "name:str, phone:str, rating:float"})
    args = [
        "--service",
        "api",
        "--repo",
        str(example_repo),
        "--format",
        "json",
        "--database-url",
        f"sqlite:///{tmp_path / 'fmt.db'}",
    ]
    made = [
        json.loads(ok(capsys, "migrations", "new", "Initial schema", *args)),
        json.loads(ok(capsys, "migrations", "new", "by hand", "--empty", *args)),
    ]
    assert [m["formatted_by"] for m in made] == ["black", "black"]
    paths = [str(example_repo / m["path"]) for m in made]
    for judge in (
        ["black", "--check", "--line-length", "100"],
        ["ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP", "--line-length", "100"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", *judge, *paths], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr
