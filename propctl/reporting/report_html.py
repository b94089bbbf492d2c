"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no fonts, nothing
from the network), readable without JavaScript, printable, light and dark."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

from propctl.reporting import report_format as f
from propctl.reporting import report_svg as svg
from propctl.reporting.report_actions import applied_note
from propctl.reporting.report_model import COUNTED, Report

TOP_ACTIONS = 5
MAX_FLIPS = 50
STATUS_ORDER = ("pass", "waived", "manual", "skip", "error", "fail", "not run")

CSS = """
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;
--card:#f4f6fa;--accent:#2364d2;--model:#7a4fd0;--declared:#b0730f;--actual:#2364d2;
--forecast:#2364d2;--pass:#1f9d55;--fail:#d64545;--error:#8b1e3f;--manual:#c98a0b;
--waived:#8a94a6;--skip:#b8c0cc;--notrun:#e3e7ee;--track:#e8ecf2}
@media (prefers-color-scheme:dark){:root{--bg:#11151c;--fg:#e6e9ef;--muted:#9aa3b2;
--line:#2b3340;--card:#1a202a;--accent:#6ea0ff;--model:#b497ff;--declared:#f0b454;
--actual:#6ea0ff;--forecast:#6ea0ff;--pass:#3ccf7e;--fail:#ff6b6b;--error:#ff8fb1;
--manual:#f0b454;--waived:#8a94a6;--skip:#5d6778;--notrun:#2b3340;--track:#242c38}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:820px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;
border-bottom:1px solid var(--line);padding-bottom:4px}
.meta,.note{color:var(--muted);font-size:13px}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:10px;margin:16px 0}
.card{background:var(--card);border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:24px}.card span{color:var(--muted);font-size:12px}
.hint{border-left:4px solid var(--manual);background:var(--card);padding:10px 14px;margin:16px 0}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.tier td{font-weight:600;background:var(--card)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.chart{width:100%;height:auto;display:block}
.chart text{font-size:11px;fill:var(--muted)}.chart .label{fill:var(--fg);font-size:12px}
.grid{stroke:var(--line);stroke-width:1}.today{stroke:var(--muted);stroke-dasharray:2 3}
.line{fill:none;stroke-width:2.2}.dot{stroke:none}
.line.plan-model{stroke:var(--model);stroke-dasharray:6 4}.dot.plan-model{fill:var(--model)}
.line.plan-declared{stroke:var(--declared);stroke-dasharray:2 3}
.dot.plan-declared{fill:var(--declared)}
.line.actual{stroke:var(--actual)}.dot.actual{fill:var(--actual)}
.line.forecast{stroke:var(--forecast);stroke-dasharray:4 4;opacity:.7}
.dot.forecast{fill:var(--forecast)}
.track{fill:var(--track)}.bar.now{fill:var(--accent)}.mark.baseline{fill:var(--fg)}
.target.next{fill:var(--declared)}.target.final{fill:var(--model)}
.seg.pass{fill:var(--pass)}.seg.fail{fill:var(--fail)}.seg.error{fill:var(--error)}
.seg.manual{fill:var(--manual)}.seg.waived{fill:var(--waived)}.seg.skip{fill:var(--skip)}
.seg.notrun{fill:var(--notrun)}
.legend{list-style:none;padding:0;margin:4px 0;display:flex;flex-wrap:wrap;gap:14px;
font-size:12px;color:var(--muted)}
.key{display:inline-block;width:18px;height:10px;margin-right:6px;border-radius:2px;
vertical-align:middle}
.key.plan-model{background:var(--model)}.key.plan-declared{background:var(--declared)}
.key.actual,.key.forecast,.key.now{background:var(--actual)}.key.pass{background:var(--pass)}
.key.fail{background:var(--fail)}.key.error{background:var(--error)}
.key.manual{background:var(--manual)}.key.waived{background:var(--waived)}
.key.skip{background:var(--skip)}.key.notrun{background:var(--notrun)}
.key.baseline{background:var(--fg);width:3px}.key.next{background:var(--declared)}
.key.final{background:var(--model)}
.errors{border-left:4px solid var(--error);background:var(--card);padding:8px 14px;
margin:16px 0}.errors h2{margin-top:4px;border:0}.errors li{margin-bottom:6px}
ol.actions li{margin-bottom:10px}ol.actions ul{margin:2px 0;padding-left:18px;font-size:13px}
.st-pass{color:var(--pass)}.st-fail,.st-error{color:var(--fail)}.st-manual{color:var(--manual)}
@media print{:root{--bg:#fff;--fg:#000;--card:#f3f3f3;--line:#ccc;--muted:#444}
main{max-width:none;padding:0}section{break-inside:avoid}h2{break-after:avoid}
.cards{grid-template-columns:repeat(4,1fr)}}
@media (max-width:640px){.cards{grid-template-columns:repeat(2,1fr)}}
"""


