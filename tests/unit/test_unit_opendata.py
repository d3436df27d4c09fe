"""Unit tests for site_builder.opendata: identical columns in JSON and CSV, no drafts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from site_builder.config import SiteConfig
from site_builder.model import Case, Outlet, RelatedEntry, RelatedGraph, SiteModel
from site_builder.opendata import COLUMNS, LIST_SEPARATOR, plan_opendata
from site_builder.taxonomy import build_terms


def case(slug: str, day: int, **kw) -> Case:
    return Case(
        slug=slug,
        title=kw.pop("title", slug),
        date=dt.date(2024, 1, day),
        summary="s",
        response="r",
        source_path=f"content/cases/{slug}.md",
        **kw,
    )


def files(*cases: Case, graph: RelatedGraph | None = None) -> dict[str, bytes]:
    ordered = tuple(sorted(cases, key=lambda c: (-c.date.toordinal(), c.slug)))
    terms, slugs, _ = build_terms(ordered)
    m = SiteModel(
        ordered, {c.slug: c for c in ordered}, (), graph or RelatedGraph({}), terms, slugs
    )
    return {f.output: f.data for f in plan_opendata(m, SiteConfig(base_url="https://x.org/"))}


def test_json_and_csv_have_the_same_columns_and_rows():
    out = files(
        case(
            "a",
            2,
            claim='Says "x", then y',
            tags=("Kraków", "krakow", "b|c"),
            outlets=(
                Outlet("O1", "https://o/1", "https://ar/1"),
                Outlet("O2", "https://o/2", None),
            ),
        ),
        case("b", 1, updated=dt.date(2024, 2, 1)),
        case("d", 3, draft=True),
        graph=RelatedGraph({"a": (RelatedEntry("b", 1.0, (), True),)}),
    )
    data = json.loads(out["data/cases.json"])
    table = list(csv.DictReader(io.StringIO(out["data/cases.csv"].decode("utf-8"), newline="")))
    assert data["columns"] == list(COLUMNS) == list(table[0].keys())
    assert data["count"] == 2 == len(data["cases"]) == len(table)
    assert [r["slug"] for r in data["cases"]] == [r["slug"] for r in table] == ["a", "b"]
    first = data["cases"][0]
    assert first["url"] == "https://x.org/cases/a/"
    assert first["tags"] == ["Kraków", "b|c"]  # spellings merged, like the term pages
    assert first["outlets"] == ["O1", "O2"]
    assert first["outlet_urls"] == ["https://o/1", "https://o/2"]
    assert first["outlet_archives"] == ["https://ar/1", ""]
    assert first["related"] == ["b"] and first["updated"] is None
    for row_json, row_csv in zip(data["cases"], table, strict=True):
        for column in COLUMNS:
            value = row_json[column]
            expected = LIST_SEPARATOR.join(value) if isinstance(value, list) else (value or "")
            assert row_csv[column] == expected, column
    assert out["data/cases.csv"].count(b"\r\n") == 3


def test_empty_site_gives_valid_empty_files():
    out = files()
    assert json.loads(out["data/cases.json"]) == {
        "columns": list(COLUMNS),
        "count": 0,
        "cases": [],
    }
    assert out["data/cases.csv"].decode().splitlines() == [",".join(COLUMNS)]
