"""`propctl scaffold frontend`: React Query hooks, API client, Zustand auth store (Task 8)."""

from __future__ import annotations

import typer

from propctl.cli.app import get_app
from propctl.cli.scaffold.run import DryRun, Force, Format, Merge, Repo, TableJson, run_generation


def register(scaffold_app: typer.Typer) -> None:
    scaffold_app.command(
        "frontend",
        epilog=(
            "Example:\n\n  propctl scaffold frontend --dry-run\n\n"
            "The first run over hand-written pages (layout.tsx, consumer/page.tsx, agent/page.tsx) "
            "adopts them: their imports and data-fetching blocks (useEffect + fetch) are patched "
            "to the generated hooks and the rest is kept. A page with no such anchor is exit 1 "
            "with the diff to make by hand; --force replaces it instead (yours kept as .orig).\n\n"
            "Then, in apps/web: npm install && npm run typecheck && npm test"
        ),
    )(frontend)


def frontend(
    ctx: typer.Context,
    repo: Repo = None,
    dry_run: DryRun = False,
    force: Force = False,
    merge: Merge = False,
    fmt: Format = TableJson.table,
) -> None:
    """React Query hooks, API client and Zustand auth store in apps/web (Task 8).

    apps/web's data layer: QueryClient provider with devtools, an API client parsing the
    structured errors, useProjectFeed / useProjectById / useCreateLead (optimistic) /
    useAgentLeads, a persisted Zustand auth store, an error boundary, the consumer and agent
    pages on the hooks, a Vitest test; dependencies added to package.json."""
    from propctl.generators.frontend import generation_for

    app = get_app(ctx).with_repo(repo)
    run_generation(
        app,
        generation_for(app.load_roadmap(), app.repo),
        dry_run=dry_run,
        fmt=fmt,
        force=force,
        merge=merge,
    )
