"""`propctl scaffold observability`: Prometheus, alerts, Alertmanager, Grafana, Jaeger (Task 14)."""

from __future__ import annotations

from typing import Annotated

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation
from propctl.generators.observability import DEFAULT_RUNBOOK_URL

RunbookUrl = Annotated[
    str,
    typer.Option(
        "--runbook-url",
        help="Where observability/runbooks/ is browsable; alerts link <URL>/<AlertName>.md.",
    ),
]


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "observability",
        epilog=(
            "Example:\n\n  propctl scaffold observability --dry-run\n\n"
            "Then: promtool test rules observability/prometheus/tests/alerts_test.yml; "
            "SLACK_WEBHOOK_URL=... PAGERDUTY_ROUTING_KEY=... ./observability/create-secrets.sh; "
            "kubectl apply -k observability/"
        ),
    )(observability)


def observability(
    ctx: typer.Context,
    repo: Repo = None,
    runbook_url: RunbookUrl = DEFAULT_RUNBOOK_URL,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """Prometheus, alerts, Alertmanager, Grafana, Jaeger and service tracing (Task 14).

    observability/: scrape config for every roadmap service, 13 alerts with runbooks and
    promtool unit tests, Alertmanager (Slack + PagerDuty, keys from the environment), five
    Grafana dashboards, and the in-cluster install (namespace observability). Services that
    exist get app/telemetry.py: OpenTelemetry tracing over OTLP and their business metrics."""
    from propctl.generators.observability import generation_for

    app = get_app(ctx).with_repo(repo)
    generation = generation_for(app.load_roadmap(), app.repo, runbook_base_url=runbook_url)
    run_generation(app, generation, dry_run=dry_run, fmt=fmt, force=force, merge=merge)
