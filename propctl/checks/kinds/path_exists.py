"""`path_exists`: a file, folder or glob exists, with at least `min` matches."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from propctl.checks.base import CheckContext, CheckKind, CheckParams, Evidence, Result, register
from propctl.checks.helpers import cap, expand_all, plural


class PathExistsParams(CheckParams):
    path: str | list[str] = Field(description="Repo-relative paths or globs; {api} etc.")
    min: int = Field(default=1, ge=1)
    type: Literal["any", "file", "dir"] = "any"


@register("path_exists")
class PathExists(CheckKind):
    """Pass when `path` (files, folders or globs) has at least `min` matches."""

    Params = PathExistsParams
    params: PathExistsParams

    def _matches(self, ctx: CheckContext) -> list[str]:
        found: set[str] = set()
        for pattern in expand_all(ctx, self.params.path):
            for match in ctx.files.glob(pattern.rstrip("/"), dirs=self.params.type != "file"):
                if self.params.type == "dir" and not ctx.files.is_dir(match):
                    continue
                found.add(match)
        return sorted(found)

    def inputs(self, ctx: CheckContext) -> list[str]:
        # the names decide the result: folders enter the key by name only
        return [m if ctx.files.is_file(m) else f"dir:{m}" for m in self._matches(ctx)]

    def run(self, ctx: CheckContext) -> Result:
        matches = self._matches(ctx)
        wanted = ", ".join(expand_all(ctx, self.params.path))
        evidence = cap([Evidence("exists", file=m) for m in matches])
        if len(matches) >= self.params.min:
            return Result.passed(f"{wanted}: {plural(len(matches), 'match')}", evidence)
        return Result.failed(
            f"{wanted}: expected at least {plural(self.params.min, 'match')}, found {len(matches)}",
            evidence,
        )
