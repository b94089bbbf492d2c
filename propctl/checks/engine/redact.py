"""Secrets out of command output before it reaches evidence, JUnit, SARIF or history.

Two passes: values the run knows are secret (environment variables whose names say so), then
patterns (key=value with a secret-sounding key, bearer tokens, AWS keys, private keys,
credentials in URLs, JWTs)."""

from __future__ import annotations

import os
import re

MASK = "[REDACTED]"
_SECRET_NAME = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential"
    r"|auth)",
    re.I,
)
_PATTERNS = [
    # key = value / key: value / "key": "value" with a secret-sounding key. A bare "pass" is
    # not one: it is a check's status in evidence ("pass: .prettierrc").
    re.compile(r"""(?ix)
        (?P<key>["']?[\w.-]*(?:pass(?:word|wd|phrase)|_pass\b|secret|token|api[_-]?key
                               |private[_-]?key|credential|auth)[\w.-]*["']?\s*[:=]\s*)
        (?P<value>"[^"\n]{3,}"|'[^'\n]{3,}'|(?=[^\s,;'"]*[0-9_+/=!@$%^&*-])[^\s,;'"]{4,})"""),
    re.compile(r"(?i)(?P<key>\bbearer\s+)(?P<value>[A-Za-z0-9._~+/=-]{8,})"),
    re.compile(r"(?P<key>)(?P<value>\b(?:AKIA|ASIA)[0-9A-Z]{16}\b)"),
    re.compile(r"(?P<key>)(?P<value>\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+)"),
    re.compile(r"(?P<key>\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)(?P<value>[^@\s/]+)(?=@)", re.I),
    re.compile(
        r"(?P<key>)(?P<value>\b(?:ghp|gho|ghs|ghu|github_pat|xox[abpr]|sk_live|sk_test)"
        r"_?[A-Za-z0-9_]{10,})"
    ),
]
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S
)


def known_secrets(env: dict[str, str] | None = None) -> list[str]:
    """Values of environment variables whose names say they are secret."""
    source = os.environ if env is None else env
    return sorted(
        (v for k, v in source.items() if _SECRET_NAME.search(k) and len(v) >= 4),
        key=len,
        reverse=True,
    )


def redact(text: str, secrets: list[str] | None = None) -> str:
    for value in secrets if secrets is not None else known_secrets():
        text = text.replace(value, MASK)
    text = _PRIVATE_KEY.sub(MASK, text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group("key") + MASK, text)
    return text
