"""`propctl report` end to end: every format, -o, bad input (exit 2, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from report_fixtures import ROADMAP, THREE_WEEKS, write_history

from propctl.cli.main import main


def _report(repo: Path, *args: str) -> list[str]:
    return ["--roadmap", str(ROADMAP), "report", "--repo", str(repo), *args]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_history(tmp_path, THREE_WEEKS)
    return tmp_path


def test_json_to_stdout(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_report(repo, "--format", "json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema_version"] == 1 and data["runs"] == 3
    assert data["headline"]["overall"] == 4.63


@pytest.mark.parametrize(
    "fmt,marker",
    [
        ("html", "<!doctype html>"),
        ("markdown", "## Test roadmap: progress report"),
        ("table", "Next best actions"),
        ("json", '"schema_version": 1'),
    ],
)
def test_every_format_writes_a_file(
    repo: Path, tmp_path: Path, fmt: str, marker: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"report.{fmt}"
    assert main(_report(repo, "--format", fmt, "-o", str(out))) == 0
    assert marker in out.read_text("utf-8")
    captured = capsys.readouterr()
    assert captured.out == "" and f"wrote {out}" in captured.err.replace("\n", "")


def test_table_is_the_default(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_report(repo)) == 0
    out = capsys.readouterr().out
    assert "Score 4.63 / 10" in out and "Tiers and tasks" in out


def test_empty_history_still_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_report(tmp_path, "--format", "markdown")) == 0
    out = capsys.readouterr().out
    assert "run `propctl verify`" in out and "Not enough history" in out


@pytest.mark.parametrize(
    "history,where",
    [
        ('{"time": "2026-01-12T00:00:00Z", "statuses": {}}\nnot json\n', "history.jsonl:2"),
        ('{"time": "soon", "statuses": {}}\n', "run 1: time 'soon'"),
        ('{"time": "2026-01-12T00:00:00Z", "statuses": {"2.a1": "ok"}}\n', "unknown status"),
    ],
)
def test_broken_history_is_exit_2_without_traceback(
    tmp_path: Path, history: str, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".propctl").mkdir()
    (tmp_path / ".propctl" / "history.jsonl").write_text(history, encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(_report(tmp_path, "--format", "html", "-o", str(out))) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and where in err and "Traceback" not in err
    assert not out.exists()


def test_bad_format_and_missing_repo_are_exit_2(tmp_path: Path) -> None:
    assert main(_report(tmp_path, "--format", "pdf")) == 2
    assert main(_report(tmp_path / "nowhere")) == 2


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--help"]) == 0
    out = capsys.readouterr().out
    assert "propctl report --format html -o report.html" in out


def test_real_subprocess(repo: Path, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("propctl")
    out = tmp_path / "r.html"
    done = subprocess.run(
        [str(exe), *_report(repo, "--format", "html", "-o", str(out))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text("utf-8").rstrip().endswith("</html>")
