"""scaffold database / scaffold repository: what they write, that it imports in a plain
interpreter, passes its own tests and ruff, and what they refuse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from propctl.cli.main import main
from propctl.errors import UserError
from propctl.generators.repository import import_line, parse_fields, plural, snake

FIELDS = (
    "name:str, phone:str, notes:text?, score:float, joined:date?, seen:datetime?, "
    "fee:decimal?, active:bool, big:bigint, extra:json?"
)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _ok(capsys, *args: str) -> str:
    code, out, err = _run(capsys, *args)
    assert code == 0, f"{args} -> {code}\n{out}\n{err}"
    return out


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("name:str", [("name", "str", False)]),
        (" name : str ,agent_id:int? , ", [("name", "str", False), ("agent_id", "int", True)]),
        ("", []),
    ],
)
def test_parse_fields(spec: str, expected: list) -> None:
    assert parse_fields(spec) == expected


@pytest.mark.parametrize(
    "spec, message",
    [
        ("name", "is not NAME:TYPE"),
        ("name:string", "unknown type 'string'"),
        ("Name:str", "lowercase Python identifier"),
        ("class:str", "lowercase Python identifier"),
        ("id:int", "reserved"),
        ("created_at:datetime", "reserved"),
        ("func:int", "reserved"),  # the model's class body calls func.now()
        ("mapped_column:str", "reserved"),  # ... and mapped_column(...)
        ("a:int, a:str", "given twice"),
        ("x:int??", "is not NAME:TYPE"),
        ("{{7*7}}:int", "lowercase Python identifier"),
    ],
)
def test_bad_fields_are_refused(spec: str, message: str) -> None:
    with pytest.raises(UserError, match=message.replace("?", r"\?").replace("(", r"\(")):
        parse_fields(spec)


@pytest.mark.parametrize(
    "spec", ["self:str", "limit:int", "offset:int", "order_by:str", "lead_source_id:int"]
)
def test_fields_named_like_the_repositorys_parameters_are_refused(spec: str) -> None:
    """`list(limit=...)`, `update(lead_source_id, ...)`: such a field could never be set."""
    with pytest.raises(UserError, match="parameter of the generated repository"):
        parse_fields(spec, "lead_source")
    assert parse_fields("agent_id:int", "lead_source") == [("agent_id", "int", False)]


@pytest.mark.parametrize(
    "word, module, table",
    [
        ("Agent", "agent", "agents"),
        ("LeadSource", "lead_source", "lead_sources"),
        ("Property", "property", "properties"),
        ("Address", "address", "addresses"),
        ("HTTPLog", "http_log", "http_logs"),
    ],
)
def test_names(word: str, module: str, table: str) -> None:
    assert snake(word) == module and plural(module) == table


def test_import_line_is_sorted_and_wrapped_like_ruff() -> None:
    assert (
        import_line("sqlalchemy", {"func", "JSON", "Integer"})
        == "from sqlalchemy import JSON, Integer, func"
    )
    many = {f"Name{i}" for i in range(12)}
    assert import_line("sqlalchemy", many).startswith("from sqlalchemy import (\n    Name0,\n")


def test_scaffold_writes_the_layer_and_is_idempotent(capsys, example_repo: Path) -> None:
    repo = str(example_repo)
    _ok(capsys, "scaffold", "database", "--service", "api", "--repo", repo)
    _ok(capsys, "scaffold", "repository", "Agent", "--fields", FIELDS, "--repo", repo)
    api = example_repo / "apps/api"
    for rel in (
        "database.py",
        "models/__init__.py",
        "models/agent.py",
        "repositories/__init__.py",
        "repositories/agent_repository.py",
        "tests/test_agent_repository.py",
        ".gitignore",
    ):
        assert (api / rel).is_file(), rel
    assert "from models.agent import Agent" in (api / "models/__init__.py").read_text()
    # Running both again changes nothing.
    for args in (["database"], ["repository", "Agent", "--fields", FIELDS]):
        plan = json.loads(_ok(capsys, "scaffold", *args, "--repo", repo, "--format", "json"))
        assert set(plan["counts"]) == {"identical"}, plan["counts"]


def test_dry_run_writes_nothing(capsys, example_repo: Path) -> None:
    before = sorted(p for p in example_repo.rglob("*"))
    out = _ok(capsys, "scaffold", "database", "--repo", str(example_repo), "--dry-run")
    assert "apps/api/database.py" in out and "+POOL_SIZE = 20" in out
    assert sorted(p for p in example_repo.rglob("*")) == before


def _only_sqlalchemy(folder: Path) -> Path:
    import sqlalchemy
    import typing_extensions

    folder.mkdir()
    (folder / "sqlalchemy").symlink_to(Path(sqlalchemy.__file__).parent)
    (folder / "typing_extensions.py").symlink_to(typing_extensions.__file__)
    return folder


@pytest.mark.slow  # three judges in subprocesses: a bare interpreter, pytest, ruff and black
def test_generated_code_imports_passes_its_tests_and_ruff(
    capsys, example_repo: Path, tmp_path: Path
) -> None:
    repo = str(example_repo)
    _ok(capsys, "scaffold", "database", "--service", "api", "--repo", repo)
    for entity, fields in (("Agent", FIELDS), ("Lead", "name:str, agent_id:int?")):
        _ok(capsys, "scaffold", "repository", entity, "--fields", fields, "--repo", repo)
    api = example_repo / "apps/api"
    code = (
        "import database, models, repositories\n"
        "from repositories import AgentRepository, LeadRepository\n"
        "assert database.engine.pool.size() == 20\n"
        "assert sorted(database.Base.metadata.tables) == ['agents', 'leads']\n"
        "print(database.settings.url)"
    )
    # A plain interpreter: -S (no site-packages) and a folder holding only SQLAlchemy and the
    # one package it needs, typing_extensions.
    only = _only_sqlalchemy(tmp_path / "only-sqlalchemy")
    done = subprocess.run(
        [
            sys.executable,
            "-S",
            "-I",
            "-c",
            f"import sys; sys.path[:0] = [{str(only)!r}, '.']\n" + code,
        ],
        cwd=api,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"sqlite:///{api.resolve() / 'api.db'}"

    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_agent_repository.py",
            "tests/test_lead_repository.py",
        ],
        cwd=api,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "16 passed" in tests.stdout, tests.stdout

    generated = [
        "database.py",
        "models",
        "repositories",
        "tests/test_agent_repository.py",
        "tests/test_lead_repository.py",
    ]
    # Ruff sees `database` and `models` as first-party from the service folder and as
    # third-party from the repository root: clean both ways, and Black-clean.
    for cwd, paths in ((api, generated), (example_repo, [f"apps/api/{g}" for g in generated])):
        ruff = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--isolated",
                "--select",
                "E,F,W,I,B,UP",
                "--line-length",
                "100",
                "--target-version",
                "py311",
                *paths,
            ],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    black = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--line-length", "100", *generated],
        cwd=api,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert black.returncode == 0, black.stderr


def _in_service(api: Path, code: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=api,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_pool_settings_come_from_the_environment(capsys, example_repo: Path) -> None:
    _ok(capsys, "scaffold", "database", "--repo", str(example_repo))
    api = example_repo / "apps/api"
    show = (
        "import database\np = database.engine.pool\n"
        "print(database.engine.url.render_as_string(), p.size(), p._max_overflow, "
        "p._timeout, p._recycle, p._pre_ping)"
    )
    assert _in_service(api, show, {}) == [
        f"sqlite:///{api.resolve() / 'api.db'} 20 0 30.0 1800 True"
    ]
    env = {
        "DATABASE_URL": "postgresql+psycopg://u:p@db:5432/app",
        "DB_POOL_SIZE": "35",
        "DB_MAX_OVERFLOW": "5",
        "DB_POOL_TIMEOUT": "7.5",
        "DB_POOL_RECYCLE": "60",
    }
    assert _in_service(api, show, env) == [
        "postgresql+psycopg://u:***@db:5432/app 35 5 7.5 60 True"
    ]
    refused = (
        "import os\nos.environ['DATABASE_URL'] = 'sqlite://'\n"
        "try:\n    import database\nexcept ValueError as exc:\n    print(exc)"
    )
    assert "use a file" in _in_service(api, refused, {})[0]


def test_pool_metrics_are_published(capsys, example_repo: Path, tmp_path: Path) -> None:
    _ok(capsys, "scaffold", "database", "--repo", str(example_repo))
    code = (
        "import database\nfrom prometheus_client import CollectorRegistry, generate_latest\n"
        "from sqlalchemy import text\n"
        "registry = CollectorRegistry()\n"
        "database.register_pool_metrics(registry)\n"
        "database.register_pool_metrics(registry)  # twice is harmless\n"
        "with database.engine.connect() as conn:\n"
        "    conn.execute(text('select 1'))\n"
        "    print(generate_latest(registry).decode())\n"
    )
    lines = _in_service(
        example_repo / "apps/api", code, {"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    )
    assert "db_pool_size 20.0" in lines and "db_pool_checked_out 1.0" in lines


@pytest.mark.parametrize(
    "args, message",
    [
        (["database", "--service", "nope"], "use one of: api, auth"),
        (["database", "--service", "auth"], "propctl scaffold service auth --port 3001"),
        (["repository", "Agent"], "database.py: not found"),
        (["repository", "../evil", "--service", "api"], "entity name"),
        (["repository", "class", "--service", "api"], "entity name"),
        (["repository", "Class", "--service", "api"], "entity name"),
        (["repository", "Import", "--service", "api"], "entity name"),
    ],
)
def test_refusals_are_exit_2_and_write_nothing(
    capsys, example_repo: Path, args: list[str], message: str
) -> None:
    if args[1] in ("../evil", "class", "Class", "Import"):
        _ok(capsys, "scaffold", "database", "--repo", str(example_repo))
    before = sorted(p for p in example_repo.rglob("*"))
    code, out, err = _run(capsys, "scaffold", *args, "--repo", str(example_repo))
    assert code == 2 and message in err and "Traceback" not in err, err
    assert sorted(p for p in example_repo.rglob("*")) == before
