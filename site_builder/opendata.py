"""Open data: every published case as `data/cases.json` and `data/cases.csv`.

Both files carry the same columns in the same order (README "Open data" is the schema), so a
reader can switch formats without a mapping. JSON keeps lists as arrays; CSV joins them with
`LIST_SEPARATOR`. One JSON row per line keeps diffs between two builds readable.

A CSV cell that starts like a formula is prefixed with `'` (OWASP's advice on CSV injection):
spreadsheets would otherwise run a title such as `=HYPERLINK(...)` when a reader opens the
file. The JSON keeps every value exactly; docs/open-data.md tells readers which to use.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from .config import SiteConfig
from .model import Case, DataFile, SiteModel
from .taxonomy import MergedTerms, case_terms, merged_terms
from .views import case_url

JSON_OUTPUT = "data/cases.json"
CSV_OUTPUT = "data/cases.csv"
OUTPUTS = (JSON_OUTPUT, CSV_OUTPUT)
LIST_SEPARATOR = "|"
COLUMNS = (
    "slug",
    "url",
    "title",
    "claim",
    "date",
    "updated",
    "rating",
    "tags",
    "topics",
    "countries",
    "languages",
    "outlets",
    "outlet_urls",
    "outlet_archives",
    "related",
)

Row = dict[str, str | list[str] | None]


def case_row(model: SiteModel, merged: MergedTerms, case: Case, base_url: str) -> Row:
    """One case as a row; outlet lists are parallel (same index = same outlet, '' = none).

    Term columns hold merged labels ("Kraków" for "krakow"), so values group as pages do.
    """
    return {
        "slug": case.slug,
        "url": base_url + case_url(case.slug),
        "title": case.title,
        "claim": case.claim,
        "date": case.date.isoformat(),
        "updated": case.updated.isoformat() if case.updated else None,
        "rating": case.rating,
        "tags": [label for _, label in case_terms(merged, case, "tags")],
        "topics": [label for _, label in case_terms(merged, case, "topics")],
        "countries": [label for _, label in case_terms(merged, case, "countries")],
        "languages": [label for _, label in case_terms(merged, case, "languages")],
        "outlets": [o.name for o in case.outlets],
        "outlet_urls": [o.url for o in case.outlets],
        "outlet_archives": [o.archived or "" for o in case.outlets],
        "related": [entry.slug for entry in model.graph.of(case.slug)],
    }


def cases_json(rows: list[Row]) -> bytes:
    # One encoder for all rows: json.dumps with options builds a new encoder per call.
    encode = json.JSONEncoder(ensure_ascii=False).encode
    header: dict[str, Any] = {"columns": list(COLUMNS), "count": len(rows)}
    lines = [encode(row) for row in rows]
    text = encode(header)[:-1] + ', "cases": [\n'
    return (text + ",\n".join(lines) + "\n]}\n").encode("utf-8")


# What makes Excel, LibreOffice and Google Sheets evaluate a cell (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | list[str] | None) -> str:
    if value is None:
        return ""
    text = LIST_SEPARATOR.join(value) if isinstance(value, list) else value
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cases_csv(rows: list[Row]) -> bytes:
    """RFC 4180 CSV (CRLF line ends, quoted where needed), UTF-8 without a byte-order mark,
    formula-like cells neutralised (see the module docstring)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([_cell(row[c]) for c in COLUMNS] for row in rows)
    return buffer.getvalue().encode("utf-8")


def plan_opendata(model: SiteModel, config: SiteConfig) -> Iterator[DataFile]:
    """Both files list the published cases newest first, like the home page."""
    merged = merged_terms(model)
    rows = [
        case_row(model, merged, case, config.base_url) for case in model.cases if not case.draft
    ]
    yield DataFile(JSON_OUTPUT, cases_json(rows), "content/cases")
    yield DataFile(CSV_OUTPUT, cases_csv(rows), "content/cases")
