"""`secrets`: detect-secrets over the selected paths finds nothing that is not allowlisted.

detect-secrets runs with every plugin, its own default filters (lock files, UUIDs, templated
and indirect values, ...) and propctl's filter for identifiers that only look random
(`propctl.checks.kinds.secrets.identifier_filters`: Alembic revision ids, lock-file and
integrity digests, the names of the Kubernetes Secrets a manifest refers to).

Allowlisting, both detect-secrets' own: a `# pragma: allowlist secret` comment on the line, or
the allowlist file, a detect-secrets baseline (`detect-secrets scan > .secrets.baseline`): its
entries allow the same secret in the same file (not one audited `is_secret: true`), and its
`filters_used` (`--exclude-files`, `--exclude-lines`, ...) apply.

Each file is scanned once per content and filter set (`_MEMO`), so all the secrets checks
of a run share one scan. Across runs, what each file held is kept in the user's sealed cache
(`propctl.checks.engine.usercache`, record `secrets-findings`), keyed by the file's name and content
digest, the filter set, and the propctl and detect-secrets versions: a later verify scans only
what changed. verify hands the store over (`services["findings_store"]`) only when it reads and
writes its caches, so `--no-cache`, a pull request's gate (`--base`) and a repo propctl never
initialised scan every file afresh."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.engine.usercache import RepoCache, SealError
from propctl.checks.kinds.secrets.identifier_filters import scanning_with
from propctl.checks.support.kind_helpers import (
    MISSING_FIELD,
    Missing,
    cap,
    expand_all,
    nothing_to_judge,
    plural,
)

_LOCK = threading.Lock()  # detect-secrets keeps its settings in a global; guards _MEMO too
IDENTIFIER_FILTER = "propctl.checks.kinds.secrets.identifier_filters.is_identifier"
K8S_REFERENCE_FILTER = "propctl.checks.kinds.secrets.identifier_filters.is_k8s_secret_reference"
_EXCLUDE_FILES = "detect_secrets.filters.regex.should_exclude_file"
_MEMO: dict[tuple[str, str, str], list[Finding]] = {}
_MEMO_LIMIT = 50_000
MEMO_RECORD = "secrets-findings"
_LOADED: set[str] = set()  # the stores whose record is in _MEMO already


class SecretsParams(CheckParams):
    paths: list[str] = Field(description="Folders, files or globs to scan; {api} etc.")
    allowlist: str = Field(
        default=".secrets.baseline",
        description="A detect-secrets baseline: its entries allow the same secret in the same "
        "file (unless audited as a real secret), its filters_used apply.",
    )
    exclude: list[str] = Field(
        default_factory=lambda: ["**/*.lock", "**/package-lock.json", ".propctl/**"],
        description="Globs to leave out.",
    )
    missing: Missing = MISSING_FIELD
    timeout: float | None = Field(
        default=None,
        gt=0,
        description="Seconds the scan may take (default: verify's --timeout). detect-secrets "
        "reads about 20 files a second here; a later run scans only changed files.",
    )


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    type: str
    hashed: str


@dataclass(frozen=True)
class Baseline:
    allowed: frozenset[tuple[str, str]]  # (file, hashed secret)
    filters: tuple[dict[str, Any], ...]  # for detect-secrets: lines and secrets
    exclude_files: tuple[str, ...] = ()  # regexes, searched in repo-relative paths

    def split(self, files: list[str]) -> tuple[list[str], list[str]]:
        """(scanned, excluded): detect-secrets' file filter sees absolute paths, so propctl
        applies the baseline's --exclude-files itself, to paths relative to the repo as the
        detect-secrets command line does."""
        regexes = [re.compile(p) for p in self.exclude_files]
        excluded = [f for f in files if any(r.search(f) for r in regexes)]
        return [f for f in files if f not in excluded], excluded


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
            return nothing_to_judge(
                self.params.missing, "no files at " + ", ".join(self.params.paths)
            )
        unread = [
            (f, why)
            for f in files
            if ctx.files.read_text(f) is None and (why := ctx.files.unread(f))
        ]
        if unread:
            # what they hold could be a secret: say so rather than pass
            return Result.errored(
                f"cannot read {plural(len(unread), 'file')} to scan: "
                + ", ".join(f"{name} ({why})" for name, why in unread[:5]),
                [Evidence(why, name) for name, why in unread[:20]],
            )
        if all(ctx.files.read_text(f) is None for f in files):
            return nothing_to_judge(
                self.params.missing, "no text file at " + ", ".join(self.params.paths)
            )
        try:
            baseline = read_baseline(ctx, ctx.expand(self.params.allowlist))
        except ValueError as exc:
            return Result.errored(str(exc))
        kept, excluded = baseline.split(files)
        found = [
            f
            for f in scan(ctx, kept, baseline.filters)
            if (f.file, f.hashed) not in baseline.allowed
        ]
        if found:
            return Result.failed(
                f"{plural(len(found), 'possible secret')} in "
                f"{plural(len({f.file for f in found}), 'file')}",
                cap([Evidence(f.type, f.file, f.line) for f in found]),
            )
        return Result.passed(
            f"no secrets in {plural(len(kept), 'file')}"
            + (f" ({len(excluded)} excluded by the baseline)" if excluded else ""),
            cap(_baseline_evidence(baseline, excluded)),
        )


def _baseline_evidence(baseline: Baseline, excluded: list[str]) -> list[Evidence]:
    """What the baseline left out of a pass: said, so that a reader can judge it."""
    return [
        Evidence(f"the baseline's filter {f['path']} applies: {_shown(f)}")
        for f in baseline.filters
        if f["path"].startswith("detect_secrets.filters.regex.")
    ] + [Evidence("excluded by the baseline (--exclude-files)", f) for f in excluded]


def scan(ctx: CheckContext, files: list[str], filters: tuple[dict[str, Any], ...]) -> list[Finding]:
    """Findings in `files`, each file scanned at most once per content and filter set."""
    key = json.dumps(filters, sort_keys=True, default=str)
    out: list[Finding] = []
    todo: list[str] = []
    store = ctx.services.get("findings_store")
    store = store if isinstance(store, RepoCache) else None
    # one lock for the look-up and the scan: two checks of a run that want the same file at
    # once wait for one scan of it, not two
    with _LOCK:
        if store is not None:
            _load_memo(store)
        for name in files:
            if ctx.files.read_text(name) is None:
                continue  # binary
            memo = _MEMO.get((name, ctx.files.hash(name), key))
            if memo is None:
                todo.append(name)
            else:
                out += memo
        if todo:
            out += _scan_now(ctx, todo, filters, key)
            if store is not None:
                _save_memo(store, ctx)
    return sorted(out, key=lambda f: (f.file, f.line, f.type))


def _versions() -> str:
    from importlib.metadata import version

    from propctl import __version__

    return f"propctl {__version__}, detect-secrets {version('detect-secrets')}"


def _load_memo(store: RepoCache) -> None:
    """The findings of earlier runs, into _MEMO (once per store and process). A record that
    is missing, forged or from other versions is not used: every file is scanned."""
    if str(store.folder) in _LOADED:
        return
    _LOADED.add(str(store.folder))
    try:
        body = store.read(MEMO_RECORD)
    except SealError:
        return
    entries = body.get("files")
    if body.get("versions") != _versions() or not isinstance(entries, list):
        return
    for entry in entries[:_MEMO_LIMIT]:
        try:
            name, digest, key, found = entry
            _MEMO[(str(name), str(digest), str(key))] = [
                Finding(str(name), int(line), str(kind), str(hashed))
                for line, kind, hashed in found
            ]
        except (TypeError, ValueError):
            continue  # sealed by us, yet not this shape: that file is scanned again


def _save_memo(store: RepoCache, ctx: CheckContext) -> None:
    """What every file of the tree, as it is now, holds: entries for content that is gone
    are left out, so the record follows the tree."""
    entries = [
        [name, digest, key, [[f.line, f.type, f.hashed] for f in found]]
        for (name, digest, key), found in _MEMO.items()
        if ctx.files.hash(name) == digest
    ]
    try:
        store.write(MEMO_RECORD, {"versions": _versions(), "files": entries})
    except OSError:
        pass  # a cache we cannot write only costs the next run a full scan


def _scan_now(
    ctx: CheckContext, files: list[str], filters: tuple[dict[str, Any], ...], key: str
) -> list[Finding]:
    """Scans `files` and memoises what each holds; the caller holds _LOCK."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import Settings, transient_settings

    classes: list[Any] = list(get_mapping_from_secret_type_to_class().values())
    plugins = [{"name": c.__name__} for c in classes]
    # naming filters replaces detect-secrets' default heuristics: name those too
    defaults = [{"path": path} for path in Settings().filters]
    config = {
        "plugins_used": plugins,
        "filters_used": [
            *defaults,
            {"path": IDENTIFIER_FILTER},
            {"path": K8S_REFERENCE_FILTER},
            *filters,
        ],
    }
    by_file: dict[str, list[Finding]] = {name: [] for name in files}
    with transient_settings(config), scanning_with(ctx.files.read_text):
        collection = SecretsCollection(root=str(ctx.repo.resolve()))
        for name in files:
            collection.scan_file(name)
        for filename, secret in collection:
            by_file.setdefault(filename, []).append(
                Finding(filename, secret.line_number or 0, secret.type, secret.secret_hash)
            )
        if len(_MEMO) > _MEMO_LIMIT:
            _MEMO.clear()
        for name, found in by_file.items():
            _MEMO[(name, ctx.files.hash(name), key)] = found
    return [f for found in by_file.values() for f in found]