def render(report: Report) -> str:
    body = [_header(report), _cards(report)]
    if report.hint:
        body.append(f'<p class="hint"><b>No history yet.</b> {escape(report.hint)}</p>')
    body += [
        _errors_section(report),
        _score_section(report),
        _dimension_section(report),
        _tier_section(report),
        _burn_section(report),
        _actions_section(report),
        _changes_section(report),
        _attribution_section(report),
        f'<footer class="note"><p>Generated by propctl at {f.moment(report.generated_at)} '
        f"from {f.runs(report.runs)}. Figures match <code>propctl report --format json"
        f"</code>.</p></footer>",
    ]
    title = escape(f"{report.roadmap}: progress report")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="color-scheme" content="light dark"><title>{title}</title>'
        f"<style>{CSS}</style></head><body><main>{''.join(body)}</main></body></html>\n"
    )


def _table(
    header: list[str],
    rows: list[list[str]],
    numeric_from: int = 1,
    row_classes: list[str] | None = None,
) -> str:
    def cell(tag: str, i: int, text: str) -> str:
        return f'<{tag} class="n">{text}</{tag}>' if i >= numeric_from else f"<{tag}>{text}</{tag}>"

    head = "".join(cell("th", i, escape(h)) for i, h in enumerate(header))
    lines = []
    for r, row in enumerate(rows):
        css = f' class="{row_classes[r]}"' if row_classes and row_classes[r] else ""
        lines.append(f"<tr{css}>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _header(r: Report) -> str:
    h = r.headline
    meta = (
        f"As of {f.moment(h.as_of)}, commit <code>{escape(f.commit(h.commit))}</code>; "
        f"{f.runs(r.runs)} recorded."
        if h.as_of
        else "No verify runs recorded yet."
    )
    return (
        f'<header><h1>{escape(r.roadmap)}</h1><p class="meta">Progress report · plan '
        f"starts {f.day(r.start)} · {meta}</p></header>"
    )


def _cards(r: Report) -> str:
    h, e, fc = r.headline, r.effort, r.forecast
    trend = (
        f.signed(h.since_previous) + " since the previous run"
        if h.since_previous is not None
        else "no previous run"
    )
    finish = (
        f.day(fc.finish)
        if fc.finish
        else ("not enough history" if fc.status != "ok" else "no projection")
    )
    cards = [
        (f"{f.score(h.overall)}", f"score now of 10 · {trend}"),
        (f"{f.score(h.plan_now)}", f"plan today · {f.ahead(h.vs_plan)}"),
        (f"{f.hours(e.left)}", f"effort left · {f.hours(e.done)} done of {f.hours(e.total)}"),
        (finish, f"projected finish · plan {f.day(fc.planned_finish)}"),
    ]
    return (
        '<section class="cards">'
        + "".join(
            f'<div class="card"><b>{escape(v)}</b><span>{escape(t)}</span></div>' for v, t in cards
        )
        + "</section>"
    )


def _range(r: Report, forecast: bool = False) -> tuple[date, date]:
    start = min([r.start, *(p.time.date() for p in r.series)])
    plan_end = r.plan[-1].date
    end = max([plan_end, *(p.time.date() for p in r.series)])
    if forecast and r.forecast.finish:  # the projection, but never squash the plan to a sliver
        end = max(end, min(r.forecast.finish, plan_end + (plan_end - r.start)))
    return start, end + timedelta(days=3)


def _per_run(
    r: Report,
    start: date,
    end: date,
    points: list[tuple[datetime, float]],
    top: float,
    step: float,
    what: str,
) -> str:
    """A second chart, one point per run, when the runs are too close for the calendar axis."""
    if not svg.runs_are_close([t for t, _ in points], start, end):
        return ""
    title = f"The {what} at each verify run (runs are close together: evenly spaced)"
    return f'<p class="note">{escape(title)}</p>' + svg.run_chart(title, points, top, step)


def _score_section(r: Report) -> str:
    start, end = _range(r)
    series = [
        svg.Series("plan: modelled", [(p.date, p.modelled) for p in r.plan], "plan-model", True),
        svg.Series(
            "plan: declared",
            [(p.date, p.declared) for p in r.plan if p.declared is not None],
            "plan-declared",
            True,
        ),
        svg.Series("score", [(p.time, p.overall) for p in r.series], "actual", True),
    ]
    today = r.headline.as_of.date() if r.headline.as_of else None
    chart = svg.line_chart(
        "Overall score over time against the plan", series, start, end, 10.0, 2.0, "g", today
    )
    keys = svg.legend(
        [
            ("score (verify runs)", "actual"),
            ("plan the model reaches", "plan-model"),
            ("plan the document declares", "plan-declared"),
        ]
    )
    rows = [
        [
            escape(p.label if p.week == 0 else f"{p.label} (end of week {p.week})"),
            f.day(p.date),
            f.score(p.modelled),
            f.score(p.declared),
        ]
        for p in r.plan
    ]
    return (
        "<section><h2>Score over time against the plan</h2>"
        + chart
        + keys
        + _per_run(r, start, end, [(p.time, p.overall) for p in r.series], 10.0, 2.0, "score")
        + '<p class="note">No weighting of the dimensions reaches the declared targets; the '
        "modelled line is what completing each tier gives.</p>"
        + _table(["plan point", "date", "modelled", "declared"], rows, 2)
        + "</section>"
    )


def _dimension_section(r: Report) -> str:
    bars = [
        svg.DimensionBar(d.name, d.baseline, d.now, d.next_target, d.final_target)
        for d in r.dimensions
    ]
    chart = svg.dimension_chart("Each dimension now against its targets", bars)
    keys = svg.legend(
        [
            ("now", "now"),
            ("baseline", "baseline"),
            ("next target", "next"),
            ("final target", "final"),
        ]
    )
    rows = [
        [
            escape(d.name),
            f.score(d.baseline),
            f"<b>{f.score(d.now)}</b>",
            "–" if d.next_tier is None else f"{f.score(d.next_target)} ({escape(d.next_tier)})",
            f.score(d.final_target),
        ]
        for d in r.dimensions
    ]
    return (
        "<section><h2>Dimensions against targets</h2>"
        + chart
        + keys
        + _table(["dimension", "baseline", "now", "next target", "final target"], rows)
        + "</section>"
    )


def _tier_section(r: Report) -> str:
    bars = [
        svg.TierBar(
            f"{t.id} {t.name}",
            t.criteria,
            f"{f.percent(t.effort_done, t.effort_hours)} of effort done",
        )
        for t in r.tiers
    ]
    chart = svg.tier_chart("Acceptance criteria by status in each tier", bars, STATUS_ORDER)
    keys = svg.legend([(s, s.replace(" ", "")) for s in STATUS_ORDER])
    rows, classes = [], []
    for tier in r.tiers:
        rows.append(
            [
                escape(
                    f"{tier.id} {tier.name} (weeks {tier.weeks[0]}–{tier.weeks[1]}, "
                    f"{tier.tasks_complete}/{len(tier.tasks)} tasks)"
                ),
                f"{tier.subtasks_done}/{tier.subtasks_total}",
                *(str(tier.criteria[s]) for s in COUNTED),
                f.hours(tier.effort_done),
                f.hours(tier.effort_left),
            ]
        )
        classes.append("tier")
        for t in tier.tasks:
            rows.append(
                [
                    escape(f"{t.id} {t.title}"),
                    f"{t.subtasks_done}/{t.subtasks_total}",
                    *(str(t.criteria[s]) for s in COUNTED),
                    f.hours(t.effort_done),
                    f.hours(t.effort_left),
                ]
            )
            classes.append("")
    header = ["tier / task", "subtasks done", *COUNTED, "effort done", "effort left"]
    return (
        "<section><h2>Tier progress</h2>"
        + chart
        + keys
        + _table(header, rows, 1, classes)
        + "</section>"
    )


def _burn_section(r: Report) -> str:
    e, fc = r.effort, r.forecast
    start, end = _range(r, forecast=True)
    series = [
        svg.Series("planned", [(p.date, p.hours_left) for p in e.planned], "plan-model", True),
        svg.Series("effort left", [(p.time, p.hours_left) for p in r.series], "actual", True),
    ]
    if fc.finish and r.series:
        series.append(
            svg.Series(
                "forecast",
                [(r.series[-1].time, r.series[-1].hours_left), (fc.finish, 0.0)],
                "forecast",
            )
        )
    step = _nice_step(e.total)
    top = step * max(1, -(-e.total // step))
    chart = svg.line_chart(
        "Effort hours left against the plan",
        series,
        start,
        end,
        top,
        step,
        "g",
        r.headline.as_of.date() if r.headline.as_of else None,
    )
    keys = svg.legend(
        [
            ("effort left (verify runs)", "actual"),
            ("planned", "plan-model"),
            ("forecast at the current pace", "forecast"),
        ]
    )
    if fc.status == "ok":
        pace = (
            f"Pace: <b>{f.hours(fc.hours_per_week)} per week</b> of effort turned green "
            f"(net, {f.moment(fc.window_from)} → {f.moment(fc.window_to)})."
        )
    else:
        pace = "Not enough history for a forecast: it needs verify runs at least a day apart."
    rows = [
        [
            escape(t.tier),
            f.day(t.planned_end),
            f.hours(t.hours_left),
            f.day(t.projected_end),
            f.vs_plan(t.days_late),
            escape(t.status),
        ]
        for t in fc.tiers
    ]
    return (
        "<section><h2>Effort burn-down and forecast</h2>"
        + chart
        + keys
        + _per_run(
            r,
            start,
            end,
            [(p.time, p.hours_left) for p in r.series],
            top,
            step,
            "effort hours left",
        )
        + f"<p>{pace} Effort: {f.hours(e.done)} done, {f.hours(e.left)} left, "
        f"{f.hours(e.waived)} waived, of {f.hours(e.total)}.</p>"
        + _table(["tier", "planned end", "hours left", "projected end", "vs plan", "status"], rows)
        + "</section>"
    )


def _nice_step(total: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if total / step <= 6:
            return float(step)
    return float(10 ** len(str(int(total))) / 10)


def _actions_section(r: Report) -> str:
    if not r.actions:
        return (
            "<section><h2>Next best actions</h2><p>Nothing left open: every criterion "
            "passes or is waived.</p></section>"
        )
    items = []
    for a in r.actions[:TOP_ACTIONS]:
        crit = "".join(
            f'<li>{escape(c.id)} {escape(c.text)}: <span class="st-{c.status}">'
            f"{escape(c.status)}</span></li>"
            for c in a.open_criteria
        )
        cmds = "".join(f"<li>generator: <code>{escape(c)}</code></li>" for c in a.commands)
        if a.applied and not a.commands:
            cmds += f"<li>{escape(applied_note(a.applied))}</li>"
        items.append(
            f"<li><b>Task {a.task}: {escape(a.title)}</b> ({escape(a.tier)}, "
            f"{escape(a.priority)}): {f.signed(a.gain)} score for "
            f"{f.hours(a.hours_left)} left ({f.rate(a.gain_per_hour)} per hour)"
            f"<ul>{crit}{cmds}</ul></li>"
        )
    return (
        '<section><h2>Next best actions</h2><p class="note">Open tasks ranked by the score '
        "they would still add per effort hour left.</p>"
        f'<ol class="actions">{"".join(items)}</ol></section>'
    )


def _changes_section(r: Report) -> str:
    ch = r.changes
    if ch.previous is None or ch.current is None:
        return ""
    head = (
        f"<p>{f.moment(ch.previous.time)} (<code>{escape(f.commit(ch.previous.commit))}"
        f"</code>) → {f.moment(ch.current.time)} (<code>{escape(f.commit(ch.current.commit))}"
        f"</code>): {len(ch.flips)} flipped.</p>"
    )
    rows = [
        [
            escape(fl.id),
            escape(fl.kind),
            escape(fl.text),
            escape(fl.before),
            f'<b class="st-{escape(fl.after)}">{escape(fl.after)}</b>',
            escape(fl.by or "–"),
        ]
        for fl in ch.flips[:MAX_FLIPS]
    ]
    table = _table(["id", "kind", "text", "before", "after", "by"], rows, 99) if rows else ""
    return f"<section><h2>Changes since the previous run</h2>{head}{table}</section>"


def _errors_section(r: Report) -> str:
    if not r.errors:
        return ""
    count = sum(len(g.ids) for g in r.errors)
    items = []
    for g in r.errors:
        fix = escape(g.fix)
        if g.command:  # the command in code type, as the Markdown's backticks show it
            fix = fix.replace(f"`{escape(g.command)}`", f"<code>{escape(g.command)}</code>")
        said = f'<br><span class="note">{escape(g.message)}</span>' if not g.known else ""
        items.append(f"<li><b>{fix}</b> — {escape(f.ids(g.ids))}{said}</li>")
    return (
        f'<section class="errors"><h2>Errors first: {count} could not be judged</h2>'
        f"<ul>{''.join(items)}</ul></section>"
    )


def _attribution_section(r: Report) -> str:
    a = r.attribution
    if not a.steps:
        return ""
    cards = "".join(
        f'<div class="card"><b>{len(t.criteria)}</b><span>{escape(t.name)}: criteria '
        f"passing now ({f.signed(t.score_change)} score)</span></div>"
        for t in a.roles
    )
    rows = [
        [
            f.moment(s.time),
            escape(s.by),
            escape(s.label or "–"),
            escape(f.ids(s.turned_green) or "–"),
            escape(f.ids(s.turned_red) or "–"),
            f.signed(s.score_change),
        ]
        for s in a.steps
    ]
    return (
        "<section><h2>What the tool did, what engineers did</h2>"
        '<p class="note">Each criterion turned green is credited to the run that turned it: '
        "<code>propctl verify --changed-by generator|engineer --label TEXT</code> records who "
        f'made the change.</p><div class="cards">{cards}</div>'
        + _table(["run", "by", "change", "turned green", "turned red", "score"], rows, 5)
        + "</section>"
    )
