"""The command line: help text, exit codes, warnings, --strict, new, and output safety."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("build", ["--root", "--output", "--drafts", "--strict", "--quiet"]),
        ("check", ["--root", "--strict", "--format", "--today", "human", "json", "github"]),
        ("new", ["--root", "--tag", "--topic", "title"]),
    ],
)
def test_help_lists_every_option(run_cli, command, options):
    result = run_cli(command, "--help")
    assert result.code == 0
    for option in options:
        assert option in result.out


def test_console_script_and_module_entry_points(tmp_path):
    script = Path(sys.executable).parent / "site-builder"
    for argv in ([str(script)], [sys.executable, "-m", "site_builder"]):
        done = subprocess.run([*argv, "--version"], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and "site-builder" in done.stdout


def test_bad_usage_exits_2(run_cli, tmp_path):
    assert run_cli("build", "--no-such-flag").code == 2
    result = run_cli("build", "--root", tmp_path / "missing")
    assert result.code == 2 and "site root is not a directory" in result.err


def test_build_prints_summary_with_phases(run_cli, fixture_site, tmp_path):
    result = run_cli("build", "--root", fixture_site("full"), "--output", tmp_path / "out")
    assert result.code == 0
    assert "built 4 cases" in result.out and "graph" in result.out and "render+write" in result.out


def test_unknown_key_warns_and_strict_fails(run_cli, fixture_site, tmp_path):
    root = fixture_site("minimal")
    case = root / "content/cases/only-case.md"
    case.write_text(case.read_text().replace("date:", "tgas: [x]\ndate:"), encoding="utf-8")
    result = run_cli("build", "--root", root, "--output", tmp_path / "out")
    assert result.code == 0
    assert (
        "content/cases/only-case.md:3: warning[unknown-key]: unknown front matter key 'tgas'"
        in result.err
    )
    assert run_cli("check", "--root", root, "--strict").code == 1
    assert run_cli("build", "--root", root, "--output", tmp_path / "out", "--strict").code == 1


def test_check_writes_nothing(run_cli, fixture_site):
    root = fixture_site("full")
    result = run_cli("check", "--root", root)
    # The full fixture spells Krakow three ways on purpose: warnings, but exit 0.
    assert result.code == 0 and "0 errors, 3 warnings in 2 files" in result.err
    assert not (root / "output").exists()
    minimal = fixture_site("minimal")
    result = run_cli("check", "--root", minimal)
    assert result.code == 0 and result.out == "ok: 1 cases, 0 pages, no problems\n"
    assert result.err == "" and not (minimal / "output").exists()


def test_default_output_is_root_output(run_cli, fixture_site):
    root = fixture_site("minimal")
    assert run_cli("build", "--root", root).code == 0
    assert (root / "output/index.html").is_file()


def test_refuses_to_replace_foreign_directory(run_cli, fixture_site, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete", encoding="utf-8")
    result = run_cli("build", "--root", fixture_site("minimal"), "--output", precious)
    assert result.code == 1 and "not created by site-builder" in result.err
    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "do not delete"


def test_refuses_output_that_contains_the_site(run_cli, fixture_site):
    root = fixture_site("minimal")
    result = run_cli("build", "--root", root, "--output", root)
    assert result.code == 1 and "must not contain the site root" in result.err
    assert (root / "content/cases/only-case.md").is_file()


def test_new_creates_valid_case_and_refuses_overwrite(run_cli, fixture_site):
    root = fixture_site("minimal")
    result = run_cli(
        "new", "--root", root, "Ghost ships carry grain", "--tag", "grain", "--topic", "Economy"
    )
    assert result.code == 0 and result.out.strip() == "content/cases/ghost-ships-carry-grain.md"
    path = root / "content/cases/ghost-ships-carry-grain.md"
    text = path.read_text(encoding="utf-8")
    assert "## Summary" in text and "## Response" in text and "- grain" in text
    assert "\ndraft: true\n" in text  # unfinished: in serve and --drafts, not published
    assert run_cli("check", "--root", root).code == 0
    again = run_cli("new", "--root", root, "Ghost ships carry grain")
    assert again.code == 1 and "already exists" in again.err
    assert path.read_text(encoding="utf-8") == text
    # Published as written, it is flagged in check and build: the skeleton's text and claim.
    path.write_text(text.replace("draft: true\n", ""), encoding="utf-8")
    result = run_cli("check", "--root", root)
    assert [line for line in result.err.splitlines() if "placeholder-text" in line] == [
        "content/cases/ghost-ships-carry-grain.md:4: warning[placeholder-text]: published case "
        "with an empty 'claim'",
        "content/cases/ghost-ships-carry-grain.md:17: warning[placeholder-text]: published "
        "case still holds the placeholder text 'site-builder new' wrote",
        "content/cases/ghost-ships-carry-grain.md:21: warning[placeholder-text]: published "
        "case still holds the placeholder text 'site-builder new' wrote",
    ]
    build = run_cli("build", "--root", root, "--output", root / "out", "--strict")
    assert build.code == 1 and "error[placeholder-text]" in build.err


def test_user_site_template_overrides_theme_file_by_file(run_cli, fixture_site, tmp_path):
    root = fixture_site("minimal")
    (root / "templates").mkdir()
    (root / "templates/page.html").write_text("unused", encoding="utf-8")
    (root / "templates/home.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="mine">{{ total }} cases</p>{% endblock %}',
        encoding="utf-8",
    )
    assert run_cli("build", "--root", root, "--output", tmp_path / "out").code == 0
    home = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    assert '<p id="mine">1 cases</p>' in home and 'class="skip-link"' in home
    assert (tmp_path / "out/cases/only-case/index.html").read_text(encoding="utf-8").count(
        "Summary"
    ) >= 1


def test_site_static_file_overrides_theme_and_theme_files_remain(run_cli, fixture_site, tmp_path):
    root = fixture_site("minimal")
    (root / "templates/static").mkdir(parents=True)
    (root / "templates/static/style.css").write_text("body { color: red; }\n", encoding="utf-8")
    (root / "templates/static/extra.js").write_text("// mine\n", encoding="utf-8")
    result = run_cli("build", "--root", root, "--output", tmp_path / "out")
    assert result.code == 0
    assert (tmp_path / "out/static/style.css").read_text(
        encoding="utf-8"
    ) == "body { color: red; }\n"
    assert (tmp_path / "out/static/extra.js").is_file()


def test_bench_reports_cold_noop_and_one_edit_builds(run_cli, tmp_path):
    """A tiny `bench`: every figure the table shows, no-op and one-edit as medians of three
    runs (three edits of different cases, each rebuilding only what it reached)."""
    report = tmp_path / "bench.json"
    result = run_cli(
        "bench", "--sizes", "40", "--jobs", "1", "--workdir", tmp_path / "w", "--json", report,
        "--no-real",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "| 40 |" in result.out
    [size] = json.loads(report.read_text(encoding="utf-8"))["results"]
    assert size["cold"]["written"] == size["cold"]["outputs"] > 40
    assert size["noop"]["written"] == 0 and len(size["noop_runs"]) == 3
    assert len(size["edit_runs"]) == 3
    assert 0 < size["one_edit"]["written"] < size["cold"]["outputs"]
    assert size["one_edit"]["seconds"] == sorted(size["edit_runs"])[1]


def test_theme_adds_stylesheets_and_a_head_snippet_without_copying_a_template(
    run_cli, fixture_site, tmp_path
):
    root = fixture_site("minimal")
    with (root / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[theme]\nstylesheets = ["static/brand.css"]\nhead = "head.html"\n')
    missing = run_cli("check", "--root", root)
    assert missing.code == 1
    assert "site.toml:6: error: stylesheet 'static/brand.css' not found" in missing.err
    assert "site.toml:7: error: head template 'head.html' not found" in missing.err
    (root / "templates/static").mkdir(parents=True)
    (root / "templates/static/brand.css").write_text(":root { --accent: #8a1538; }\n")
    (root / "templates/head.html").write_text('<meta name="theme-color" content="#8a1538">\n')
    assert run_cli("build", "--root", root, "--output", tmp_path / "out").code == 0
    page = (tmp_path / "out/cases/only-case/index.html").read_text(encoding="utf-8")
    head = page.split("</head>")[0]
    assert head.index("static/style.css") < head.index('href="../../static/brand.css"')
    assert '<meta name="theme-color" content="#8a1538">' in head
    assert (tmp_path / "out/static/brand.css").is_file()
