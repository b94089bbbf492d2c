"""`propctl scaffold ...`: one Typer group; every sibling module `propctl/cli/scaffold/<name>.py`
that defines `register(scaffold_app)` adds its own subcommand(s) (service, workflow, lint,
database...), so a new generator is a new file here and nothing else to edit. Shared options and
the plan/diff/apply flow are in `propctl.cli.scaffold.run`."""

from __future__ import annotations

import importlib
import pkgutil

import typer

EPILOG = (
    "Examples:\n\n"
    "  propctl scaffold service auth --port 3001 --dry-run   show the plan and diffs\n\n"
    "  propctl scaffold services --all                       the roadmap's nine services\n\n"
    "Every generator plans first: create, identical, update, conflict (your edits: exit 1, "
    "nothing written; --merge or --force), skip, deleted, patch, refused."
)

scaffold_app = typer.Typer(
    name="scaffold", help="Generate code the roadmap asks for, without losing your edits.",
    epilog=EPILOG, no_args_is_help=True, rich_markup_mode="rich",
)


def register(root: typer.Typer) -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_") or module.name == "run":
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        if hasattr(loaded, "register"):
            loaded.register(scaffold_app)
    root.add_typer(scaffold_app, name="scaffold")
