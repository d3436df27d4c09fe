"""The `/timeline/` page: cases per month as an SVG bar chart drawn at build time.

The chart is plain SVG in the page (no script, no external file), coloured with
`currentColor` so it follows the theme's light and dark colours. A table carries the same
numbers for screen readers and for anyone who prefers text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from html import escape  # quote=False: XML's escape of &, < and >

from .model import Case
from .views import MONTHS

URL = "timeline/"
# A narrow drawing so labels stay legible when a phone scales the chart down.
WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 10, 26
MAX_BAR = 32.0
MAX_YEAR_LABELS = 8


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: str  # "2024-03", for <time datetime>
    label: str  # "March 2024"
    count: int


@dataclass(frozen=True, slots=True)
class TimelineView:
    months: tuple[MonthCount, ...]
    total: int
    svg: str  # complete <svg> element; every text in it is escaped


def _month_range(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_counts(cases: tuple[Case, ...]) -> tuple[MonthCount, ...]:
    """Every month from the first case to the last, empty months included (a true time axis)."""
    if not cases:
        return ()
    counts = Counter((c.date.year, c.date.month) for c in cases)
    dates = [c.date for c in cases]
    return tuple(
        MonthCount(f"{y:04d}-{m:02d}", f"{MONTHS[m - 1]} {y}", counts.get((y, m), 0))
        for y, m in _month_range(min(dates), max(dates))
    )


def _nice_max(value: int) -> int:
    """Smallest 1/2/4/6/8 x 10^n at or above `value`: round, with a whole-number midpoint."""
    step = 1
    while True:
        for factor in (1, 2, 4, 6, 8):
            if factor * step >= value:
                return factor * step
        step *= 10


def _axes(top: int) -> list[str]:
    plot_h, bottom = HEIGHT - TOP - BOTTOM, HEIGHT - BOTTOM
    parts = []
    for value in (0, top // 2, top) if top > 1 else (0, top):
        y = bottom - plot_h * value / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="currentColor" stroke-opacity="{0.6 if value == 0 else 0.2}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    return parts


def _x_labels(months: tuple[MonthCount, ...], step: float) -> list[str]:
    """Year labels at each January (or the first month); month names for short spans."""
    short = len(months) <= 12
    years = {m.month[:4] for m in months}
    every = max(1, -(-len(years) // MAX_YEAR_LABELS))
    parts = []
    for index, month in enumerate(months):
        year = int(month.month[:4])
        if short:
            text = month.label.split()[0][:3]
        elif (index == 0 or month.month.endswith("-01")) and year % every == 0:
            text = str(year)
        else:
            continue
        x = LEFT + step * (index + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 17}" text-anchor="middle">{text}</text>'
        )
    return parts


def timeline_svg(months: tuple[MonthCount, ...], title: str) -> str:
    top = _nice_max(max((m.count for m in months), default=1))
    step = (WIDTH - LEFT - RIGHT) / max(1, len(months))
    bar = min(step * 0.8, MAX_BAR)
    plot_h, bottom = HEIGHT - TOP - BOTTOM, HEIGHT - BOTTOM
    bars = []
    for index, month in enumerate(months):
        h = plot_h * month.count / top
        x = LEFT + step * index + (step - bar) / 2
        bars.append(
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}">'
            f"<title>{escape(month.label, quote=False)}: {month.count}</title></rect>"
        )
    return (
        f'<svg class="timeline-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="timeline-title" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12" fill="currentColor">'
        f'<title id="timeline-title">{escape(title, quote=False)}</title>'
        + "".join(_axes(top))
        + '<g class="timeline-bars">'
        + "".join(bars)
        + "</g>"
        + "".join(_x_labels(months, step))
        + "</svg>"
    )


def timeline_view(cases: tuple[Case, ...]) -> TimelineView:
    months = month_counts(cases)
    if months:
        busiest = max(months, key=lambda m: m.count)
        title = (
            f"Cases per month, {months[0].label} to {months[-1].label}: {len(cases)} cases; "
            f"busiest month {busiest.label} with {busiest.count}."
        )
    else:
        title = "Cases per month: no cases yet."
    return TimelineView(months, len(cases), timeline_svg(months, title) if months else "")
