"""`propctl scaffold events`: the event bus on Redis Streams and its wiring (Task 12)."""

from __future__ import annotations

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "events",
        epilog=(
            "Example:\n\n  propctl scaffold services --all && propctl scaffold events --dry-run\n\n"
            "Then, in a service: python -m app.events (the consumer worker); "
            "python -m shared.events.cli dead-letters agent"
        ),
    )(events)


def events(
    ctx: typer.Context,
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """The event bus on Redis Streams, wired into the services (Task 12).

    shared/events/: twelve typed domain events, publish_event() and subscribe_to_events() on
    Redis Streams with consumer groups, at-least-once delivery, a dead-letter stream after N
    failures, replay from an id or a time. Every service that exists gets its publishers, a
    consumer worker (python -m app.events) and the worker's Deployment."""
    from propctl.generators.events import generation_for

    app = get_app(ctx).with_repo(repo)
    run_generation(
        app,
        generation_for(app.load_roadmap(), app.repo),
        dry_run=dry_run,
        fmt=fmt,
        force=force,
        merge=merge,
    )
