"""Unit tests for site_builder.report: human, JSON and GitHub Actions output."""

import json
import re

from site_builder.diagnostics import error, warning
from site_builder.report import JSON_VERSION, as_json, github, human

DIAGS = [
    warning(
        "content/cases/b.md", 9, "outlet 'X' has no archived copy", "add it", "outlet-no-archive"
    ),
    error("content/cases/a.md", 3, "'date' must be YYYY-MM-DD, got 'soon'"),
    warning("content/cases/b.md", 2, "unknown front matter key 'tgas'", rule="unknown-key"),
]


def test_human_groups_by_file_then_line_and_ends_with_a_summary():
    assert human(DIAGS) == (
        "content/cases/a.md:3: error: 'date' must be YYYY-MM-DD, got 'soon'\n"
        "content/cases/b.md:2: warning[unknown-key]: unknown front matter key 'tgas'\n"
        "content/cases/b.md:9: warning[outlet-no-archive]: outlet 'X' has no archived copy\n"
        "    hint: add it\n"
        "1 error, 2 warnings in 2 files\n"
    )
    assert human([]) == ""


def test_colour_only_adds_ansi_codes():
    coloured = human(DIAGS, color=True)
    assert "\x1b[1;31merror\x1b[0m" in coloured and "\x1b[1;33mwarning\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == human(DIAGS)
    assert "\x1b" not in human(DIAGS, color=False)


def test_json_schema_is_stable():
    document = json.loads(as_json(DIAGS))
    assert list(document) == ["version", "summary", "diagnostics"]
    assert document["version"] == JSON_VERSION == 1
    assert document["summary"] == {"errors": 1, "warnings": 2, "files": 2}
    first, _, last = document["diagnostics"]
    assert first == {
        "path": "content/cases/a.md",
        "line": 3,
        "severity": "error",
        "rule": None,
        "message": "'date' must be YYYY-MM-DD, got 'soon'",
        "hint": None,
    }
    assert last["rule"] == "outlet-no-archive" and last["hint"] == "add it"
    assert json.loads(as_json([])) == {
        "version": 1,
        "summary": {"errors": 0, "warnings": 0, "files": 0},
        "diagnostics": [],
    }


def test_json_keeps_non_ascii_text_readable():
    text = as_json([warning("content/cases/k.md", 1, "term 'Kraków'", rule="term-spelling")])
    assert "Kraków" in text and json.loads(text)["diagnostics"][0]["message"] == "term 'Kraków'"


def test_github_annotations():
    assert github(DIAGS).splitlines() == [
        "::error file=content/cases/a.md,line=3,title=site-builder::'date' must be YYYY-MM-DD, got 'soon'",
        "::warning file=content/cases/b.md,line=2,title=unknown-key::unknown front matter key 'tgas'",
        "::warning file=content/cases/b.md,line=9,title=outlet-no-archive::"
        "outlet 'X' has no archived copy%0Ahint: add it",
    ]


def test_github_escapes_data_and_properties():
    diag = warning("content/a,b:c%.md", None, "100% sure\r\nnext: line, more", rule="x")
    (line,) = github([diag], lambda path: "site/" + path).splitlines()
    assert line == (
        "::warning file=site/content/a%2Cb%3Ac%25.md,title=x::100%25 sure%0D%0Anext: line, more"
    )
    # The runner splits the command at the first '::' after the properties: exactly one here.
    assert line.count("::") == 2
