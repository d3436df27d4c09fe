"""The open data CSV as a spreadsheet reads it: no cell a spreadsheet would evaluate, while
the JSON keeps the exact values. Built through the console script, read from output/."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from site_builder.opendata import COLUMNS, cases_csv

SCRIPT = Path(sys.executable).with_name("site-builder")
HOSTILE = """---
title: '=HYPERLINK("http://evil.example", "click")'
date: 2024-01-02
claim: "+cmd|' /C calc'!A0"
tags: ['@SUM(1+1)', plain]
outlets:
  - name: "-2+3"
    url: https://outlet.example/a
---
## Summary

The claim.

## Response

The refutation.
"""
PLAIN = """---
title: An ordinary title - with a dash inside
date: 2024-01-01
claim: "Costs fell by -3% = a lot"
---
## Summary

The claim.

## Response

The refutation.
"""


def test_formula_cells_are_neutralised_in_csv_and_exact_in_json(tmp_path):
    root = tmp_path / "site"
    (root / "content/cases").mkdir(parents=True)
    (root / "site.toml").write_text('base_url = "https://x.example/"\n', encoding="utf-8")
    (root / "content/cases/hostile-case.md").write_text(HOSTILE, encoding="utf-8")
    (root / "content/cases/plain-case.md").write_text(PLAIN, encoding="utf-8")
    subprocess.run([str(SCRIPT), "build", "--root", "."], cwd=root, check=True, timeout=120)

    raw = (root / "output/data/cases.csv").read_text(encoding="utf-8")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(raw, newline=""))}
    hostile, plain = rows["hostile-case"], rows["plain-case"]
    assert hostile["title"] == """'=HYPERLINK("http://evil.example", "click")"""
    assert hostile["claim"] == "'+cmd|' /C calc'!A0"
    assert hostile["tags"] == "'@SUM(1+1)|plain"
    assert hostile["outlets"] == "'-2+3"
    assert hostile["outlet_urls"] == "https://outlet.example/a"
    assert plain["title"] == "An ordinary title - with a dash inside"
    assert plain["claim"] == "Costs fell by -3% = a lot"
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value

    cases = {
        c["slug"]: c for c in json.loads((root / "output/data/cases.json").read_bytes())["cases"]
    }
    assert cases["hostile-case"]["title"] == '=HYPERLINK("http://evil.example", "click")'
    assert cases["hostile-case"]["claim"] == "+cmd|' /C calc'!A0"
    assert cases["hostile-case"]["tags"] == ["@SUM(1+1)", "plain"]
    assert cases["hostile-case"]["outlets"] == ["-2+3"]


def test_tab_and_carriage_return_starts_are_neutralised_too():
    row: dict[str, str | list[str] | None] = dict.fromkeys(COLUMNS)
    row.update(slug="s", title="\tx", claim="\r=1", tags=["\ta"])
    text = cases_csv([row]).decode("utf-8")
    (parsed,) = csv.DictReader(io.StringIO(text, newline=""))
    assert parsed["title"] == "'\tx" and parsed["claim"] == "'\r=1" and parsed["tags"] == "'\ta"
