"""The site's `language` reaches every stage that stems: a German site's search and /check/
indexes hold German stems, whichever path of the build made them."""

from __future__ import annotations

import subprocess

import pytest
from reliability import SCRIPT

CASE = """---
title: Die Regierungen verschweigen alles
date: 2024-03-{day:02d}
---

## Summary

Behauptet wird, dass die Regierungen Informationen zurückhalten.

## Response

Die Regierungen veröffentlichen ihre Berichte.
"""


@pytest.mark.parametrize("cases", [2, 520])  # 500+ cases: search is built in a forked process
def test_a_german_site_indexes_german_stems(tmp_path, cases):
    site = tmp_path / "seite"
    (site / "content/cases").mkdir(parents=True)
    (site / "site.toml").write_text(
        'title = "Faktencheck"\nlanguage = "de"\nbase_url = "https://faktencheck.de/"\n',
        encoding="utf-8",
    )
    for number in range(cases):
        text = CASE.format(day=number % 28 + 1)
        (site / f"content/cases/fall-{number}.md").write_text(text, "utf-8")
    done = subprocess.run(
        [str(SCRIPT), "build", "--root", ".", "--output", "output", "--jobs", "2"],
        cwd=site, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    search = " ".join(p.read_text("utf-8") for p in (site / "output/search").rglob("*.json"))
    check = " ".join(p.read_text("utf-8") for p in (site / "output/check").rglob("*.json"))
    # German Snowball: "regierungen" -> "regier"; the English stemmer leaves it whole.
    assert '"regier"' in search and '"regierungen"' not in search
    assert "regier" in check and "regierungen" not in check
