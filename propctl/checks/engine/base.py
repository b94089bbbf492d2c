"""What every check kind shares: the result, the context it runs in, the registry.

Adding a check kind is adding one module under `propctl/checks/kinds/` (or a package there whose
`kind` module registers it, with the code only that kind uses beside it):

    @register("path_exists")
    class PathExists(CheckKind):
        \"\"\"Pass when a path (or glob, at least `min` matches) exists under the repo.\"\"\"

        class Params(CheckParams):
            path: str
            min: int = 1

        def run(self, ctx: CheckContext) -> Result:
            ...

`Params` is a pydantic model (extra="forbid") validated when the roadmap is checked, so a typo
in a parameter is a located exit-2 error, not a failing criterion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from propctl.checks.status import Status

if TYPE_CHECKING:
    from propctl.checks.engine.fileindex import FileIndex
    from propctl.roadmap.models import Roadmap


@dataclass
class Evidence:
    """One piece of evidence: where (file and line, when there is one) and what was found."""

    detail: str
    file: str | None = None
    line: int | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"detail": self.detail}
        if self.file is not None:
            out["file"] = self.file
        if self.line is not None:
            out["line"] = self.line
        return out

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "")
        return f"{where}: {self.detail}" if where else self.detail


@dataclass
class Result:
    status: Status
    message: str
    evidence: list[Evidence] = field(default_factory=list)
    duration_s: float = 0.0

    @classmethod
    def passed(cls, message: str, evidence: list[Evidence] | None = None) -> Result:
        return cls(Status.PASS, message, evidence or [])

    @classmethod
    def failed(cls, message: str, evidence: list[Evidence] | None = None) -> Result:
        return cls(Status.FAIL, message, evidence or [])

    @classmethod
    def errored(cls, message: str, evidence: list[Evidence] | None = None) -> Result:
        return cls(Status.ERROR, message, evidence or [])

    @classmethod
    def skipped(cls, reason: str) -> Result:
        return cls(Status.SKIP, reason)


class CheckParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class CheckContext:
    """Everything a check may look at. Paths in parameters are relative to `repo` and may use
    `{name}` placeholders from the roadmap's `paths` map (expanded by `expand`)."""

    repo: Path
    roadmap: Roadmap
    files: FileIndex
    python: str  # the target's interpreter for checks that run its code
    timeout_s: float = 60.0
    trusted: bool = False
    live: bool = False
    env: dict[str, str] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)  # shared helpers, e.g. a redis URL
    item_id: str | None = None  # the criterion or subtask being checked (set by the engine)

    def expand(self, value: str) -> str:
        try:
            return value.format_map(_Paths(self.roadmap.paths))
        except (ValueError, IndexError):
            return value  # braces that are not placeholders (a regex quantifier, say)


class _Paths(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class CheckKind:
    """Base of every check kind. Subclasses set `Params` and implement `run`."""

    kind: ClassVar[str]
    Params: ClassVar[type[CheckParams]] = CheckParams
    # True when the result depends only on the run's attestations and date, never on the repo
    # or the world: not for the result cache (its keys are file hashes), but a replayed run
    # (propctl.checks.gate.replay), whose fingerprint holds both, may reuse it
    state_only: ClassVar[bool] = False

    def __init__(self, params: CheckParams) -> None:
        self.params = params

    def inputs(self, ctx: CheckContext) -> list[str] | None:
        """Repo-relative files whose content decides the result, for the result cache.
        None (the default) means: not cacheable (it runs code, or reads the world)."""
        return None

    def replay_inputs(self, ctx: CheckContext) -> list[str] | None:
        """The same for a replayed run (propctl.checks.gate.replay), whose fingerprint also holds
        the attestations and the date: a `state_only` kind depends on no file."""
        inputs = self.inputs(ctx)
        return inputs if inputs is not None or not self.state_only else []

    def run(self, ctx: CheckContext) -> Result:  # pragma: no cover - abstract
        raise NotImplementedError


_REGISTRY: dict[str, type[CheckKind]] = {}


def register(kind: str) -> Callable[[type[CheckKind]], type[CheckKind]]:
    def decorate(cls: type[CheckKind]) -> type[CheckKind]:
        if kind in _REGISTRY:
            raise ValueError(f"check kind {kind!r} is registered twice")
        cls.kind = kind
        _REGISTRY[kind] = cls
        return cls

    return decorate


def registry() -> dict[str, type[CheckKind]]:
    from propctl.checks.kinds import import_all

    import_all()  # importing registers every kind
    return dict(_REGISTRY)
