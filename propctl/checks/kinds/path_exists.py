"""`path_exists`: a file, folder or glob exists, with at least `min` matches; and, when
`absent` is given, none of those paths exists beside them.

`absent` never stands alone (`path` is required): that something is missing is no evidence
that it was retired, so the check needs the positive evidence too, e.g. the services that
replaced the monolith exist and the monolith's entry point is gone."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.support.kind_helpers import cap, expand_all, plural


class PathExistsParams(CheckParams):
    path: str | list[str] = Field(description="Repo-relative paths or globs; {api} etc.")
    min: int = Field(default=1, ge=1, description="Matches needed among `path`.")
    type: Literal["any", "file", "dir"] = "any"
    absent: list[str] = Field(
        default_factory=list,
        description="Paths or globs none of which may exist (files or folders), judged only "
        "together with `path`.",
    )


@register("path_exists")
class PathExists(CheckKind):
    """Pass when `path` (files, folders or globs) has at least `min` matches."""

    Params = PathExistsParams
    params: PathExistsParams

    def _matches(self, ctx: CheckContext, patterns: list[str], kind: str) -> list[str]:
        found: set[str] = set()
        for pattern in expand_all(ctx, patterns):
            for match in ctx.files.glob(pattern.rstrip("/"), dirs=kind != "file"):
                if kind == "dir" and not ctx.files.is_dir(match):
                    continue
                found.add(match)
        return sorted(found)

    def _present(self, ctx: CheckContext) -> list[str]:
        return self._matches(ctx, _as_list(self.params.path), self.params.type)

    def _forbidden(self, ctx: CheckContext) -> list[str]:
        return self._matches(ctx, self.params.absent, "any")

    def inputs(self, ctx: CheckContext) -> list[str]:
        # the names decide the result: folders enter the key by name only
        present = [m if ctx.files.is_file(m) else f"dir:{m}" for m in self._present(ctx)]
        return present + [f"dir:{m}" for m in self._forbidden(ctx)]

    def run(self, ctx: CheckContext) -> Result:
        matches = self._present(ctx)
        wanted = ", ".join(expand_all(ctx, self.params.path))
        evidence = cap([Evidence("exists", file=m) for m in matches])
        if len(matches) < self.params.min:
            return Result.failed(
                f"{wanted}: expected at least {plural(self.params.min, 'match')}, "
                f"found {len(matches)}",
                evidence,
            )
        forbidden = self._forbidden(ctx)
        if forbidden:
            return Result.failed(
                f"{', '.join(forbidden[:5])} still exist(s), expected none of "
                + ", ".join(expand_all(ctx, self.params.absent)),
                cap([Evidence("must not exist", file=m) for m in forbidden]),
            )
        gone = f"; absent: {', '.join(expand_all(ctx, self.params.absent))}" * bool(
            self.params.absent
        )
        return Result.passed(f"{wanted}: {plural(len(matches), 'match')}{gone}", evidence)


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
