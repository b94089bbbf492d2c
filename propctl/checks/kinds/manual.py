"""`manual`: a person's attestation in `.propctl/attestations.yaml` (`propctl attest`).

No attestation -> `manual` (not counted); a valid one -> `pass` ("attested by NAME"); an
expired one -> `fail`."""

from __future__ import annotations

from propctl import clock
from propctl.checks.engine.base import (
    CheckContext,
    CheckKind,
    CheckParams,
    Evidence,
    Result,
    register,
)
from propctl.checks.status import Status


class ManualParams(CheckParams):
    pass


@register("manual")
class Manual(CheckKind):
    """Needs a person: satisfied by an attestation that has not expired."""

    Params = ManualParams
    state_only = True

    def run(self, ctx: CheckContext) -> Result:
        attestations = ctx.services.get("attestations") or {}
        found = attestations.get(ctx.item_id)
        hint = f"attest it: propctl attest {ctx.item_id} --by NAME --evidence URL"
        if found is None:
            return Result(Status.MANUAL, f"needs a person's attestation ({hint})")
        today = ctx.services.get("today") or clock.today()
        evidence = [
            Evidence(
                f"attested by {found.by} on {found.date}: {found.evidence}"
                + (f" (expires {found.expires})" if found.expires else "")
            )
        ]
        if found.expired(today):
            return Result.failed(
                f"the attestation by {found.by} expired on {found.expires} ({hint} --expires DATE)",
                evidence,
            )
        return Result.passed(f"attested by {found.by} on {found.date}", evidence)
