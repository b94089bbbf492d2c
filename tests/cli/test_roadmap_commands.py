"""status, score, doctor and checklist import/render/schema: through Typer's CliRunner and as a
real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from propctl.cli.main import app
from propctl.resources import bundled_roadmap, data_dir
from propctl.roadmap.loader import load_roadmap

SOURCE = Path(__file__).resolve().parents[1] / "roadmap" / "data" / "IMPLEMENTATION_CHECKLIST.md"
PROPCTL = Path(sys.executable).with_name("propctl")
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    """Exit code, standard output, and standard error with Rich's line wrapping undone."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


def tier1_passing() -> dict[str, str]:
    roadmap = load_roadmap(bundled_roadmap())
    return {c.id: "pass" for t in roadmap.tiers[0].tasks for c in t.acceptance}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A target repo whose latest verify run passed every tier 1 criterion and subtask 1.1."""
    state = tmp_path / ".propctl"
    state.mkdir()
    old = {"time": "2026-02-01T09:00:00", "commit": "0" * 40, "statuses": {"1.a1": "pass"}}
    new = {
        "time": "2026-02-08T09:00:00",
        "commit": "abcdef1234" + "0" * 30,
        "statuses": {**tier1_passing(), "1.1": "pass", "6.a1": "fail"},
    }
    (state / "history.jsonl").write_text(
        json.dumps(new) + "\n" + json.dumps(old) + "\n", "utf-8"
    )  # order by time, not line
    return tmp_path


def test_status_without_results(tmp_path: Path) -> None:
    code, out, _ = invoke("--repo", str(tmp_path), "status")
    assert code == 0
    assert "no verify results yet" in out and "propctl verify" in out
    assert "0/15" in out.replace(" ", "") or "0/5" in out
    assert "Score 5.10/10" in out


def test_status_json_without_results(tmp_path: Path) -> None:
    code, out, _ = invoke("status", "--repo", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["source"] is None and data["hint"].startswith("no verify results")
    assert data["score"]["overall"] == 5.1
    assert data["totals"] == {
        "tasks": 15,
        "tasks_complete": 0,
        "subtasks": 199,
        "subtasks_done": 0,
        "criteria": 73,
        "criteria_passing": 0,
    }


def test_status_reads_the_latest_run(repo: Path) -> None:
    code, out, _ = invoke("status", "--repo", str(repo), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["source"]["time"] == "2026-02-08T09:00:00"
    assert data["totals"]["tasks_complete"] == 5 and data["totals"]["subtasks_done"] == 1
    assert data["score"]["overall"] == 5.86
    assert [t["tasks_complete"] for t in data["tiers"]] == [5, 0, 0]
    code, out, _ = invoke("status", "--repo", str(repo))
    assert code == 0 and "abcdef1234" in out and "5/5" in out and "Score 5.86/10" in out


def test_status_refuses_a_broken_history(tmp_path: Path) -> None:
    (tmp_path / ".propctl").mkdir()
    (tmp_path / ".propctl" / "history.jsonl").write_text('{"statuses": {}}\n{oops\n', "utf-8")
    code, _, err = invoke("status", "--repo", str(tmp_path))
    assert code == 2 and "history.jsonl:2: not a JSON line" in err and "Traceback" not in err


def test_score_json_shape(tmp_path_factory: pytest.TempPathFactory, repo: Path) -> None:
    empty = tmp_path_factory.mktemp("empty")
    code, out, _ = invoke("score", "--repo", str(empty), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["overall"] == 5.1 and data["dimensions"]["security"] == 4.0
    assert set(data["dimensions"]) == {
        "architecture",
        "code_quality",
        "testing",
        "security",
        "scalability",
        "devops",
        "observability",
        "documentation",
        "database",
        "api_design",
    }
    data = json.loads(invoke("score", "--repo", str(repo), "-f", "json")[1])
    assert data["overall"] == 5.86 and data["dimensions"]["security"] == 6.5
    assert data["modelled_targets"] == {"baseline": 5.1, "tier1": 5.86, "tier2": 6.85, "tier3": 9.0}


def test_score_table(repo: Path) -> None:
    code, out, _ = invoke("score", "--repo", str(repo))
    assert code == 0
    assert "Security" in out and "6.50" in out and "5.86" in out and "After T3" in out


def test_score_explain(repo: Path) -> None:
    code, out, _ = invoke("score", "--repo", str(repo), "--explain", "security", "-f", "json")
    explain = json.loads(out)["explain"]
    assert code == 0 and explain["baseline"] == 4.0 and explain["score"] == 6.5
    assert [(c["task"], c["completion"], c["impact"]) for c in explain["contributions"]] == [
        (2, 1.0, 2.5),
        (11, 0.0, 1.0),
        (13, 0.0, 1.0),
    ]
    code, out, _ = invoke("score", "--repo", str(repo), "--explain", "API Design")
    assert code == 0 and "API Design: baseline 6.0" in out and "3. Centralized Error" in out


def test_score_explain_unknown_dimension(tmp_path: Path) -> None:
    code, _, err = invoke("score", "--repo", str(tmp_path), "--explain", "secruity")
    assert code == 2 and "did you mean 'security'?" in err and "Traceback" not in err


def test_score_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "score.json"
    code, out, _ = invoke("score", "--repo", str(tmp_path), "-f", "json", "-o", str(target))
    assert code == 0 and out == "" and json.loads(target.read_text())["overall"] == 5.1
    table = tmp_path / "score.txt"
    assert invoke("score", "--repo", str(tmp_path), "-o", str(table))[0] == 0
    assert "Overall" in table.read_text() and "\x1b[" not in table.read_text()


@pytest.mark.parametrize("command", [["status"], ["score", "-f", "json"], ["checklist", "render"]])
def test_an_output_file_that_cannot_be_written_exits_2(tmp_path: Path, command: list[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    target = blocker / "out.txt"  # under a file: no folder can be made there
    code, _, err = invoke(*command, "--repo", str(tmp_path), "-o", str(target))
    assert code == 2 and f"-o {target}: cannot write" in err, err


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["score"],
        ["score", "--explain", "database"],
        ["--trust", "verify", "--task", "1", "--no-history"],
    ],
)
def test_names_with_brackets_are_shown_as_written(tmp_path: Path, command: list[str]) -> None:
    text = bundled_roadmap().read_text("utf-8")
    assert "title: Database Persistence Layer\n" in text
    text = text.replace(
        "title: Database Persistence Layer\n", "title: 'Database [/persistence] [bold]Layer'\n", 1
    )
    text = text.replace("name: Observability,", "name: '[/o11y] Observability',", 1)
    roadmap = tmp_path / "roadmap.yaml"
    roadmap.write_text(text, "utf-8")
    result = runner.invoke(
        app,
        ["--roadmap", str(roadmap), *command, "--repo", str(tmp_path)],
        env={"COLUMNS": "200"},
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1), result.stderr
    shown = "[/o11y] Observability" if command == ["score"] else "[/persistence] [bold]Layer"
    assert shown in result.stdout


def test_render_help_shows_the_checkbox() -> None:
    code, out, _ = invoke("checklist", "render", "--help")
    assert code == 0 and "`[x]` on what the latest" in " ".join(out.split()), out


def test_doctor_lists_every_tool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: everything is missing
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "KUBECONFIG", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    code, out, _ = invoke("doctor", "--format", "json")
    tools = {t["name"]: t for t in json.loads(out)["tools"]}
    assert code == 0
    assert set(tools) == {
        "pulumi CLI",
        "AWS credentials",
        "kubeconfig",
        "redis-server",
        "PostgreSQL",
        "promtool",
        "Node.js",
        "git",
    }
    assert not tools["pulumi CLI"]["found"] and "get.pulumi.com" in tools["pulumi CLI"]["install"]
    assert not tools["kubeconfig"]["found"]
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "config").write_text("apiVersion: v1\n")
    monkeypatch.setenv("AWS_PROFILE", "platform")
    tools = {t["name"]: t for t in json.loads(invoke("doctor", "-f", "json")[1])["tools"]}
    assert tools["kubeconfig"]["found"] and tools["AWS credentials"]["found"]
    code, out, _ = invoke("doctor")
    assert code == 0 and "install pulumi CLI" in out


def test_doctor_finds_tools_on_path() -> None:
    code, out, _ = invoke("doctor", "--format", "json")
    tools = {t["name"]: t["found"] for t in json.loads(out)["tools"]}
    assert code == 0
    assert tools["redis-server"] == bool(shutil.which("redis-server"))
    assert tools["git"] == bool(shutil.which("git"))


def test_import_writes_the_roadmap(tmp_path: Path) -> None:
    target = tmp_path / "roadmap.yaml"
    code, _, err = invoke("checklist", "import", str(SOURCE), "-o", str(target))
    assert code == 0, err
    assert "3 tiers, 15 tasks, 199 subtasks, 73 criteria, 10 dimensions" in err
    assert "declares 960 h, the tasks add up to 772 h" in err
    code, out, _ = invoke("checklist", "validate", "--roadmap", str(target))
    assert code == 0 and "199 subtasks, 73 criteria" in out


def test_import_dry_run_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "roadmap.yaml"
    code, out, err = invoke("checklist", "import", str(SOURCE), "-o", str(target), "--dry-run")
    assert code == 0 and not target.exists() and out == "" and "dry run" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"# Notes\n\njust text\n", "plan.md:3: this line has no place"),
        (b"# P\n### Task 1: Lost\n", "plan.md:2: ### 'Task 1: Lost': task 1 stands outside"),
    ],
)
def test_import_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    source = tmp_path / "plan.md"
    target = tmp_path / "roadmap.yaml"
    if content is not None:
        source.write_bytes(content)
    code, _, err = invoke("checklist", "import", str(source), "-o", str(target))
    assert code == 2 and message in err and "Traceback" not in err and not target.exists()


def test_import_bad_start(tmp_path: Path) -> None:
    code, _, err = invoke("checklist", "import", str(SOURCE), "--start", "next monday")
    assert code == 2 and "--start 'next monday': not a date" in err


def test_render_marks_what_passed(repo: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("checklist", "render", "--repo", str(repo))
    assert code == 0
    assert "- [x] TIER 1: Immediate Fixes (5/5 tasks) - Weeks 1-4" in out
    assert "- [x] 1.1 Create database session management" in out
    assert "- [ ] 1.2 Implement repository pattern for Agent" in out
    assert "**Next**: Begin TIER 2 implementation" in out
    rendered = tmp_path / "CHECKLIST.md"
    assert invoke("checklist", "render", "--repo", str(repo), "-o", str(rendered))[0] == 0
    back = tmp_path / "back.yaml"
    assert invoke("checklist", "import", str(rendered), "-o", str(back))[0] == 0
    assert (
        first_difference(
            load_roadmap(back).model_dump(), load_roadmap(bundled_roadmap()).model_dump()
        )
        is None
    )


def first_difference(a: object, b: object, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r:.80} != {b!r:.80}"
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            found = first_difference(a.get(key), b.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        return next(
            (
                d
                for i, (x, y) in enumerate(zip(a, b, strict=True))
                if (d := first_difference(x, y, f"{path}.{i}"))
            ),
            None,
        )
    return None if a == b else f"{path}: {a!r:.80} != {b!r:.80}"


def test_schema_prints_the_committed_file() -> None:
    code, out, _ = invoke("checklist", "schema")
    assert code == 0
    assert out == (data_dir("checklists") / "roadmap.schema.json").read_text("utf-8")


def test_a_repo_roadmap_wins_over_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "checklists").mkdir()
    text = (
        bundled_roadmap()
        .read_text("utf-8")
        .replace("title: Security Hardening", "title: Security Hardening (ours)")
    )
    (tmp_path / "checklists" / "roadmap.yaml").write_text(text, "utf-8")
    code, out, _ = invoke("--repo", str(tmp_path), "status")
    assert code == 0 and "Security Hardening (ours)" in out
    other = tmp_path / "elsewhere.yaml"
    other.write_text(bundled_roadmap().read_text("utf-8"), "utf-8")
    code, out, _ = invoke("--repo", str(tmp_path), "--roadmap", str(other), "status")
    assert code == 0 and "(ours)" not in out


def test_help_has_examples() -> None:
    for command in (
        ["status"],
        ["score"],
        ["doctor"],
        ["checklist", "validate"],
        ["checklist", "import"],
        ["checklist", "render"],
        ["checklist", "schema"],
    ):
        code, out, _ = invoke(*command, "--help")
        assert code == 0 and "propctl " in out.split("Example", 1)[-1], command


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROPCTL), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_subprocess_status_and_score(repo: Path) -> None:
    out = run("status", "--format", "json", cwd=repo)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["score"]["overall"] == 5.86
    out = run("score", "--format", "json", cwd=repo)
    assert out.returncode == 0 and json.loads(out.stdout)["overall"] == 5.86


def test_subprocess_validate_exit_codes(tmp_path: Path) -> None:
    assert run("checklist", "validate", cwd=tmp_path).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [\n", "utf-8")
    out = run("--roadmap", str(bad), "checklist", "validate", cwd=tmp_path)
    assert out.returncode == 2 and "bad.yaml:" in out.stderr and "Traceback" not in out.stderr


def test_no_color(repo: Path) -> None:
    coloured = run("status", cwd=repo, env={"FORCE_COLOR": "1", "COLUMNS": "120"})
    assert "\x1b[" in coloured.stdout
    for args, env in ((["status"], {"NO_COLOR": "1"}), (["--no-color", "status"], {})):
        plain = run(*args, cwd=repo, env={"FORCE_COLOR": "1", "COLUMNS": "120", **env})
        assert plain.returncode == 0
        assert "\x1b[3" not in plain.stdout and "\x1b[9" not in plain.stdout  # no colours
