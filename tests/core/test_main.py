"""The error boundary: expected errors print a message and an exit code, bugs exit 3 with a log."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from propctl import __version__
from propctl.cli import main as cli_main
from propctl.errors import FailureFound, UserError


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"propctl {__version__}"


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "propctl", "--version"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0 and __version__ in out.stdout


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["no-such-command"]) == 2


@pytest.mark.parametrize(
    ("error", "code", "label"),
    [
        (UserError("--port 80: below 1024", hint="use 1024-65535"), 2, "error:"),
        (FailureFound("2 files in conflict"), 1, "failed:"),
    ],
)
def test_expected_errors_print_no_traceback(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: Exception,
    code: int,
    label: str,
) -> None:
    probe = typer.Typer()

    @probe.command("probe")
    def _probe() -> None:
        raise error

    cli_main.app.add_typer(probe, name="probe-group")
    try:
        assert cli_main.main(["probe-group", "probe"]) == code
    finally:
        cli_main.app.registered_groups.pop()
    err = capsys.readouterr().err
    assert err.startswith(label) and "Traceback" not in err
    assert str(error).splitlines()[0] in err


def test_a_bug_exits_3_with_a_private_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The log is a new file of its own (mode 0600): a symlink planted at the old fixed name in
    a shared $TMPDIR is never followed."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    outside = tmp_path / "victim.txt"
    outside.write_text("keep me\n")
    (tmp_path / "propctl-crash.log").symlink_to(outside)
    probe = typer.Typer()

    @probe.command("probe")
    def _probe() -> None:
        raise ZeroDivisionError("oops")

    cli_main.app.add_typer(probe, name="bug-group")
    try:
        assert cli_main.main(["bug-group", "probe"]) == 3
    finally:
        cli_main.app.registered_groups.pop()
    err = capsys.readouterr().err
    assert "propctl hit a bug" in err and "Traceback" not in err
    log = Path(re.search(r"the traceback is in (\S+);", err).group(1))  # type: ignore[union-attr]
    assert log.parent == tmp_path and log.name.startswith("propctl-crash-")
    assert "ZeroDivisionError" in log.read_text()
    assert log.stat().st_mode & 0o777 == 0o600
    assert outside.read_text() == "keep me\n"
