"""Charts drawn as inline SVG (no scripts, no fonts, no network): styled by the page's CSS
classes, so the same drawing follows the light and dark colour schemes and prints."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

WIDTH = 760
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 16, 14, 30


def _when(value: date | datetime) -> float:
    """Days since 2000-01-01, fractional for datetimes."""
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) - datetime(2000, 1, 1)).total_seconds() / 86400
    return float((value - date(2000, 1, 1)).days)


@dataclass
class Series:
    label: str
    points: Sequence[tuple[date | datetime, float]]
    css: str  # the class that colours it: plan-model, plan-declared, actual, forecast...
    markers: bool = False


@dataclass
class Frame:
    x0: float
    x1: float
    y0: float
    y1: float
    height: int

    def x(self, value: date | datetime) -> float:
        span = (self.x1 - self.x0) or 1.0
        return PAD_LEFT + (_when(value) - self.x0) / span * (WIDTH - PAD_LEFT - PAD_RIGHT)

    def y(self, value: float) -> float:
        span = (self.y1 - self.y0) or 1.0
        inner = self.height - PAD_TOP - PAD_BOTTOM
        return PAD_TOP + inner - (value - self.y0) / span * inner


def _svg(height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _month_ticks(start: date, end: date) -> list[date]:
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = max(1, math.ceil(months / 10))
    ticks, year, month = [], start.year, start.month
    for i in range(months + 1):
        tick = date(year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1, 1)
        if start <= tick <= end and i % step == 0:
            ticks.append(tick)
    return ticks


def _axes(frame: Frame, start: date, end: date, y_ticks: Sequence[float], y_fmt: str) -> list[str]:
    out = []
    for value in y_ticks:
        y = frame.y(value)
        out.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" '
            f'y2="{y:.1f}"/><text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{format(value, y_fmt)}</text>'
        )
    base = frame.height - PAD_BOTTOM
    for tick in _month_ticks(start, end):
        x = frame.x(tick)
        anchor = "end" if x > WIDTH - PAD_RIGHT - 24 else "middle"
        out.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_TOP}" y2="{base}"/>'
            f'<text class="tick" x="{x:.1f}" y="{base + 16}" text-anchor="{anchor}">'
            f"{tick.strftime('%b %Y')}</text>"
        )
    return out


def _polyline(frame: Frame, series: Series) -> str:
    coords = " ".join(f"{frame.x(t):.1f},{frame.y(v):.1f}" for t, v in series.points)
    out = (
        f'<polyline class="line {series.css}" points="{coords}"><title>{escape(series.label)}'
        f"</title></polyline>"
    )
    if series.markers and len(series.points) <= 60:
        out += "".join(
            f'<circle class="dot {series.css}" cx="{frame.x(t):.1f}" cy="{frame.y(v):.1f}" r="3"/>'
            for t, v in series.points
        )
    elif series.points:
        t, v = series.points[-1]
        out += (
            f'<circle class="dot {series.css}" cx="{frame.x(t):.1f}" cy="{frame.y(v):.1f}" r="4"/>'
        )
    return out


def line_chart(
    title: str,
    series: list[Series],
    start: date,
    end: date,
    y_max: float,
    y_step: float,
    y_fmt: str = "g",
    today: date | None = None,
    height: int = 300,
) -> str:
    frame = Frame(_when(start), _when(end), 0.0, y_max, height)
    body = _axes(frame, start, end, [y_step * i for i in range(int(y_max / y_step) + 1)], y_fmt)
    body.append(
        f'<clipPath id="clip-{id(frame)}"><rect x="{PAD_LEFT}" y="0" '
        f'width="{WIDTH - PAD_LEFT - PAD_RIGHT}" height="{height}"/></clipPath>'
    )
    if today is not None and start <= today <= end:
        x = frame.x(today)
        body.append(
            f'<line class="today" x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_TOP}" '
            f'y2="{height - PAD_BOTTOM}"/>'
        )
    body.append(f'<g clip-path="url(#clip-{id(frame)})">')
    body += [_polyline(frame, s) for s in series if s.points]
    body.append("</g>")
    return _svg(height, title, body)


def run_chart(
    title: str,
    points: Sequence[tuple[datetime, float]],
    y_max: float,
    y_step: float,
    css: str = "actual",
    height: int = 240,
) -> str:
    """One point per verify run, evenly spaced, labelled with its time: readable when the runs
    are minutes apart, where a calendar axis would stack them into one vertical line."""
    count = len(points)
    frame = Frame(0.0, float(max(count - 1, 1)), 0.0, y_max, height)
    body = []
    for i in range(int(y_max / y_step) + 1):
        y = frame.y(y_step * i)
        body.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" '
            f'y2="{y:.1f}"/><text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{format(y_step * i, "g")}</text>'
        )
    span_days = (points[-1][0] - points[0][0]).total_seconds() / 86400 if count else 0.0
    label = "%H:%M" if span_days < 1 else "%m-%d %H:%M"
    every = max(1, math.ceil(count / 10))
    base = height - PAD_BOTTOM
    coords = []
    for i, (when, value) in enumerate(points):
        x = PAD_LEFT + (i / (count - 1) if count > 1 else 0.5) * (WIDTH - PAD_LEFT - PAD_RIGHT)
        coords.append((x, frame.y(value), when, value))
        if i % every == 0 or i == count - 1:
            body.append(
                f'<text class="tick" x="{x:.1f}" y="{base + 16}" text-anchor="middle">'
                f"{when.strftime(label)}</text>"
            )
    body.append(
        f'<polyline class="line {css}" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
        + f'"><title>{escape(title)}</title></polyline>'
    )
    body += [
        f'<circle class="dot {css}" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>'
        f"{when.strftime('%Y-%m-%d %H:%M')}: {value:g}</title></circle>"
        for x, y, when, value in coords
    ]
    return _svg(height, title, body)


def runs_are_close(times: Sequence[datetime], start: date, end: date) -> bool:
    """True when the runs fill under 3% of a calendar axis from `start` to `end`: on it they
    would collapse into one vertical line."""
    if len(times) < 2:
        return False
    spread = (max(times) - min(times)).total_seconds() / 86400
    return spread < 0.03 * max((end - start).days, 1)


def legend(series: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li><span class="key {css}"></span>{escape(label)}</li>' for label, css in series
    )
    return f'<ul class="legend">{items}</ul>'


@dataclass
class DimensionBar:
    name: str
    baseline: float
    now: float
    next_target: float | None
    final_target: float | None


def dimension_chart(title: str, rows: list[DimensionBar]) -> str:
    row_h, label_w = 26, 130
    height = PAD_TOP + row_h * len(rows) + PAD_BOTTOM
    scale = (WIDTH - label_w - PAD_RIGHT) / 10.0
    body = []
    for tick in range(0, 11, 2):
        x = label_w + tick * scale
        body.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_TOP}" '
            f'y2="{height - PAD_BOTTOM}"/><text class="tick" x="{x:.1f}" '
            f'y="{height - PAD_BOTTOM + 16}" text-anchor="middle">{tick}</text>'
        )
    for i, row in enumerate(rows):
        y = PAD_TOP + i * row_h
        body.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
            f"{escape(row.name)}</text>"
            f'<rect class="track" x="{label_w}" y="{y + 6}" width="{10 * scale:.1f}" '
            f'height="14"/><rect class="bar now" x="{label_w}" y="{y + 6}" '
            f'width="{row.now * scale:.1f}" height="14"><title>{escape(row.name)} now '
            f"{row.now:.2f}</title></rect>"
            f'<rect class="mark baseline" x="{label_w + row.baseline * scale - 1:.1f}" '
            f'y="{y + 3}" width="2" height="20"/>'
        )
        for value, css in ((row.next_target, "next"), (row.final_target, "final")):
            if value is not None:
                x = label_w + value * scale
                body.append(
                    f'<path class="target {css}" d="M{x:.1f} {y + 2} l-5 -0 l5 7 l5 -7 z'
                    f'"><title>{css} target {value:.2f}</title></path>'
                )
    return _svg(height, title, body)


@dataclass
class TierBar:
    label: str
    counts: dict[str, int]  # status -> criteria
    note: str


def tier_chart(title: str, rows: list[TierBar], order: Sequence[str]) -> str:
    row_h, label_w, note_w = 34, 150, 150
    height = PAD_TOP + row_h * len(rows) + 10
    width = WIDTH - label_w - note_w
    body = []
    for i, row in enumerate(rows):
        y = PAD_TOP + i * row_h
        total = sum(row.counts.values()) or 1
        x = float(label_w)
        body.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 19}" text-anchor="end">'
            f"{escape(row.label)}</text>"
        )
        for status in order:
            count = row.counts.get(status, 0)
            if count:
                w = count / total * width
                css = status.replace(" ", "")
                body.append(
                    f'<rect class="seg {css}" x="{x:.1f}" y="{y + 6}" width="{w:.1f}" '
                    f'height="20"><title>{count} {status}</title></rect>'
                )
                x += w
        body.append(
            f'<text class="tick" x="{label_w + width + 8}" y="{y + 19}">{escape(row.note)}</text>'
        )
    return _svg(height, title, body)


def days_after(day: date, days: float) -> date:
    return day + timedelta(days=days)
