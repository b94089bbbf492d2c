"""The terminal report (Rich): the same figures as the other formats, in tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape as _e

from propctl.reporting import report_format as f
from propctl.reporting.report_actions import applied_note
from propctl.reporting.report_model import COUNTED, Report, TaskRow, TierRow

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

TOP_ACTIONS = 5
MAX_FLIPS = 30
_STYLE = {
    "pass": "green",
    "fail": "red",
    "error": "magenta",
    "manual": "yellow",
    "waived": "dim",
    "skip": "dim",
    "not run": "dim",
}


def render(report: Report, console: Console) -> None:
    _headline(report, console)
    _errors(report, console)
    for table in (_plan(report), _dimensions(report), _tiers(report), _forecast(report)):
        console.print(table)
    _forecast_note(report, console)
    _actions(report, console)
    _changes(report, console)
    _attribution(report, console)


def _table(title: str, *columns: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", title_style="bold", expand=False)
    for i, col in enumerate(columns):
        if i == 0:
            table.add_column(col, ratio=1)
        else:
            table.add_column(col, justify="right", no_wrap=True)
    return table


def _headline(r: Report, console: Console) -> None:
    h = r.headline
    console.print(f"[bold]{_e(r.roadmap)}[/bold]: progress report")
    if r.hint:
        console.print(f"Score [bold]{f.score(h.overall)}[/bold] / 10 (baseline; no runs yet)")
        console.print(f"[yellow]{r.hint}[/yellow]")
        return
    trend = (
        f"{f.signed(h.since_previous)} since the previous run"
        if h.since_previous is not None
        else "first run"
    )
    console.print(
        f"Score [bold]{f.score(h.overall)}[/bold] / 10 · {trend} · per week "
        f"{f.signed(h.per_week, 3)} · plan for {f.day(h.as_of.date() if h.as_of else None)}: "
        f"{f.score(h.plan_now)} ({f.ahead(h.vs_plan)})"
    )
    console.print(f"As of {f.moment(h.as_of)}, commit {f.commit(h.commit)}; {f.runs(r.runs)}.")


def _plan(r: Report) -> Table:
    table = _table("Score against the plan", "plan point", "date", "modelled", "declared")
    for p in r.plan:
        table.add_row(
            p.label if p.week == 0 else f"{p.label} (end of week {p.week})",
            f.day(p.date),
            f.score(p.modelled),
            f.score(p.declared),
        )
    return table


def _dimensions(r: Report) -> Table:
    table = _table("Dimensions", "dimension", "baseline", "now", "next target", "final target")
    for d in r.dimensions:
        nxt = "–" if d.next_tier is None else f"{f.score(d.next_target)} ({d.next_tier})"
        table.add_row(
            _e(d.name),
            f.score(d.baseline),
            f"[bold]{f.score(d.now)}[/bold]",
            nxt,
            f.score(d.final_target),
        )
    return table


def _tiers(r: Report) -> Table:
    table = _table(
        "Tiers and tasks (criteria by status; effort hours)",
        "tier / task",
        "sub",
        "pass",
        "fail",
        "err",
        "skip",
        "man",
        "waiv",
        "n/r",
        "done",
        "left",
    )
    for tier in r.tiers:
        table.add_row(
            f"[bold]{tier.id} {_e(tier.name)}[/bold] ({tier.tasks_complete}/"
            f"{len(tier.tasks)} tasks)",
            *_cells(tier),
        )
        for t in tier.tasks:
            table.add_row(f"  {t.id} {_e(t.title)}", *_cells(t))
    return table


def _cells(t: TierRow | TaskRow) -> list[str]:
    return [
        f"{t.subtasks_done}/{t.subtasks_total}",
        *(str(t.criteria[s]) for s in COUNTED),
        f.hours(t.effort_done),
        f.hours(t.effort_left),
    ]


def _forecast(r: Report) -> Table:
    table = _table(
        "Forecast", "tier", "planned end", "hours left", "projected end", "vs plan", "status"
    )
    for t in r.forecast.tiers:
        table.add_row(
            t.tier,
            f.day(t.planned_end),
            f.hours(t.hours_left),
            f.day(t.projected_end),
            f.vs_plan(t.days_late),
            t.status,
        )
    return table


def _forecast_note(r: Report, console: Console) -> None:
    fc, e = r.forecast, r.effort
    if fc.status == "ok":
        console.print(
            f"Pace {f.hours(fc.hours_per_week)} per week (net, {f.moment(fc.window_from)}"
            f" → {f.moment(fc.window_to)}); projected finish {f.day(fc.finish)} against "
            f"the plan's {f.day(fc.planned_finish)}."
        )
    else:
        console.print("Forecast: not enough history (needs verify runs at least a day apart).")
    console.print(
        f"Effort: {f.hours(e.done)} done, {f.hours(e.left)} left, {f.hours(e.waived)} "
        f"waived, of {f.hours(e.total)}.\n"
    )


def _actions(r: Report, console: Console) -> None:
    console.print("[bold]Next best actions[/bold] (score gain per effort hour left)")
    if not r.actions:
        console.print("  nothing left open")
    for a in r.actions[:TOP_ACTIONS]:
        console.print(
            f" {a.rank}. Task {a.task}: {_e(a.title)} ({a.tier}, {a.priority}) "
            f"{f.signed(a.gain)} for {f.hours(a.hours_left)} ({f.rate(a.gain_per_hour)}"
            "/h)"
        )
        for c in a.open_criteria:
            style = _STYLE.get(c.status, "red")
            console.print(f"      {c.id} {_e(c.text)}: [{style}]{c.status}[/]")
        for cmd in a.commands:
            console.print(f"      generator: {_e(cmd)}")
        if a.applied and not a.commands:
            console.print(f"      {_e(applied_note(a.applied))}")


def _changes(r: Report, console: Console) -> None:
    ch = r.changes
    if ch.previous is None or ch.current is None:
        return
    console.print(
        f"\n[bold]Changes since the previous run[/bold] {f.commit(ch.previous.commit)} "
        f"({f.moment(ch.previous.time)}) → {f.commit(ch.current.commit)} "
        f"({f.moment(ch.current.time)}): {len(ch.flips)} flipped"
    )
    for fl in ch.flips[:MAX_FLIPS]:
        console.print(
            f"  {fl.id} {_e(fl.text)}: {fl.before} → [{_STYLE.get(fl.after, 'red')}]{fl.after}[/]"
            + (f" (by {fl.by})" if fl.by else "")
        )


def _errors(r: Report, console: Console) -> None:
    if not r.errors:
        return
    count = sum(len(g.ids) for g in r.errors)
    console.print(f"\n[bold magenta]Errors first: {count} could not be judged[/]")
    for g in r.errors:
        console.print(f"  [bold]{_e(g.fix)}[/] — {_e(f.ids(g.ids))}")
        if g.message and not g.known:
            console.print(f"      {_e(g.message)}", style="dim")
    console.print()


def _attribution(r: Report, console: Console) -> None:
    a = r.attribution
    if not a.steps:
        return
    console.print("\n[bold]What the tool did, what engineers did[/bold]")
    console.print(
        "  "
        + " · ".join(
            f"{t.name}: {f.criteria(len(t.criteria))} ({f.signed(t.score_change)})" for t in a.roles
        )
    )
    from rich.table import Table

    table = Table(expand=False)
    for col in ("run", "by", "change", "turned green", "turned red"):
        table.add_column(col, no_wrap=col in ("run", "by"))
    table.add_column("score", justify="right", no_wrap=True)
    for s in a.steps:
        table.add_row(
            f.moment(s.time),
            s.by,
            _e(s.label or "–"),
            _e(f.ids(s.turned_green) or "–"),
            _e(f.ids(s.turned_red) or "–"),
            f.signed(s.score_change),
        )
    console.print(table)
