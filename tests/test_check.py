"""`site-builder check` end to end: rules, formats, --strict, --today, opting out, exit codes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import yaml

from site_builder import cli
from site_builder.rules import RULES

REPO = Path(__file__).parent.parent

LINTY = """\
---
title: Ballots printed in advance
date: 2024-05-01
claim: "{claim}"
countries: [Poland]
outlets:
  - name: Daily Patriot
    url: https://daily-patriot.example/ballots
related: [only-case]
---

## Summary

Claim.

## Response

Refuted; see [the other case](/cases/only-cse/).
"""


@pytest.fixture
def site(fixture_site) -> Path:
    """The minimal site plus one case with four check-rule warnings (lines 4, 7, 18, 3)."""
    root = fixture_site("minimal")
    text = LINTY.format(claim="x" * 150)
    (root / "content/cases/ballots.md").write_text(text, encoding="utf-8")
    return root


EXPECTED = [
    ("content/cases/ballots.md", 4, "claim-too-long"),
    ("content/cases/ballots.md", 7, "outlet-no-archive"),
    ("content/cases/ballots.md", 18, "broken-link"),
]


RULE_LINE = re.compile(r"(\S+):(\d+): \w+\[([a-z-]+)\]", re.MULTILINE)


def rules_in(text: str) -> list[tuple[str, int, str]]:
    """(path, line, rule id) of every rule-carrying line of a human report."""
    return [(path, int(line), rule) for path, line, rule in RULE_LINE.findall(text)]


def test_check_reports_rule_warnings_and_exits_0(run_cli, site):
    result = run_cli("check", "--root", site, "--today", "2024-06-01")
    assert result.code == 0 and result.out == ""
    assert rules_in(result.err) == EXPECTED
    assert (
        "content/cases/ballots.md:18: warning[broken-link]: link to case 'only-cse', "
        "which does not exist\n    hint: did you mean 'only-case'?\n" in result.err
    )
    assert result.err.endswith("0 errors, 3 warnings in 1 file\n")


def test_strict_reports_warnings_as_errors_and_exits_1(run_cli, site):
    result = run_cli("check", "--root", site, "--strict", "--today", "2024-06-01")
    assert result.code == 1
    assert "content/cases/ballots.md:4: error[claim-too-long]:" in result.err
    assert result.err.endswith("3 errors, 0 warnings in 1 file\n")


def test_today_is_injectable(run_cli, site):
    result = run_cli("check", "--root", site, "--today", "2024-04-30")
    assert ("content/cases/ballots.md", 3, "future-date") in rules_in(result.err)
    assert "'date' 2024-05-01 is in the future (today is 2024-04-30)" in result.err
    bad = run_cli("check", "--root", site, "--today", "tomorrow")
    assert bad.code == 2 and "expected YYYY-MM-DD, got 'tomorrow'" in bad.err


def test_json_format(run_cli, site):
    result = run_cli("check", "--root", site, "--format", "json", "--today", "2024-06-01")
    assert result.code == 0 and result.err == ""
    document = json.loads(result.out)
    assert document["version"] == 1
    assert document["summary"] == {"errors": 0, "warnings": 3, "files": 1}
    assert [(d["path"], d["line"], d["rule"]) for d in document["diagnostics"]] == EXPECTED
    assert {d["severity"] for d in document["diagnostics"]} == {"warning"}
    strict = run_cli(
        "check", "--root", site, "--format", "json", "--strict", "--today", "2024-06-01"
    )
    assert strict.code == 1 and json.loads(strict.out)["summary"]["errors"] == 3


def test_json_when_clean(run_cli, fixture_site):
    result = run_cli("check", "--root", fixture_site("minimal"), "--format", "json")
    assert result.code == 0 and json.loads(result.out)["diagnostics"] == []


def test_github_format_paths_are_relative_to_the_working_directory(run_cli, site, monkeypatch):
    monkeypatch.chdir(site.parent)
    result = run_cli("check", "--root", site.name, "--format", "github", "--today", "2024-06-01")
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == 3
    assert lines[1] == (
        "::warning file=minimal/content/cases/ballots.md,line=7,title=outlet-no-archive::"
        "outlet 'Daily Patriot' has no archived copy%0A"
        "hint: add 'archived:' with a web-archive URL of the page; originals disappear"
    )
    assert all(line.startswith("::warning file=minimal/content/cases/") for line in lines)
    assert result.err == "0 errors, 3 warnings in 1 file\n"


def test_site_toml_disables_rules_in_check_and_build(run_cli, site, tmp_path):
    (site / "site.toml").write_text(
        '[lint]\ndisable = ["outlet-no-archive", "broken-link", "unknown-key", "base-url-unset"]\n',
        encoding="utf-8",
    )
    case = site / "content/cases/ballots.md"
    case.write_text(case.read_text().replace("date:", "tgas: [x]\ndate:"), encoding="utf-8")
    result = run_cli("check", "--root", site, "--today", "2024-06-01")
    assert [r for _, _, r in rules_in(result.err)] == ["claim-too-long"]
    build = run_cli("build", "--root", site, "--output", tmp_path / "out", "--strict")
    assert build.code == 0 and build.err == ""  # unknown-key is a build warning: disabled too


def test_lint_ignore_in_front_matter(run_cli, site):
    case = site / "content/cases/ballots.md"
    text = case.read_text().replace("date:", "lint_ignore: [claim-too-long, broken-link]\ndate:")
    case.write_text(text, encoding="utf-8")
    result = run_cli("check", "--root", site, "--today", "2024-06-01")
    assert [r for _, _, r in rules_in(result.err)] == ["outlet-no-archive"]


def test_lint_ignore_with_unknown_rule_is_an_error(run_cli, site):
    case = site / "content/cases/ballots.md"
    case.write_text(case.read_text().replace("date:", "lint_ignore: [broken-lnk]\ndate:"))
    result = run_cli("check", "--root", site)
    assert result.code == 1
    assert (
        "content/cases/ballots.md:3: error: 'lint_ignore' names unknown rule 'broken-lnk'\n"
        "    hint: did you mean 'broken-link'?\n" in result.err
    )


@pytest.mark.parametrize("output", ["human", "json", "github"])
def test_invalid_lint_config_exits_2_in_every_format(run_cli, site, output):
    (site / "site.toml").write_text(
        '[lint]\ndisable = ["orphan-cse"]\nmax_claim_length = -1\n', encoding="utf-8"
    )
    result = run_cli("check", "--root", site, "--format", output)
    assert result.code == 2
    text = result.out if output != "human" else result.err
    assert "orphan-cse" in text and "did you mean 'orphan-case'" in text
    assert "max_claim_length" in text
    if output == "json":
        assert json.loads(result.out)["summary"]["errors"] == 2


def test_errors_do_not_stop_the_rules_on_other_files(run_cli, site):
    (site / "content/cases/broken.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    result = run_cli("check", "--root", site, "--today", "2024-06-01")
    assert result.code == 1
    assert "content/cases/broken.md:2: error: missing required field 'date'" in result.err
    assert rules_in(result.err) == EXPECTED
    assert result.err.endswith("3 errors, 3 warnings in 2 files\n")


def test_build_runs_build_rules_only_and_strict_writes_nothing(run_cli, site, tmp_path):
    output = tmp_path / "out"
    result = run_cli("build", "--root", site, "--output", output)
    assert result.code == 0 and result.err == ""  # check rules are not build's business
    before = sorted(p.relative_to(output) for p in output.rglob("*"))
    case = site / "content/cases/ballots.md"
    case.write_text(case.read_text().replace("date:", "tgas: [x]\ndate:"), encoding="utf-8")
    strict = run_cli("build", "--root", site, "--output", output, "--strict")
    assert strict.code == 1
    assert "content/cases/ballots.md:3: error[unknown-key]:" in strict.err
    assert sorted(p.relative_to(output) for p in output.rglob("*")) == before


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli._color(_Terminal()) is True
    assert cli._color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli._color(_Terminal()) is False


def test_docs_catalogue_lists_every_rule_once():
    readme = (REPO / "docs" / "content.md").read_text(encoding="utf-8")
    catalogue = readme.split("### Rules", 1)[1].split("\n#", 1)[0]
    listed = [
        line.split("|")[1].strip(" `") for line in catalogue.splitlines() if line[:3] == "| `"
    ]
    assert sorted(listed) == sorted(rule.id for rule in RULES)


def test_pre_commit_hook_runs_check_on_content_changes():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "site-builder-check"
    assert hook["entry"] == "site-builder check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("content/cases/a.md") and files.search("site.toml")
    assert not files.search("templates/base.html") and not files.search("old-site.toml")


BROKEN = """\
---
title: A case being fixed
date: 2024-13-01
tags: [Grain, Ports]
outlets:
  - name: Harbour News
    url: https://harbour.example/x
