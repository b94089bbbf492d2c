"""Commands built on demand: a command module's `register(typer_app)` run against a throwaway
Typer app, so only the command that runs is imported and built (the root group and
`propctl scaffold` both load their commands this way)."""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from typer import _click as click  # typer 0.26+ runs on its own copy of click


@cache
def registered_commands(module_name: str) -> dict[str, click.Command]:
    """Every command `module_name`'s `register` adds (none when it has no `register`)."""
    module = importlib.import_module(module_name)
    holder = typer.Typer()
    holder.callback()(lambda: None)  # always a group, even with one command
    if hasattr(module, "register"):
        module.register(holder)
    commands = dict(getattr(typer.main.get_command(holder), "commands", {}))
    for command in commands.values():
        _reflow(command)
    return commands


def _reflow(command: click.Command) -> None:
    from propctl.cli.helptext import reflow

    command.help = reflow(command.help)
    for sub in getattr(command, "commands", {}).values():
        _reflow(sub)
