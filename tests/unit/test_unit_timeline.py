"""Unit tests for site_builder.timeline: month counts and an accessible, valid SVG."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from site_builder.model import Case
from site_builder.timeline import month_counts, timeline_view

SVG = "{http://www.w3.org/2000/svg}"


def case(day: dt.date) -> Case:
    return Case(
        slug=f"c{day.isoformat()}",
        title="t",
        date=day,
        summary="s",
        response="r",
        source_path="content/cases/c.md",
    )


CASES = (
    case(dt.date(2024, 3, 5)),
    case(dt.date(2024, 3, 1)),
    case(dt.date(2023, 12, 31)),
)


def test_every_month_between_first_and_last_is_counted():
    months = month_counts(CASES)
    assert [(m.month, m.count) for m in months] == [
        ("2023-12", 1),
        ("2024-01", 0),
        ("2024-02", 0),
        ("2024-03", 2),
    ]
    assert months[0].label == "December 2023"


def test_svg_is_xml_with_a_title_and_one_bar_per_month():
    view = timeline_view(CASES)
    root = ET.fromstring(view.svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "timeline-title"
    title = root.find(f"{SVG}title")
    assert title is not None and title.get("id") == "timeline-title"
    assert "3 cases" in (title.text or "") and "March 2024 with 2" in (title.text or "")
    bars = root.findall(f".//{SVG}rect")
    assert len(bars) == 4
    heights = [float(b.get("height", "")) for b in bars]
    assert heights[1] == heights[2] == 0 and heights[3] == 2 * heights[0] > 0
    assert [b.findtext(f"{SVG}title") for b in bars][3] == "March 2024: 2"
    assert root.get("fill") == "currentColor"  # follows the theme, dark mode included
    assert timeline_view(CASES) == view  # deterministic


def test_no_cases_no_chart():
    view = timeline_view(())
    assert view.months == () and view.svg == "" and view.total == 0
