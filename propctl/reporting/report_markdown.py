"""The Markdown report: fits a pull-request comment or a GitHub job summary
(`propctl report --format markdown >> $GITHUB_STEP_SUMMARY`)."""

from __future__ import annotations

from propctl.reporting import report_format as f
from propctl.reporting.report_actions import applied_note
from propctl.reporting.report_model import COUNTED, Report, TaskRow, TierRow

TOP_ACTIONS = 5
MAX_FLIPS = 30


def render(report: Report) -> str:
    parts = [
        _headline(report),
        _errors(report),
        _plan(report),
        _dimensions(report),
        _tiers(report),
        _forecast(report),
        _actions(report),
        _changes(report),
        _attribution(report),
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _headline(r: Report) -> str:
    h = r.headline
    title = f"## {_esc(r.roadmap)}: progress report"
    if r.hint:
        return (
            f"{title}\n\n**Score {f.score(h.overall)} / 10** (baseline; no runs yet) · final "
            f"target {f.score(h.final_modelled)} modelled, {f.score(h.final_declared)} "
            f"declared\n\n> {r.hint}"
        )
    trend = (
        [f"{f.signed(h.since_previous)} since the previous run"]
        if h.since_previous is not None
        else []
    )
    if h.per_week is not None:
        trend.append(f"{f.signed(h.per_week, 3)} per week")
    as_of = h.as_of.date() if h.as_of else None
    return (
        f"{title}\n\n**Score {f.score(h.overall)} / 10** (baseline {f.score(h.baseline)}"
        f"{'; ' + ', '.join(trend) if trend else ''}) · plan for {f.day(as_of)}: "
        f"{f.score(h.plan_now)} ({f.ahead(h.vs_plan)}) · final target "
        f"{f.score(h.final_modelled)} modelled, {f.score(h.final_declared)} declared\n\n"
        f"As of {f.moment(h.as_of)}, commit `{f.commit(h.commit)}`; {f.runs(r.runs)} recorded."
    )


def _errors(r: Report) -> str:
    if not r.errors:
        return ""
    count = sum(len(g.ids) for g in r.errors)
    lines = [f"### Errors first: {count} could not be judged", ""]
    for g in r.errors:
        lines.append(f"- **{_esc(g.fix)}** — {f.ids(g.ids)}")
        if g.message and not g.known:
            lines.append(f"  - {_esc(g.message)}")
    return "\n".join(lines)


def _attribution(r: Report) -> str:
    a = r.attribution
    if not a.steps:
        return ""
    totals = [
        f"**{t.name}**: {f.criteria(len(t.criteria))} passing now "
        f"({f.signed(t.score_change)} score)"
        for t in a.roles
    ]
    rows = [
        [
            f.moment(s.time),
            s.by,
            _esc(s.label or "–"),
            f.ids(s.turned_green) or "–",
            f.ids(s.turned_red) or "–",
            f.signed(s.score_change),
        ]
        for s in a.steps
    ]
    return (
        "### What the tool did, what engineers did\n\n"
        + " · ".join(totals)
        + "\n\n"
        + _table(["run", "by", "change", "turned green", "turned red", "score"], rows)
    )


def _plan(r: Report) -> str:
    rows = [
        [
            p.label if p.week == 0 else f"{p.label} (end of week {p.week})",
            f.day(p.date),
            f.score(p.modelled),
            f.score(p.declared),
        ]
        for p in r.plan
    ]
    return (
        "### Score against the plan\n\nThe modelled line is what the score model reaches when "
        "each tier is complete; the declared line is the document's own targets.\n\n"
        + _table(["plan point", "date", "modelled", "declared"], rows)
    )


def _dimensions(r: Report) -> str:
    rows = []
    for d in r.dimensions:
        nxt = (
            "–"
            if d.next_tier is None
            else (f"{f.score(d.next_target)} ({d.next_tier}; model {f.score(d.next_modelled)})")
        )
        rows.append(
            [
                _esc(d.name),
                f.score(d.baseline),
                f"**{f.score(d.now)}**",
                nxt,
                f"{f.score(d.final_target)} (model {f.score(d.final_modelled)})",
            ]
        )
    return "### Dimensions\n\n" + _table(
        ["dimension", "baseline", "now", "next target", "final target"], rows
    )


def _cells(t: TierRow | TaskRow) -> list[str]:
    return [
        f"{t.subtasks_done}/{t.subtasks_total}",
        *(str(t.criteria[s]) for s in COUNTED),
        f.hours(t.effort_done),
        f.hours(t.effort_left),
    ]


def _tiers(r: Report) -> str:
    rows = []
    for tier in r.tiers:
        rows.append(
            [
                f"**{tier.id} {_esc(tier.name)}** (weeks {tier.weeks[0]}–{tier.weeks[1]}, "
                f"{tier.tasks_complete}/{len(tier.tasks)} tasks)",
                *_cells(tier),
            ]
        )
        for t in tier.tasks:
            rows.append([f"{t.id} {_esc(t.title)}", *_cells(t)])
    e = r.effort
    total = (
        f"Effort: {f.hours(e.done)} done, {f.hours(e.left)} left, {f.hours(e.waived)} "
        f"waived, of {f.hours(e.total)} ({f.percent(e.done, e.total)} done)."
    )
    header = ["tier / task", "subtasks done", *COUNTED, "effort done", "effort left"]
    return "### Tiers and tasks\n\n" + _table(header, rows) + "\n\n" + total


def _forecast(r: Report) -> str:
    fc = r.forecast
    if fc.status != "ok":
        return (
            "### Forecast\n\nNot enough history: the forecast needs verify runs at least a "
            "day apart. Run `propctl verify` again after the next change."
        )
    head = (
        f"### Forecast\n\nPace: **{f.hours(fc.hours_per_week)} per week** of effort turned "
        f"green (net, {f.moment(fc.window_from)} → {f.moment(fc.window_to)}). "
    )
    if fc.finish is not None:
        head += (
            f"Projected finish **{f.day(fc.finish)}**, against the plan's "
            f"{f.day(fc.planned_finish)}."
        )
    elif all(t.status == "done" for t in fc.tiers):
        head += "Every tier is done."
    else:
        head += "No net progress in the window, so no finish date can be projected."
    rows = [
        [
            t.tier,
            f.day(t.planned_end),
            f.hours(t.hours_left),
            f.day(t.projected_end),
            f.vs_plan(t.days_late),
            t.status,
        ]
        for t in fc.tiers
    ]
    return (
        head
        + "\n\n"
        + _table(["tier", "planned end", "hours left", "projected end", "vs plan", "status"], rows)
    )


def _actions(r: Report) -> str:
    if not r.actions:
        return "### Next best actions\n\nNothing left open: every criterion passes or is waived."
    lines = [
        "### Next best actions",
        "",
        "Open tasks ranked by the score they would still add per effort hour left.",
        "",
    ]
    for a in r.actions[:TOP_ACTIONS]:
        lines.append(
            f"{a.rank}. **Task {a.task}: {_esc(a.title)}** ({a.tier}, {a.priority}): "
            f"{f.signed(a.gain)} score for {f.hours(a.hours_left)} left "
            f"({f.rate(a.gain_per_hour)} per hour)"
        )
        for c in a.open_criteria:
            lines.append(f"   - {c.id} {_esc(c.text)}: *{c.status}*")
        lines += [f"   - generator: `{cmd}`" for cmd in a.commands]
        if a.applied and not a.commands:
            lines.append(f"   - {applied_note(a.applied)}")
    return "\n".join(lines)


def _changes(r: Report) -> str:
    ch = r.changes
    if ch.previous is None or ch.current is None:
        return ""
    head = (
        f"### Changes since the previous run\n\n{f.moment(ch.previous.time)} "
        f"(`{f.commit(ch.previous.commit)}`) → {f.moment(ch.current.time)} "
        f"(`{f.commit(ch.current.commit)}`)"
    )
    if not ch.flips:
        return head + ": nothing flipped."
    rows = [
        [fl.id, fl.kind, _esc(fl.text), fl.before, f"**{fl.after}**", fl.by or "–"]
        for fl in ch.flips[:MAX_FLIPS]
    ]
    more = f"\n\n… and {len(ch.flips) - MAX_FLIPS} more" if len(ch.flips) > MAX_FLIPS else ""
    return (
        head
        + f": {len(ch.flips)} flipped.\n\n"
        + _table(["id", "kind", "text", "before", "after", "by"], rows)
        + more
    )
