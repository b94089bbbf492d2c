"""The bar `propctl verify` draws on a terminal's standard error while its checks run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

Progress = Callable[[int, int, str], None]  # (done, total, id of the item just finished)


@contextmanager
def progress_bar(console: Console, *, enabled: bool) -> Iterator[Progress | None]:
    """A Rich bar on `console` when it is a terminal and `enabled`; no callback anywhere else."""
    if not (enabled and console.is_terminal):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    columns = (TextColumn("verifying"), BarColumn(), MofNCompleteColumn())
    with Bar(*columns, TextColumn("{task.description}"), console=console, transient=True) as bar:
        handle = bar.add_task("", total=None)
        yield lambda done, total, ident: bar.update(
            handle, completed=done, total=total, description=ident
        )
