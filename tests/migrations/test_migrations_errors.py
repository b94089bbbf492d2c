"""What `propctl migrations` refuses, and how: exit 2 (or 1 for `check`), the reason, the fix,
never a traceback."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from migration_helpers import ok, run, scaffold_api

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from servers import free_port  # noqa: E402

SMALL = {"Agent": "name:str, phone:str"}


def _api(repo: Path) -> list[str]:
    return ["--service", "api", "--repo", str(repo)]


def test_unreachable_postgres_is_exit_2_with_masked_url(capsys, example_repo: Path):
    scaffold_api(capsys, example_repo, entities=SMALL)
    url = f"postgresql+psycopg://propmubi:s3cret-pw@127.0.0.1:{free_port()}/propmubi"
    for command in (["upgrade"], ["current"], ["new", "x"], ["check", "--database-url", url]):
        args = [*command, *(["--database-url", url] if command[0] != "check" else [])]
        code, out, err = run(capsys, "migrations", *args, *_api(example_repo))
        assert code == 2, (command, out, err)
        assert "cannot reach the database postgresql+psycopg://propmubi:***@127.0.0.1" in err
        assert "s3cret" not in out + err and "Traceback" not in out + err
        assert re.search(r"refused|failed", err), err


@pytest.mark.parametrize(
    "url, message",
    [
        ("sqlite:////nonexistent-dir/sub/x.db", "cannot reach the database sqlite:////nonexistent"),
        ("not a url", "not a database URL"),
        ("nosuchdb://u:pw@h/d", "no dialect"),
    ],
)
def test_bad_urls_are_exit_2(capsys, example_repo: Path, url: str, message: str):
    scaffold_api(capsys, example_repo, entities=SMALL)
    code, out, err = run(
        capsys, "migrations", "upgrade", "--database-url", url, *_api(example_repo)
    )
    assert code == 2 and message in err and "Traceback" not in err, err
    assert ":pw@" not in err


def test_two_heads_are_refused_naming_them(capsys, example_repo: Path, tmp_path: Path):
    scaffold_api(capsys, example_repo, entities=SMALL)
    url = f"sqlite:///{tmp_path / 'heads.db'}"
    ok(capsys, "migrations", "new", "Initial schema", "--database-url", url, *_api(example_repo))
    versions = example_repo / "apps/api/migrations/versions"
    (first,) = versions.glob("*_initial_schema.py")
    base = re.search(r"^revision: str = '(\w+)'", first.read_text(), re.M).group(1)
    for rev, slug in (("aaaa0000aaaa", "branch_a"), ("bbbb1111bbbb", "branch_b")):
        (versions / f"{rev}_{slug}.py").write_text(
            f'"""{slug}"""\nrevision = "{rev}"\ndown_revision = "{base}"\n'
            "branch_labels = None\ndepends_on = None\n\n\n"
            "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
        )
    before = sorted(p.name for p in versions.iterdir())
    code, out, err = run(
        capsys, "migrations", "new", "more", "--empty", "--database-url", url, *_api(example_repo)
    )
    assert code == 2, out + err
    assert "2 heads" in err and "aaaa0000aaaa" in err and "bbbb1111bbbb" in err
    assert "alembic merge" in err and "Traceback" not in err
    assert sorted(p.name for p in versions.iterdir()) == before  # nothing written

    heads = ok(capsys, "migrations", "heads", *_api(example_repo))
    assert "aaaa0000aaaa" in heads and "bbbb1111bbbb" in heads
    out = tmp_path / "heads.json"  # -o, as on every command that prints a result
    ok(capsys, "migrations", "heads", "--format", "json", "-o", str(out), *_api(example_repo))
    assert sorted(h["revision"] for h in json.loads(out.read_text())["heads"]) == [
        "aaaa0000aaaa",
        "bbbb1111bbbb",
    ]


def test_nothing_to_migrate_is_refused_unless_empty(capsys, example_repo: Path, tmp_path: Path):
    scaffold_api(capsys, example_repo, entities=SMALL)
    url = f"sqlite:///{tmp_path / 'same.db'}"
    ok(capsys, "migrations", "new", "Initial schema", "--database-url", url, *_api(example_repo))
    ok(capsys, "migrations", "upgrade", "--database-url", url, *_api(example_repo))
    versions = example_repo / "apps/api/migrations/versions"
    count = len(list(versions.glob("*.py")))
    code, out, err = run(
        capsys, "migrations", "new", "again", "--database-url", url, *_api(example_repo)
    )
    assert code == 2 and "nothing to migrate" in err and "--empty" in err, err
    assert len(list(versions.glob("*.py"))) == count
    ok(
        capsys,
        "migrations",
        "new",
        "data fix",
        "--empty",
        "--database-url",
        url,
        *_api(example_repo),
    )
    assert len(list(versions.glob("*.py"))) == count + 1


def test_new_needs_the_database_at_head(capsys, example_repo: Path, tmp_path: Path):
    scaffold_api(capsys, example_repo, entities=SMALL)
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    ok(capsys, "migrations", "new", "Initial schema", "--database-url", url, *_api(example_repo))
    code, out, err = run(
        capsys, "migrations", "new", "next", "--database-url", url, *_api(example_repo)
    )
    assert code == 2 and "not up to date" in err and "migrations upgrade" in err, err


def test_check_without_any_revision_fails(capsys, example_repo: Path):
    scaffold_api(capsys, example_repo, entities=SMALL)
    code, out, err = run(capsys, "migrations", "check", *_api(example_repo))
    assert code == 1 and "add table agents" in err, err


@pytest.mark.parametrize(
    "args, message",
    [
        (["heads", "--service", "nope"], "not a service of this roadmap"),
        (["upgrade", "--service", "auth"], "apps/auth-service does not exist"),
        (["upgrade", "--service", "api"], "no Alembic environment"),
        (["init", "--service", "api"], "database.py: not found"),
        (["downgrade", "zzzz", "--service", "api"], None),
    ],
)
def test_bad_input_is_exit_2(capsys, example_repo: Path, args: list[str], message: str | None):
    if message is None:  # an unknown revision, once everything is in place
        scaffold_api(capsys, example_repo, entities=SMALL)
        message = "zzzz"
    code, out, err = run(capsys, "migrations", *args, "--repo", str(example_repo))
    assert code == 2 and message in err and "Traceback" not in err, err
    if "nope" in args:
        assert "api, auth, property" in err


def test_broken_model_names_the_file_and_line(capsys, example_repo: Path):
    scaffold_api(capsys, example_repo, entities=SMALL)
    model = example_repo / "apps/api/models/agent.py"
    model.write_text(model.read_text() + "\nundefined_name_here\n")
    code, out, err = run(capsys, "migrations", "check", *_api(example_repo))
    assert code == 2 and "apps/api/models/agent.py:" in err and "NameError" in err, err


def test_downgrade_minus_one_as_its_help_says(capsys, example_repo: Path, tmp_path: Path):
    """`downgrade -1` is a revision (the help names it), not an unknown option."""
    scaffold_api(capsys, example_repo, entities=SMALL)
    url = f"sqlite:///{tmp_path / 'minus.db'}"
    ok(capsys, "migrations", "new", "Initial schema", "--database-url", url, *_api(example_repo))
    ok(capsys, "migrations", "upgrade", "--database-url", url, *_api(example_repo))
    out = ok(capsys, "migrations", "downgrade", "-1", "--database-url", url, *_api(example_repo))
    assert "-> base (1 revision(s))" in out, out
    code, out, err = run(capsys, "migrations", "downgrade", "-x", *_api(example_repo))
    assert code == 2 and "Traceback" not in out + err, err


@pytest.mark.parametrize("message", ["", "   "])
def test_new_refuses_an_empty_message(capsys, example_repo: Path, tmp_path: Path, message: str):
    """An empty message wrote `<date>_<rev>_.py` whose message read as its docstring header."""
    scaffold_api(capsys, example_repo, entities=SMALL)
    versions = example_repo / "apps/api/migrations/versions"
    before = sorted(p.name for p in versions.iterdir())
    code, out, err = run(
        capsys,
        "migrations",
        "new",
        message,
        "--empty",
        "--database-url",
        f"sqlite:///{tmp_path / 'm.db'}",
        *_api(example_repo),
    )
    assert code == 2 and "message" in err and "Traceback" not in out + err, err
    assert sorted(p.name for p in versions.iterdir()) == before


def test_check_json_reports_the_differences(capsys, example_repo: Path):
    """`check --format json` printed nothing when the models and migrations disagree."""
    import json

    scaffold_api(capsys, example_repo, entities=SMALL)
    code, out, err = run(capsys, "migrations", "check", "--format", "json", *_api(example_repo))
    assert code == 1, err
    data = json.loads(out)
    assert data["in_sync"] is False and any("add table agents" in d for d in data["differences"])
