"""`--help` of every command, pinned at 100 columns (tests/cli/help/<command>.txt).

Refresh after a deliberate change:
    PROPCTL_UPDATE_SNAPSHOTS=1 pytest tests/cli/test_help_snapshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer

from propctl.cli.helptext import reflow
from propctl.cli.main import app, main

SNAPSHOTS = Path(__file__).resolve().parent / "help"
UPDATE = bool(os.environ.get("PROPCTL_UPDATE_SNAPSHOTS"))


def command_paths() -> list[tuple[str, ...]]:
    """Every command and group, as the words that name it (the root is ())."""
    root = typer.main.get_command(app)
    ctx = typer.Context(root)  # type: ignore[arg-type]
    paths: list[tuple[str, ...]] = [()]

    def walk(group: object, prefix: tuple[str, ...]) -> None:
        for name in group.list_commands(ctx):  # type: ignore[attr-defined]
            command = group.get_command(ctx, name)  # type: ignore[attr-defined]
            paths.append((*prefix, name))
            if hasattr(command, "list_commands"):
                walk(command, (*prefix, name))

    walk(root, ())
    return paths


def help_of(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    return "\n".join(line.rstrip() for line in out.splitlines()) + "\n"


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "propctl")
def test_help_is_pinned(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERMINAL_WIDTH", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    text = help_of(path, capsys)
    snapshot = SNAPSHOTS / ("-".join(path or ("propctl",)) + ".txt")
    if UPDATE:
        snapshot.write_text(text, "utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot}: refresh with PROPCTL_UPDATE_SNAPSHOTS=1"
    assert text == snapshot.read_text("utf-8"), (
        f"`propctl {' '.join(path)} --help` changed; if on purpose, refresh with "
        "PROPCTL_UPDATE_SNAPSHOTS=1 pytest tests/cli/test_help_snapshots.py"
    )


def test_every_snapshot_belongs_to_a_command() -> None:
    names = {"-".join(p or ("propctl",)) + ".txt" for p in command_paths()}
    stale = sorted(p.name for p in SNAPSHOTS.glob("*.txt") if p.name not in names)
    assert not stale, f"snapshots of commands that no longer exist: {stale}"


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        (
            "One line.\n\nA paragraph\nwrapped in the source.",
            "One line.\n\nA paragraph wrapped in the source.",
        ),
        (
            "Items:\n\n- first item\n  continued\n- second",
            "Items:\n\n- first item continued\n- second",
        ),
        (
            "Example:\n    text\n\n        propctl verify\n        propctl status",
            "Example: text\n\n    propctl verify\n    propctl status",
        ),
        (None, None),
    ],
)
def test_reflow_joins_paragraph_lines_and_keeps_items(
    source: str | None, shown: str | None
) -> None:
    assert reflow(source) == shown


def test_a_narrow_terminal_breaks_no_sentence_twice(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    monkeypatch.setenv("TERMINAL_WIDTH", "70")
    text = help_of(("scaffold", "ingress"), capsys)
    lines = [line.strip() for line in text.splitlines()]
    # a source line break would leave a short line in the middle of a paragraph
    for before, line, after in zip(lines, lines[1:], lines[2:], strict=False):
        if before and after and line and not line.startswith(("│", "╭", "╰")):
            assert len(line) > 40 or line.endswith((".", ":", ")")), f"ragged: {line!r}"
