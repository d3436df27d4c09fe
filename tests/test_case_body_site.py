"""A case body as readers get it: built through the console script under a sub-path with raw
HTML allowed, then read back as parsed HTML and checked by the Nu HTML Checker."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup
from test_html_validity import format_messages, run_vnu

SCRIPT = Path(sys.executable).with_name("site-builder")
CASE = """---
title: One body, one document
date: 2024-01-02
---
## Summary

The claim cites a [report] and a broadcast[^tv].

3. third point
4. fourth point

## Main

See <a href="/cases/other-case/" id="main">the other case</a>.

## Sources

Summary sources.

## Response

The [report] says the opposite; see [the top](#main) and [sources](#sources).

## Sources

Response sources.

| claim | fact |
|:--|--:|
| 1 | 2 |

[report]: https://example.org/report
[^tv]: Channel 1, 2024-03-01.
"""
OTHER = "---\ntitle: Other case\ndate: 2024-01-01\n---\n## Summary\n\nS.\n\n## Response\n\nR.\n"


def test_body_is_one_document_with_unique_ids_under_a_sub_path(tmp_path):
    root = tmp_path / "site"
    (root / "content/cases").mkdir(parents=True)
    (root / "site.toml").write_text(
        'base_url = "https://example.org/debunks/"\nallow_html = true\n', encoding="utf-8"
    )
    (root / "content/cases/one-document.md").write_text(CASE, encoding="utf-8")
    (root / "content/cases/other-case.md").write_text(OTHER, encoding="utf-8")
    result = subprocess.run(
        [str(SCRIPT), "build", "--root", "."], cwd=root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    page = root / "output/cases/one-document/index.html"
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")

    ids = Counter(str(tag["id"]) for tag in soup.select("[id]"))
    assert [i for i, n in ids.items() if n > 1] == []
    assert soup.select_one("main")["id"] == "main"  # the skip link's target is the template's
    summary, response = soup.select_one(".case-summary"), soup.select_one(".case-response")
    assert summary.select_one('a[href="https://example.org/report"]').text == "report"
    assert response.select_one('a[href="https://example.org/report"]').text == "report"
    assert summary.select_one("ol")["start"] == "3"
    assert [h["id"] for h in summary.select("h2")] == ["summary-heading", "main-1", "sources"]
    assert [h["id"] for h in response.select("h2")] == ["response-heading", "sources-1"]
    assert response.select_one('a:-soup-contains("the top")')["href"] == "#main-1"
    raw = summary.select_one('a:-soup-contains("the other case")')
    assert raw["href"] == "../../cases/other-case/" and not raw.has_attr("id")
    note = summary.select_one("sup.footnote-ref a")
    assert response.select_one(f"section.footnotes li{note['href']}").text.startswith("Channel 1")
    assert response.select_one('th[style="text-align:left"]') is not None

    errors = run_vnu([page])
    assert not errors, format_messages(errors, root / "output")
