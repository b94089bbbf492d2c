"""The application object every command works through (hatch's pattern): global options, the
console, the roadmap, and the few ways a command reports and ends."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from propctl.errors import PropctlError, UserError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console, RenderableType

    from propctl.reporting.terminal import Draw
    from propctl.roadmap.models import Roadmap


@dataclass
class App:
    repo: Path = Path(".")
    roadmap_path: Path | None = None
    trust: bool = False
    color: bool = True
    verbosity: int = 0
    _roadmap: Roadmap | None = field(default=None, repr=False)
    _trusted: bool = False

    # ---- output ---------------------------------------------------------------------------
    @property
    def console(self) -> Console:
        from rich.console import Console

        if not hasattr(self, "_console"):
            self._console = Console(no_color=not self.color, highlight=False)
        return self._console

    @property
    def err(self) -> Console:
        from rich.console import Console

        if not hasattr(self, "_err"):
            self._err = Console(stderr=True, no_color=not self.color, highlight=False)
        return self._err

    # messages are plain text: they carry names, paths and ids from the user (`--by '[/x]'`)
    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self.err.print(message, markup=False)

    def debug(self, message: str) -> None:
        if self.verbosity > 0:
            self.err.print(message, markup=False, style="dim")

    def warn(self, message: str) -> None:
        from rich.markup import escape

        self.err.print(f"[yellow]warning:[/yellow] {escape(message)}", soft_wrap=True)

    def emit(self, text: str, output: Path | None = None) -> None:
        """Command output: to `-o FILE` (atomically) or standard output, unstyled."""
        if output is not None:
            from propctl.state import atomic_write

            try:
                atomic_write(output, text if text.endswith("\n") else text + "\n")
            except OSError as exc:
                raise UserError(
                    f"-o {output}: cannot write: {exc.strerror or exc}",
                    hint="pick a file in a folder you can write",
                ) from None
            self.info(f"wrote {output}")
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")

    def show(
        self,
        draw: Draw | Sequence[RenderableType],
        output: Path | None = None,
        width: int | None = None,
    ) -> None:
        """Rich output: drawn on the terminal, or as plain text to `-o FILE` (120 columns,
        or `width`)."""
        from propctl.reporting.terminal import PLAIN_WIDTH, drawing, plain_text

        paint = draw if callable(draw) else drawing(draw)
        if output is None:
            paint(self.console)
        else:
            self.emit(plain_text(paint, width or PLAIN_WIDTH), output)

    def emit_json(self, data: Any, output: Path | None = None) -> None:
        self.emit(json.dumps(data, indent=2, default=str, ensure_ascii=False), output)

    def abort(self, message: str, code: int = 2, hint: str | None = None) -> NoReturn:
        raise PropctlError(message, hint=hint) if code == 2 else _Exit(message, code)

    # ---- the roadmap ----------------------------------------------------------------------
    def load_roadmap(self) -> Roadmap:
        if self._roadmap is None:
            from propctl.roadmap.loader import load_roadmap
            from propctl.roadmap.locate import find_roadmap

            path, trusted = find_roadmap(self.repo, self.roadmap_path)
            self._roadmap = load_roadmap(path)
            self._trusted = trusted or self.trust
            self.debug(f"roadmap: {path} ({'trusted' if self._trusted else 'untrusted'})")
        return self._roadmap

    @property
    def roadmap_trusted(self) -> bool:
        self.load_roadmap()
        return self._trusted

    def with_repo(self, repo: Path | None) -> App:
        """Apply a command's own `--repo` over the global one."""
        if repo is not None:
            self.repo = repo
        if not self.repo.is_dir():
            raise UserError(f"--repo {self.repo}: not a directory")
        return self


class _Exit(PropctlError):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code


def get_app(ctx: typer.Context) -> App:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = App(color=_color_default())
    return root.obj  # type: ignore[no-any-return]


def _color_default() -> bool:
    return "NO_COLOR" not in os.environ
