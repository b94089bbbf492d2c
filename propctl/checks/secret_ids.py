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
with a token in it is still found."""

from __future__ import annotations

import re

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