---

## Summary

Claim.

## Response

Answer.
"""
LINKS_TO_BROKEN = """\
---
title: A fine case
date: 2024-01-01
claim: "Grain rots in the ports."
related: [being-fixed]
---

## Summary

See [the case being fixed](/cases/being-fixed/), [grain](/tags/grain/) and
[its outlet](/outlets/harbour-news/).

## Response

Answer.
"""


def test_a_case_with_an_error_still_exists_for_links_and_terms(run_cli, site):
    """One run, every problem: the broken file's error, and no "does not exist" cascade for
    the cases that link to it, its terms or its outlets (its slug is its file name)."""
    (site / "content/cases/being-fixed.md").write_text(BROKEN, encoding="utf-8")
    (site / "content/cases/links-to-it.md").write_text(LINKS_TO_BROKEN, encoding="utf-8")
    result = run_cli("check", "--root", site, "--today", "2024-06-01")
    assert result.code == 1
    assert "content/cases/being-fixed.md:3: error: 'date' must be a real date" in result.err
    assert "links-to-it.md" not in result.err, result.err
    assert result.err.count("does not exist") == 1  # ballots.md's own typo, 'only-cse'

    # A link to something that truly is missing is still reported in the same run.
    (site / "content/cases/links-to-it.md").write_text(
        LINKS_TO_BROKEN.replace("/tags/grain/", "/tags/grian/"), encoding="utf-8"
    )
    again = run_cli("check", "--root", site, "--today", "2024-06-01")
    assert "links-to-it.md:10: warning[broken-link]: link to tags term 'grian'" in again.err
    assert "did you mean 'grain'?" in again.err


def test_base_url_unset_is_a_warning_naming_what_would_point_there(run_cli, site, tmp_path):
    (site / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/x/"\n')
    result = run_cli("check", "--root", site, "--today", "2024-06-01")
    assert result.code == 0
    assert (
        "site.toml:2: warning[base-url-unset]: base_url is 'https://example.org/x/', so the "
        "canonical links, Atom feeds, sitemap.xml, robots.txt and the ClaimReview data of "
        "every case would point at example.org\n" in result.err
    )
    build = run_cli("build", "--root", site, "--output", tmp_path / "out", "--quiet")
    assert build.code == 0 and "warning[base-url-unset]" in build.err
    strict = run_cli("build", "--root", site, "--output", tmp_path / "out", "--strict")
    assert strict.code == 1 and "error[base-url-unset]" in strict.err  # a warning, not config
    # A preview build names its own address: no warning, and every absolute URL follows it.
    preview = run_cli(
        "build", "--root", site, "--output", tmp_path / "out", "--quiet",
        "--base-url", "https://preview.newsroom.org/pr-7",
    )  # fmt: skip
    assert preview.code == 0 and preview.err == ""
    home = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://preview.newsroom.org/pr-7/">' in home
    robots = (tmp_path / "out/robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://preview.newsroom.org/pr-7/sitemap.xml" in robots
    (site / "site.toml").write_text('base_url = "https://checks.newsroom.org/"\n')
    assert "base-url-unset" not in run_cli("check", "--root", site).err
