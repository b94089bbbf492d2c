"""`secrets`: detect-secrets over the selected paths finds nothing that is not allowlisted.

Allowlisting, both detect-secrets' own: a `# pragma: allowlist secret` comment on the line, or
an entry (same hashed secret) in the allowlist file, a detect-secrets baseline
(`detect-secrets scan > .secrets.baseline`)."""

from __future__ import annotations

import json
import threading

from pydantic import Field

from propctl.checks.base import CheckContext, CheckKind, CheckParams, Evidence, Result, register
from propctl.checks.helpers import cap, expand_all, plural

_LOCK = threading.Lock()  # detect-secrets keeps its settings in a global


class SecretsParams(CheckParams):
    paths: list[str] = Field(description="Folders, files or globs to scan; {api} etc.")
    allowlist: str = Field(
        default=".secrets.baseline",
        description="A detect-secrets baseline; its secrets are allowed.",
    )
    exclude: list[str] = Field(
        default_factory=lambda: ["**/*.lock", "**/package-lock.json", ".propctl/**"]
    )


@register("secrets")
class Secrets(CheckKind):
    """detect-secrets finds no credential outside the allowlist."""

    Params = SecretsParams
    params: SecretsParams

    def selected(self, ctx: CheckContext) -> list[str]:
        files = ctx.files.select(expand_all(ctx, self.params.paths))
        dropped = set(ctx.files.select(expand_all(ctx, self.params.exclude)))
        return [f for f in files if f not in dropped]

    def inputs(self, ctx: CheckContext) -> list[str]:
        allow = ctx.expand(self.params.allowlist)
        return self.selected(ctx) + ([allow] if ctx.files.is_file(allow) else [])

    def run(self, ctx: CheckContext) -> Result:
        files = self.selected(ctx)
        if not files:
            return Result.failed("nothing to scan at " + ", ".join(self.params.paths))
        try:
            allowed = _allowlist(ctx, ctx.expand(self.params.allowlist))
        except ValueError as exc:
            return Result.errored(str(exc))
        found = [e for e in scan(ctx, files) if e.detail.split(" ")[-1] not in allowed]
        for item in found:
            item.detail = item.detail.rsplit(" ", 1)[0]  # drop the hash from what is shown
        if found:
            return Result.failed(
                f"{plural(len(found), 'possible secret')} in "
                f"{plural(len({e.file for e in found}), 'file')}",
                cap(found),
            )
        return Result.passed(f"no secrets in {plural(len(files), 'file')}")


def scan(ctx: CheckContext, files: list[str]) -> list[Evidence]:
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    out: list[Evidence] = []
    with _LOCK, default_settings():
        collection = SecretsCollection(root=str(ctx.repo.resolve()))
        for name in files:
            if ctx.files.read_text(name) is not None:
                collection.scan_file(name)
        for filename, secret in collection:
            out.append(
                Evidence(f"{secret.type} {secret.secret_hash}", filename, secret.line_number)
            )
    return sorted(out, key=lambda e: (e.file or "", e.line or 0))


def _allowlist(ctx: CheckContext, name: str) -> set[str]:
    if not ctx.files.is_file(name):
        return set()
    try:
        data = json.loads(ctx.files.read_text(name) or "")
        return {s["hashed_secret"] for entries in data["results"].values() for s in entries}
    except (ValueError, KeyError, TypeError):
        raise ValueError(
            f"{name}: not a detect-secrets baseline (results -> hashed_secret)"
        ) from None
