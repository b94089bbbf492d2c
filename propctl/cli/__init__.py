"""The command line: one module per command or command group."""

from propctl.cli._fastrich import defer_rich_imports

defer_rich_imports()  # before anything imports Typer's help renderer
