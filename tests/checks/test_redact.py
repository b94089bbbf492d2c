"""Redaction hides secrets and leaves check output readable."""

from __future__ import annotations

import pytest

from propctl.checks.engine.redact import MASK, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password: hunter2!", f"password: {MASK}"),
        ("DB_PASS=s3cr3t_x", f"DB_PASS={MASK}"),
        ("passphrase=abc-123", f"passphrase={MASK}"),
        ("Authorization: Bearer abcdefgh12345678", f"Authorization: Bearer {MASK}"),
        ("postgres://app:s3cret@db:5432/x", f"postgres://app:{MASK}@db:5432/x"),
        # not secrets: a check's status and a file name
        ("pass: .prettierrc", "pass: .prettierrc"),
        ("[path_exists] pass: eslint.config.js", "[path_exists] pass: eslint.config.js"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text, []) == expected


def test_known_secret_values_are_masked() -> None:
    assert redact("connected with xyzzy-42", ["xyzzy-42"]) == f"connected with {MASK}"
