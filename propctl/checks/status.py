"""A check's outcome, the one list of them: the engine's results, the gate's rules, a replayed
run and the report all use it. The standard library only, so a replayed run
(`propctl.checks.gate.replay`) and the report read it without importing the check kinds."""

from __future__ import annotations

import enum


class Status(str, enum.Enum):  # noqa: UP042 - StrEnum would change str(): f-strings, logs
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # could not run: missing tool, timeout, crash. Never counts as pass.
    SKIP = "skip"  # not applicable, with the reason
    MANUAL = "manual"  # needs a person's attestation
    WAIVED = "waived"


STATUSES = tuple(s.value for s in Status)  # ("pass", "fail", ...): statuses as plain strings
