"""`propctl scaffold lint`: ruff, black, prettier, ESLint and pre-commit (Task 4)."""

from __future__ import annotations

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation

EPILOG = (
    "Examples:\n\n"
    "  propctl scaffold lint --dry-run    the plan and the diff of pyproject.toml\n\n"
    "  propctl scaffold lint && pre-commit install && pre-commit run --all-files\n\n"
    "Writes .pre-commit-config.yaml, .prettierrc and eslint.config.js (ESLint 9's flat config, "
    "which replaces .eslintrc.js) and appends [tool.ruff] / [tool.black] to pyproject.toml "
    "where they are missing."
)


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command("lint", epilog=EPILOG)(lint)


def lint(
    ctx: typer.Context,
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """The code-quality gate: pre-commit hooks (ruff, black, prettier, eslint, propctl
    verify), ruff and black settings in pyproject.toml, .prettierrc, eslint.config.js."""
    from propctl.generators.lint import JS_INSTALL, lint_generation

    app = get_app(ctx).with_repo(repo)
    generation = lint_generation(app.load_roadmap(), app.repo)
    run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
    if not dry_run and TableJson(fmt) == TableJson.table:
        app.info(
            "next: pre-commit install && pre-commit run --all-files; the ESLint hook "
            f"and `propctl verify` use the JS tools at the repo root: {JS_INSTALL}"
        )
