"""`propctl attest`: a person vouches for a criterion no machine can check; the attestation
lives in `<repo>/.propctl/attestations.yaml` (commit it) and `verify` counts it until it
expires."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from propctl import clock
from propctl.cli.app import get_app
from propctl.cli.options import DryRunOption, RepoOption

EPILOG = (
    "Examples:\n\n"
    "  propctl attest 2.a4 --by 'Asha Rao' --evidence https://tracker.example/SEC-42\n\n"
    "  propctl attest 13.a3 --by sre-oncall --evidence https://grafana.example/d/load "
    "--expires 2026-06-30"
)


def register(root: typer.Typer) -> None:
    root.command("attest", epilog=EPILOG)(attest)


def attest(
    ctx: typer.Context,
    criterion: Annotated[str, typer.Argument(help="The criterion's id, e.g. 2.a4.")],
    by: Annotated[str, typer.Option("--by", help="Who attests (a name or handle).")],
    evidence: Annotated[str, typer.Option("--evidence", help="A link to the evidence.")],
    expires: Annotated[
        Optional[str],
        typer.Option(  # noqa: UP045
            "--expires", help="YYYY-MM-DD after which the attestation no longer counts."
        ),
    ] = None,
    repo: RepoOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Record a person's attestation that a criterion holds (for `manual` criteria)."""
    import yaml

    from propctl.checks.gate.verdict import Attestation, load_attestations
    from propctl.errors import UserError
    from propctl.state import ATTESTATIONS, RepoState, parse_date

    app = get_app(ctx).with_repo(repo)
    roadmap = app.load_roadmap()
    known = {c.id: c for _, c in roadmap.criteria()}
    if criterion not in known:
        raise UserError(
            f"{criterion}: no such criterion in {roadmap.name}",
            hint="`propctl status --format json` lists them; ids look like 2.a4",
        )
    if not by.strip() or not evidence.strip():
        raise UserError("--by and --evidence must not be empty")
    today = clock.today()
    until = parse_date(expires, "--expires") if expires else None
    if until is not None and until < today:
        raise UserError(f"--expires {until}: already in the past")
    if not known[criterion].check.is_manual:
        app.warn(
            f"{criterion} has a machine check ({known[criterion].check.kind}); the "
            "attestation makes it must-hold, it does not replace the check"
        )
    state = RepoState(app.repo)
    state.check_layout()
    entries = load_attestations(state)
    entries[criterion] = Attestation(criterion, by.strip(), evidence.strip(), today, until)
    body = [e.as_yaml() for e in sorted(entries.values(), key=lambda e: e.criterion)]
    text = "# Attestations for criteria no machine can check (propctl attest)\n" + yaml.safe_dump(
        body, sort_keys=False, allow_unicode=True
    )
    path = state.path(ATTESTATIONS)
    if dry_run:
        app.emit(text)
        app.info(f"dry run: {path} not written")
        return
    with state.lock():
        state.write(ATTESTATIONS, text)
    app.info(f"{criterion} attested by {by}" + (f" until {until}" if until else "") + f" in {path}")
