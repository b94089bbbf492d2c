"""Options shared by several commands, declared once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

RepoOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on 3.11 annotations at runtime
    typer.Option(
        "--repo",
        help="The target repository (default: the global --repo, else .).",
        file_okay=False,
    ),
]
OutputOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--output", "-o", help="Write to FILE instead of standard output.", dir_okay=False
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
]


class TableJson(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[
    TableJson, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