def read_baseline(ctx: CheckContext, name: str) -> Baseline:
    if not ctx.files.is_file(name):
        return Baseline(frozenset(), ())
    try:
        data = json.loads(ctx.files.read_text(name) or "")
        allowed = frozenset(
            (str(file), str(entry["hashed_secret"]))
            for file, entries in data["results"].items()
            for entry in entries
            if entry.get("is_secret") is not True  # audited as a real secret: never allowed
        )
        # only detect-secrets' own filters: a baseline may not load code (file://...)
        filters = tuple(
            f
            for f in data.get("filters_used", [])
            if isinstance(f, dict)
            and str(f.get("path", "")).startswith("detect_secrets.filters.")
            and f["path"] != _EXCLUDE_FILES
        )
        exclude_files = tuple(
            str(pattern)
            for f in data.get("filters_used", [])
            if isinstance(f, dict) and f.get("path") == _EXCLUDE_FILES
            for pattern in _as_list(f.get("pattern"))
        )
        for pattern in exclude_files:
            re.compile(pattern)
    except (ValueError, KeyError, TypeError, AttributeError, re.error):
        raise ValueError(
            f"{name}: not a detect-secrets baseline (results -> file -> [hashed_secret])"
        ) from None
    return Baseline(allowed, filters, exclude_files)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _shown(config: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in config.items() if k != "path"})[:160]
