"""The command line: one module per command or command group."""

from propctl.cli._fastrich import defer_rich_markdown

defer_rich_markdown()  # before anything imports Typer's help renderer
