"""The error hierarchy. Every error a user can fix carries an exit code and a message that says
what is wrong, where, and how to fix it; `propctl.cli.main` prints it without a traceback."""

from __future__ import annotations


class PropctlError(Exception):
    """Base of every error propctl raises on purpose. Exit code 2: the user must fix something."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UserError(PropctlError):
    """Bad input: a flag, a name, a path. Exit 2."""


class RoadmapError(PropctlError):
    """The roadmap file is unreadable or invalid. Exit 2. `problems` lists every located issue."""

    def __init__(self, message: str, *, problems: list[str] | None = None, hint: str | None = None):
        self.problems = problems or []
        full = (
            message
            if not self.problems
            else message + "\n" + "\n".join(f"  {p}" for p in self.problems)
        )
        super().__init__(full, hint=hint)


class MissingToolError(PropctlError):
    """An external tool is required and absent (the pulumi CLI, redis-server...). Exit 2."""


class FailureFound(PropctlError):
    """The tool worked and found a failure (a conflict, a violated policy). Exit 1."""

    exit_code = 1
