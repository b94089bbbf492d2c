"""The one reviewed table of GitHub Actions that generated workflows may use, each pinned to a full
commit SHA. Every SHA here was read from public workflow files (through the search index of
public GitHub repositories) and cross-checked in at least two independent repositories that
carry the same SHA with the same version comment; none is typed from memory. To add or bump an
action: find the SHA in the action's release (or two independent public workflows), record where
it was found, and run `pytest tests/generators/test_workflow_pins.py`.

Templates refer to an action by key: `[[ pin("actions/checkout") ]]` renders
`actions/checkout@<sha> # v6.0.1`. Anything not in the table is a template error, so a workflow
cannot grow an unreviewed `uses:`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class ActionPin:
    action: str  # owner/repo[/path]
    version: str  # the release tag the SHA belongs to
    sha: str  # the full 40-hex commit
    source: str  # where the SHA was found (public files, cross-checked)

    @property
    def uses(self) -> str:
        return f"{self.action}@{self.sha}"

    def render(self) -> str:
        return f"{self.uses} # {self.version}"


PINS: dict[str, ActionPin] = {
    pin.action: pin
    for pin in (
        ActionPin(
            "actions/checkout",
            "v6.0.1",
            "8e8c483db84b4bee98b60c0593521ed34d9990e8",
            "zizmorcore/zizmor .github/workflows/ci.yml (commit 04b16b69), `# v6.0.1`; the same "
            "SHA with `# v6.0.1` in several other public workflows and pinning guides "
            "(search index file ids 49355831382, 3650593903, 53849705667)",
        ),
        ActionPin(
            "actions/setup-python",
            "v6.0.0",
            "e797f83bcb11b83ae66e0230d6156d7c80228e7c",
            "public workflows pinning it with `# v6.0.0` (search index file ids 61992255507, "
            "65958672602, 28194011871) and a CI contract test asserting "
            "`actions/setup-python@e797f83... # v6.0.0` (file id 60248863485)",
        ),
        ActionPin(
            "actions/upload-artifact",
            "v7.0.1",
            "043fb46d1a93c77aae656e7c1c64a875d1fc6a0a",
            "zizmorcore/zizmor .github/workflows/release-pypi.yml and scorecard.yml, "
            "`# v7.0.1`; the same SHA with `# v7` in independent workflows (search index file "
            "ids 71489880052, 59360186302, 57367021777)",
        ),
        ActionPin(
            "github/codeql-action/upload-sarif",
            "v4.37.4",
            "f205ea1c3313d32999d8d6a48b4f6530d4437b38",
            "zizmorcore/zizmor .github/workflows/scorecard.yml, `# v4.37.4`; the same SHA with "
            "`# v4.37.4` in independent workflows (search index file ids 60806447655, "
            "57917309728, 60979431498)",
        ),
        ActionPin(
            "aws-actions/configure-aws-credentials",
            "v5.0.0",
            "a03048d87541d1d9fcf2ecf528a4a65ba9bd7838",
            "public workflows pinning it with `# v5.0.0` (search index file ids 32962713458, "
            "69516749769) and an unrelated deployment contract using the same SHA "
            "(file id 68682506473)",
        ),
        ActionPin(
            "docker/setup-buildx-action",
            "v3.11.1",
            "e468171a9de216ec08956ac3ada2f0791b6bd435",
            "public workflows pinning it with `# v3.11.1` (search index file ids 57431141950, "
            "55602452968, 59957592611) and pin tables naming v3.11.1 (68912051938, 66717538106)",
        ),
        ActionPin(
            "docker/build-push-action",
            "v6.18.0",
            "263435318d21b8e681c14492fe198d362a7d2c83",
            "public workflows pinning it with `# v6.18.0` (search index file ids 62045185829, "
            "2387565779, 55368029895) and a pin table naming v6.18.0 (58634401107)",
        ),
        ActionPin(
            "aquasecurity/trivy-action",
            "v0.36.0",
            "ed142fd0673e97e23eac54620cfb913e5ce36c25",
            "public workflows pinning it with `# v0.36.0` (search index file ids 59395341481, "
            "65743039618), pin tables naming v0.36.0 (58699937473, 59563701088); a release after "
            "the March 2026 re-tagging of older trivy-action tags",
        ),
    )
}


def pin(action: str) -> str:
    """`owner/repo@sha # version` for a `uses:` line; KeyError names the table for the fix."""
    try:
        return PINS[action].render()
    except KeyError:
        raise KeyError(
            f"action {action!r} is not in propctl's reviewed pin table "
            "(propctl/generators/action_pins.py); add it there with its source, or use a run: step"
        ) from None


def is_pinned(uses: str) -> bool:
    """True when a `uses:` value is exactly one of the table's pins (`action@sha`)."""
    action, _, ref = uses.partition("@")
    known = PINS.get(action)
    return known is not None and ref == known.sha and bool(_SHA.match(ref))
