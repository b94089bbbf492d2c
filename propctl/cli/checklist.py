"""`propctl checklist validate|schema|import|render`: the roadmap file itself."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from propctl.cli.app import App, get_app
from propctl.cli.options import DryRunOption, FormatOption, OutputOption, RepoOption, TableJson
from propctl.errors import UserError

if TYPE_CHECKING:
    from propctl.roadmap.models import Roadmap

RoadmapFileOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional at runtime
    typer.Option(
        "--roadmap",
        help="Roadmap file (default: the global --roadmap, else "
        "<repo>/checklists/roadmap.yaml, else the bundled one).",
        dir_okay=False,
    ),
]

group = typer.Typer(
    name="checklist",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="The roadmap file: validate it, print its schema, import it from Markdown, render it.",
)


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="checklist")


@group.command(epilog="Example: propctl checklist validate --roadmap checklists/roadmap.yaml")
def validate(
    ctx: typer.Context,
    roadmap: RoadmapFileOption = None,
    fmt: FormatOption = TableJson.table,
    output: OutputOption = None,
) -> None:
    """Check the roadmap against the schema and itself: exit 0 valid, 2 invalid.

    Warnings (not errors) where the document contradicts itself: declared targets the score
    model does not reach, declared total effort vs the tasks' sum, a service port that is also
    a CORS origin's port, and checks that cannot all pass on one tree (one requires a path
    absent that others require present; `--format json` lists them as `contradictions`)."""
    from propctl.checks.engine.validate import validated
    from propctl.roadmap.consistency import warnings
    from propctl.roadmap.contradictions import contradictions
    from propctl.roadmap.loader import validate_document
    from propctl.roadmap.locate import find_roadmap
    from propctl.roadmap.yamlsrc import read_yaml

    app = get_app(ctx)
    path, _ = find_roadmap(app.repo, roadmap or app.roadmap_path)
    doc = read_yaml(path)
    loaded = validated(doc, validate_document)  # model and check-parameter problems at once
    found = warnings(loaded, doc.where)
    counts = _counts(loaded)
    if fmt is TableJson.json:
        app.emit_json(
            {
                "valid": True,
                "roadmap": str(path),
                "counts": counts,
                "warnings": found,
                "contradictions": [c.as_json(doc.where) for c in contradictions(loaded)],
            },
            output,
        )
        return
    for message in found:
        app.warn(message)
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    app.emit(f"ok: {path}: {summary}; {len(found)} warning(s)", output)


def _counts(roadmap: Roadmap) -> dict[str, int]:
    criteria = [c for _, c in roadmap.criteria()]
    subtasks = [s for t in roadmap.tasks() for s in t.subtasks]
    return {
        "tiers": len(roadmap.tiers),
        "tasks": len(roadmap.tasks()),
        "subtasks": len(subtasks),
        "criteria": len(criteria),
        "machine-checked criteria": sum(not c.check.is_manual for c in criteria),
        "manual criteria": sum(c.check.is_manual for c in criteria),
        "subtask checks": sum(s.check is not None for s in subtasks),
        "dimensions": len(roadmap.dimensions),
        "services": len(roadmap.services),
    }


@group.command(epilog="Example: propctl checklist schema -o checklists/roadmap.schema.json")
def schema(ctx: typer.Context, output: OutputOption = None) -> None:
    """Print the roadmap's JSON Schema, every check kind's parameters included.

    Generated from the models: the roadmap's, and each check kind's parameters (a union on
    `kind`), so that an editor completes and validates them. The first line of a roadmap
    file, `# yaml-language-server: $schema=roadmap.schema.json`, points yaml-language-server
    (VS Code's YAML extension, ...) at the file this writes."""
    from propctl.api.schema import roadmap_schema_text

    get_app(ctx).emit(roadmap_schema_text(), output)


@group.command(
    "import",
    epilog="Examples:\n\n  propctl checklist import IMPLEMENTATION_CHECKLIST.md "
    "-o checklists/roadmap.yaml\n\n  propctl checklist import PLAN.md --dry-run --lenient"
    "   (what would be imported, and what left out)",
)
def import_(
    ctx: typer.Context,
    source: Annotated[
        Path,
        typer.Argument(
            help="A Markdown checklist in the source document's format.", dir_okay=False
        ),
    ],
    output: OutputOption = None,
    start: Annotated[
        Optional[str],
        typer.Option(  # noqa: UP045
            "--start",
            help="Monday of week 1, YYYY-MM-DD (default: the Monday after the "
            "document's 'Last Updated' date).",
        ),
    ] = None,
    dry_run: DryRunOption = False,
    lenient: Annotated[
        bool,
        typer.Option(
            "--lenient",
            help="Import what the layout has a place for; each heading, line or item left "
            "out is a warning (without it: an error, exit 2).",
        ),
    ] = False,
) -> None:
    """Read a Markdown checklist (any number of tiers and tasks) into roadmap YAML.

    Every criterion gets `check: {kind: manual}` unless the Markdown carries a
    `<!-- propctl: {...} -->` comment (as `checklist render` writes them). A heading, line or
    item the layout has no place for is an error naming its line: nothing is dropped quietly."""
    from propctl.checks.engine.validate import validated
    from propctl.roadmap.consistency import warnings
    from propctl.roadmap.loader import validate_document
    from propctl.roadmap.markdown import import_markdown
    from propctl.roadmap.yamlout import dump_roadmap
    from propctl.roadmap.yamlsrc import LocatedDoc

    app = get_app(ctx)
    result = import_markdown(_read_text(source), str(source), _start(start), lenient=lenient)
    # checks in the Markdown's comments are validated like a YAML file's, located at their line
    located = LocatedDoc(result.data, result.marks, str(source))
    roadmap = validated(located, validate_document)
    for message in [*result.warnings, *warnings(roadmap, located.where)]:
        app.warn(message)
    counts = _counts(roadmap)
    app.info(
        f"imported {source}: {counts['tiers']} tiers, {counts['tasks']} tasks, "
        f"{counts['subtasks']} subtasks, {counts['criteria']} criteria, "
        f"{counts['dimensions']} dimensions"
    )
    if dry_run:
        app.info("dry run: nothing written")
        return
    app.emit(dump_roadmap(result.data), output)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: not UTF-8 text (byte {exc.start})", hint="save the checklist as UTF-8"
        ) from None


def _start(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--start {value!r}: not a date (YYYY-MM-DD)") from None


@group.command(epilog="Example: propctl checklist render --repo . -o CHECKLIST.md")
def render(
    ctx: typer.Context,
    repo: RepoOption = None,
    output: OutputOption = None,
) -> None:
    """The roadmap as Markdown in the source document's layout, `\\[x]` on what the latest
    `propctl verify` found passing. Checks and impacts ride in `<!-- propctl: ... -->`
    comments, so `checklist import` of the result gives the same roadmap back."""
    from propctl.roadmap.markdown import render_markdown
    from propctl.state import RepoState

    app: App = get_app(ctx).with_repo(repo)
    record = RepoState(app.repo).latest()
    if record is None:
        app.info("no verify results yet: every box is empty (run `propctl verify` first)")
    statuses = dict(record.get("statuses") or {}) if record else None
    app.emit(render_markdown(app.load_roadmap(), statuses), output)
