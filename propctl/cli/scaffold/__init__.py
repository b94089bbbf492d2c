"""`propctl scaffold ...`: one command group; every sibling module `propctl/cli/scaffold/<name>.py`
that defines `register(scaffold_app)` adds its own subcommand(s) (service, workflow, lint,
database...), so a new generator is a new file here and nothing else to edit. Shared options and
the plan/diff/apply flow are in `propctl.cli.scaffold.run`.

Modules are imported lazily: `propctl scaffold NAME` imports `NAME.py` only (a module may add
more commands whose name starts with its own, e.g. service.py's `services`); listing the group
(`propctl scaffold --help`) imports them all. `propctl --help` imports none."""

from __future__ import annotations

import pkgutil
from typing import TYPE_CHECKING

import typer
import typer.core

from propctl.cli.lazy import registered_commands

if TYPE_CHECKING:
    from typer import _click as click  # typer 0.26+ runs on its own copy of click

EPILOG = (
    "Examples:\n\n"
    "  propctl scaffold service auth --port 3001 --dry-run   show the plan and diffs\n\n"
    "  propctl scaffold services --all                       the roadmap's nine services\n\n"
    "Every generator plans first: create, identical, update, conflict (your edits: exit 1, "
    "nothing written; --merge or --force), skip, deleted, patch, refused."
)
_NOT_COMMANDS = {"run"}


def _modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if not m.name.startswith("_") and m.name not in _NOT_COMMANDS
    )


def _commands_of(module_name: str) -> dict[str, click.Command]:
    return registered_commands(f"{__name__}.{module_name}")


class _LazyScaffold(typer.core.TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for module in _modules() for name in _commands_of(module))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        modules = _modules()
        owners = [m for m in modules if cmd_name == m or cmd_name.startswith(m)]
        for module in sorted(owners, key=len, reverse=True) + modules:
            found = _commands_of(module).get(cmd_name)
            if found is not None:
                return found
        return None


scaffold_app = typer.Typer(
    name="scaffold",
    cls=_LazyScaffold,
    help="Generate code the roadmap asks for, without losing your edits.",
    epilog=EPILOG,
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@scaffold_app.callback()
def _scaffold() -> None:
    """Generate code the roadmap asks for, without losing your edits."""


def register(root: typer.Typer) -> None:
    root.add_typer(scaffold_app, name="scaffold")
