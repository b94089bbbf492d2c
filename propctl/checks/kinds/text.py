"""`text`: a regular expression must (or must not) match in the files a glob selects."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.support.kind_helpers import (
    MISSING_FIELD,
    Missing,
    cap,
    line_of,
    nothing_to_judge,
    plural,
)


class TextParams(CheckParams):
    files: str | list[str] = Field(description="Globs or folders, repo-relative; {api} etc.")
    pattern: str = Field(
        description="Python regular expression, searched in each file (MULTILINE: ^ and $ "
        "anchor lines); anchor it to match a whole line."
    )
    must_match: bool = Field(
        default=True,
        description="False: the pattern must appear nowhere; still fails when no file to "
        "read matches `files` (absence proves nothing).",
    )
    every_file: bool = Field(default=False, description="Each selected file must match.")
    min_matches: int = Field(default=1, ge=1, description="Matches needed in all (must_match).")
    ignore_case: bool = False
    exclude: list[str] = Field(default_factory=list, description="Globs to leave out.")
    missing: Missing = MISSING_FIELD

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


@register("text")
class Text(CheckKind):
    """Regex over selected files: `must_match` (default) or must not match anywhere."""

    Params = TextParams
    params: TextParams

    def selected(self, ctx: CheckContext) -> list[str]:
        files = ctx.files.select([ctx.expand(f) for f in _as_list(self.params.files)])
        if self.params.exclude:
            dropped = set(ctx.files.select([ctx.expand(x) for x in self.params.exclude]))
            files = [f for f in files if f not in dropped]
        return files

    def inputs(self, ctx: CheckContext) -> list[str]:
        return self.selected(ctx)

    def run(self, ctx: CheckContext) -> Result:
        p = self.params
        files = self.selected(ctx)
        where = ", ".join(ctx.expand(f) for f in _as_list(p.files))
        if not files:
            if p.must_match and p.missing == "fail":
                return Result.failed(f"no files match {where}")
            return nothing_to_judge(p.missing, f"no files match {where}")
        regex = re.compile(p.pattern, re.MULTILINE | (re.IGNORECASE if p.ignore_case else 0))
        hits: list[Evidence] = []
        missing: list[str] = []
        read = 0
        for name in files:
            text = ctx.files.read_text(name)
            read += text is not None
            found = list(regex.finditer(text)) if text is not None else []
            if not found:
                missing.append(name)
            hits += [
                Evidence(_snippet(text or "", m), name, line_of(text or "", m.start()))
                for m in found
            ]
        shown = p.pattern if len(p.pattern) <= 60 else p.pattern[:57] + "..."
        unread = [(name, why) for name in missing if (why := ctx.files.unread(name))]
        if unread and not (p.must_match and not p.every_file and len(hits) >= p.min_matches):
            # what they hold could change the verdict: say so rather than guess
            return Result.errored(
                f"cannot read {plural(len(unread), 'file')} to look for /{shown}/: "
                + ", ".join(f"{name} ({why})" for name, why in unread[:5]),
                [Evidence(why, name) for name, why in unread[:20]],
            )
        if not p.must_match:
            if not read:
                # binary files only: the pattern's absence from them proves nothing
                return nothing_to_judge(p.missing, f"no text file among {where}")
            if hits:
                hit_files = sorted({e.file or "" for e in hits})
                return Result.failed(
                    f"/{shown}/ found {plural(len(hits), 'time')} in {', '.join(hit_files[:5])}",
                    cap(hits),
                )
            return Result.passed(f"/{shown}/ absent from {plural(len(files), 'file')}")
        if p.every_file and missing:
            return Result.failed(
                f"/{shown}/ missing from {plural(len(missing), 'file')} of {len(files)}",
                cap([Evidence("no match", f) for f in missing]),
            )
        if len(hits) < p.min_matches:
            return Result.failed(
                f"/{shown}/: {plural(len(hits), 'match')} in {where}, need {p.min_matches}",
                cap(hits),
            )
        return Result.passed(f"/{shown}/: {plural(len(hits), 'match')}", cap(hits))


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _snippet(text: str, match: re.Match[str]) -> str:
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    line = text[start : end if end != -1 else len(text)].strip()
    return line[:160]
