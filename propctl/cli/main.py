"""The root command: global options, the command modules, and the one error boundary that turns
exceptions into exit codes (0 ok, 1 a failure found, 2 the user must fix something, 3 a bug)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
import typer.core

from propctl import __version__
from propctl.cli.app import get_app
from propctl.errors import PropctlError

if TYPE_CHECKING:
    from typer import _click as click  # typer 0.26+ runs on its own copy of click

# One module per command or command group, each with `register(root)`, imported only when its
# command runs: the root's help lists them from here without building 70 commands first.
COMMANDS: dict[str, str] = {
    "status": "Progress per tier and task, and the score against the tier targets.",
    "score": "The score per dimension and overall; --explain shows every contribution.",
    "init": "Declare the repo the roadmap's target: verify may run its programs here.",
    "verify": "Check every acceptance criterion against the repo (what CI runs).",
    "attest": "Record a person's attestation for a manual criterion.",
    "report": "Progress report for leads: score against the plan, forecast, next actions.",
    "checklist": "The roadmap file: validate, schema, import from Markdown, render.",
    "scaffold": "Generate what the tasks ask for, without losing your edits.",
    "migrations": "Alembic migrations for a service, SQLite by default.",
    "infra": "Task 13's infrastructure with Pulumi: offline plan and policies, real runs.",
    "doctor": "Which optional tools are present and what each unlocks.",
}

EPILOG = (
    "Examples:\n\n"
    "  propctl status                       progress per tier and the score\n\n"
    "  propctl verify --repo . --format json  check every criterion (what CI runs)\n\n"
    "  propctl scaffold service auth --port 3001 --dry-run\n\n"
    "Exit codes: 0 ok · 1 a failure was found · 2 fix your input · 3 a bug in propctl."
)


class _Group(typer.core.TyperGroup):
    """The root group. It loads a command's module only when that command runs, and it is the
    error boundary for expected errors: print what is wrong, no traceback, its exit code.
    Living in the group (not only in `main`) makes Typer's CliRunner see the same behaviour."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # the root's help needs a line per command, not the command
            return typer.core.TyperCommand(cmd_name, help=COMMANDS[cmd_name])
        return _load(cmd_name)

    def format_help(self, ctx: click.Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PropctlError as exc:
            _print_error(exc)
            ctx.exit(exc.exit_code)


app = typer.Typer(
    cls=_Group,
    name="propctl",
    help="The Propmubi roadmap as code: verify it, generate it, provision it, report on it.",
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"propctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    repo: Annotated[
        Path, typer.Option("--repo", help="The target repository.", file_okay=False)
    ] = Path("."),
    roadmap: Annotated[
        Optional[Path],
        typer.Option(  # noqa: UP045
            "--roadmap",
            help="Roadmap file (default: <repo>/checklists/roadmap.yaml, else the bundled one).",
            dir_okay=False,
        ),
    ] = None,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Allow command checks from a roadmap other than the bundled one, and the "
            "bundled roadmap's programs in a repo that `propctl init` did not declare its target.",
        ),
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours (also NO_COLOR).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only results and errors.")] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More detail.")] = 0,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    from propctl import clock

    clock.fixed_today()  # a bad PROPCTL_TODAY is exit 2 before any command uses the date
    state = get_app(ctx)
    state.repo = repo
    state.roadmap_path = roadmap
    state.trust = trust
    state.color = state.color and not no_color
    state.verbosity = -1 if quiet else verbose


def _load(name: str) -> click.Command:
    from propctl.cli.lazy import registered_commands

    return registered_commands(f"propctl.cli.{name}")[name]


def main(argv: list[str] | None = None) -> int:
    command = typer.main.get_command(app)
    try:
        command.main(
            args=argv if argv is not None else sys.argv[1:],
            prog_name="propctl",
            standalone_mode=True,
        )
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except PropctlError as exc:  # raised outside a command (while parsing options)
        _print_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug: keep the details, tell the user where
        log = _crash_log()
        print(
            f"propctl hit a bug: {sys.exc_info()[1]!r}\nthe traceback is in {log}; please "
            "attach it to a bug report",
            file=sys.stderr,
        )
        return 3
    return 0


def _crash_log() -> str:
    """The traceback in a private new file (mkstemp: mode 0600, never an existing name, so a
    symlink planted in a shared $TMPDIR is not followed)."""
    import tempfile
    import traceback

    folder = os.environ.get("TMPDIR") or None  # read now: tempfile caches the first answer
    fd, name = tempfile.mkstemp(prefix="propctl-crash-", suffix=".log", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(traceback.format_exc())
    return name


def _print_error(exc: PropctlError) -> None:
    label = "error" if exc.exit_code == 2 else "failed"
    use_color = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    prefix = f"\x1b[31m{label}:\x1b[0m" if use_color else f"{label}:"
    print(f"{prefix} {exc}", file=sys.stderr)
