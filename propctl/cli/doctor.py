"""`propctl doctor`: parse -> call `propctl.api.doctor` -> render (which optional tools are
present and which commands they unlock)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from propctl.cli.app import get_app
from propctl.cli.options import FormatOption, OutputOption, RepoOption, TableJson

EPILOG = (
    "Examples:\n\n  propctl doctor\n\n  propctl doctor --repo ../my-api\n\n"
    "  propctl doctor --repo . --python backend/.venv/bin/python --format json\n\n"
    "With --repo, it also says which of the roadmap's checks will end as `error` in that "
    "repository and why: the target's Python (the one verify uses: --python, else "
    "<repo>/.venv/bin/python, else propctl's own) and its version against the repo's "
    "requires-python, whether it imports the app, fastapi and httpx for asgi checks, "
    "redis-server, and the programs command checks run (node_modules/.bin/prettier, eslint, "
    "tsc, black, ruff ...), each with the command that fixes it."
)


def register(root: typer.Typer) -> None:
    root.command("doctor", epilog=EPILOG)(doctor)


def doctor(
    ctx: typer.Context,
    repo: RepoOption = None,
    python: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on 3.11 annotations at runtime
        typer.Option(help="The target's Python (as verify's --python).", dir_okay=False),
    ] = None,
    fmt: FormatOption = TableJson.table,
    output: OutputOption = None,
) -> None:
    """Which optional tools are present, what each unlocks, and how to install the missing
    ones; with --repo, which checks will error in that repository and why. Always exits 0:
    it reports, it does not judge."""
    from propctl.api.doctor import DoctorRequest
    from propctl.api.doctor import doctor as diagnose

    app = get_app(ctx)
    if repo is not None:
        app.with_repo(repo)
        request = DoctorRequest(app.repo, app.load_roadmap(), python)
    else:
        request = DoctorRequest(python=python)
    doc = diagnose(request).as_json()
    if fmt is TableJson.json:
        app.emit_json(doc, output)
        return
    from propctl.reporting.doctor_table import doctor_view

    app.show(doctor_view(doc), output)
