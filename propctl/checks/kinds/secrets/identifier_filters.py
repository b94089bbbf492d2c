"""A detect-secrets filter for strings that look random and are not secrets: identifiers.

detect-secrets calls `is_identifier` for each potential secret (it is named in the settings'
`filters_used`, like its own heuristic filters) and drops it when it returns True:

- Alembic revision ids: `revision = '9c0a54914c78'`, `down_revision = ('a1', 'b2')`, in every
  migration Alembic (and propctl) writes, which the hex-entropy plugin flags;
- certificate thumbprints and checksums named as such (`OIDC_THUMBPRINT = "9e99..."`), and the
  documented shape of a URL, `postgresql://user:pass@host`;
- content digests: `"integrity": "sha512-..."` (package-lock, yarn, pnpm), `hash = "sha256:..."`
  (poetry.lock, uv.lock, pdm.lock), `--hash=sha256:...` (pip), `"sha256": "..."` (Pipfile.lock).

Only the digest or id itself is dropped: a lock file is still scanned, so a private index URL
with a token in it is still found.

`is_k8s_secret_reference`, a second filter (it needs the lines around the finding), drops the
names of Kubernetes Secrets where a manifest refers to one, which the keyword plugin takes for
a secret because the key says "secret":

- `secretName: agent-service-secrets` (a `secret` volume; block or flow style), a DNS-1123 name,
  the only thing Kubernetes accepts there;
- `secretKey: JWT_SECRET` in an External Secrets Operator `data` item, the name of a key in the
  Secret it makes, only where the item's `remoteRef:` follows (a Helm values file's
  `secretKey: minio123` is still found)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_ALEMBIC = re.compile(
    r"""^\s*(?:revision|down_revision|depends_on)\s*(?::[^=]*)?=\s*[(\[]?\s*
    (?:["'][\w.-]+["']\s*,\s*)*["'](?P<id>[\w.-]+)["']""",
    re.VERBOSE,
)
_DIGEST_BEFORE = re.compile(
    r"""(?:\b(?:sha(?:1|224|256|384|512)|md5|blake2b)(?:-|:|=|["']\s*:\s*["']))$""",
    re.IGNORECASE,
)

_FINGERPRINT = re.compile(
    r"""\b\w*(?:thumbprint|fingerprint|checksum|sha(?:1|256|512)sum)\w*["']?\s*[:=]\s*["']"""
    r"""(?P<value>[0-9a-fA-F:]{32,})["']""",
    re.IGNORECASE,
)
# the shape of a URL in documentation, `postgresql://user:pass@host/db`: never a credential
_PLACEHOLDER_DSN = re.compile(r"://(?:user|username):(?:pass|password)@", re.IGNORECASE)
_PLACEHOLDER_PASSWORDS = frozenset({"pass", "password", "PASS", "PASSWORD"})
_PREFIXED = re.compile(
    r"^(?:sha(?:1|224|256|384|512)|md5)[-:][A-Za-z0-9+/=_-]{16,}[\\'\x22]*$", re.IGNORECASE
)


def is_identifier(secret: str, line: str, filename: str) -> bool:
    """True when `secret` is an Alembic revision id, a content digest or a documented
    placeholder on `line`."""
    if filename.endswith(".py") and _is_alembic_id(secret, line):
        return True
    if secret in _PLACEHOLDER_PASSWORDS and _PLACEHOLDER_DSN.search(line):
        return True
    return _is_digest(secret, line) or _is_fingerprint(secret, line)


def _is_fingerprint(secret: str, line: str) -> bool:
    """A certificate thumbprint or checksum, named as one: `OIDC_THUMBPRINT = "9e99..."`."""
    match = _FINGERPRINT.search(line)
    return match is not None and match.group("value") == secret


def _is_alembic_id(secret: str, line: str) -> bool:
    match = _ALEMBIC.match(line)
    if match is None:
        return False
    ids = re.findall(r"""["']([\w.-]+)["']""", line[: match.end()])
    return secret in ids


def _is_digest(secret: str, line: str) -> bool:
    if _PREFIXED.match(secret):
        # the plugin took the algorithm in (`sha512-<base64>`), with the escapes of a line
        # detect-secrets rewrote when it read the file a second way
        return True
    start = 0
    while (index := line.find(secret, start)) != -1:
        if not _DIGEST_BEFORE.search(line[max(0, index - 24) : index]):
            return False  # the same string elsewhere on the line, not as a digest
        start = index + len(secret)
    return start > 0


_YAML_SUFFIXES = (".yaml", ".yml")
# a Secret's name (DNS-1123 subdomain), what a `secret` volume's secretName must be
_SECRET_NAME = re.compile(
    r"""^\s*(?:-\s*)?(?:secret:\s*\{\s*)?secretName:\s*(?P<q>["']?)"""
    r"""(?P<name>[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)(?P=q)"""
    r"""(?P<rest>(?:\s*,\s*(?:defaultMode:\s*0?[0-7]{1,4}|optional:\s*(?:true|false)))*"""
    r"""\s*\}?)\s*(?:#.*)?$"""
)
# a key of a Secret's data (`[-._a-zA-Z0-9]+`), as an ExternalSecret's data item names it
_SECRET_KEY = re.compile(
    r"""^(?P<indent>\s*)(?:-\s*)?secretKey:\s*(?P<q>["']?)(?P<key>[-._a-zA-Z0-9]+)(?P=q)\s*$"""
)
_REMOTE_REF = re.compile(r"^(?P<indent>\s*)remoteRef:")


def is_k8s_secret_reference(secret: str, line: str, filename: str, context: Any) -> bool:
    """True when `secret` is the name of a Kubernetes Secret, or of a key in one, that a
    manifest refers to (`context` is detect-secrets' CodeSnippet: the lines around `line`)."""
    if not filename.endswith(_YAML_SUFFIXES):
        return False
    if (match := _SECRET_NAME.match(line)) is not None:
        # detect-secrets may take the rest of a flow mapping in: `name, defaultMode: 0440}`
        return secret in (match.group("name"), match.group("name") + match.group("rest"))
    match = _SECRET_KEY.match(line)
    if match is None or secret != match.group("key"):
        return False
    # detect-secrets reads YAML as a list of its string values (indentation and mappings gone):
    # the item's shape is in the file itself
    raw = _raw_lines(filename)
    index = int(getattr(context, "start_line", -1)) + int(getattr(context, "target_index", 0))
    if not 0 <= index < len(raw) - 1 or (own := _SECRET_KEY.match(raw[index])) is None:
        return False
    ref = _REMOTE_REF.match(raw[index + 1])
    return ref is not None and len(ref.group("indent")) > len(own.group("indent"))


_READ: ContextVar[Callable[[str], str | None] | None] = ContextVar("secret_scan_read", default=None)


@contextmanager
def scanning_with(read: Callable[[str], str | None]) -> Iterator[None]:
    """How the filters that look at a whole file read one (the check's file index), by the
    repo-relative name detect-secrets scans it under."""
    token = _READ.set(read)
    try:
        yield
    finally:
        _READ.reset(token)


def _raw_lines(filename: str) -> list[str]:
    read = _READ.get()
    text = read(filename) if read is not None else None
    return text.splitlines() if text is not None else []
