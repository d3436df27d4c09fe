"""Unit tests for site_builder.lint: every check rule both ways, and the rule settings."""

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.config import LintConfig, SiteConfig
from site_builder.content import render_case
from site_builder.diagnostics import Diagnostic, error, warning
from site_builder.lint import (
    CHECK_RULES,
    LintContext,
    _near_duplicates,
    apply_settings,
    broken_link,
    claim_too_long,
    duplicate_title,
    file_ignores,
    future_date,
    lint_site,
    missing_required_term,
    near_duplicate_term,
    outlet_no_archive,
    term_spelling,
)
from site_builder.markdown import split_sections
from site_builder.model import Case, Outlet, Page, RelatedGraph, SiteModel
from site_builder.rules import RULE_IDS, RULES
from site_builder.taxonomy import build_terms

TODAY = dt.date(2024, 6, 1)
LINES = (
    ("title", 2),
    ("date", 3),
    ("updated", 4),
    ("claim", 5),
    ("tags", 6),
    ("countries", 7),
    ("outlets", 8),
    ("outlets[0]", 9),
    ("outlets[1]", 12),
)


def case(slug: str, **kw) -> Case:
    fields = {
        "title": f"Title of {slug}",
        "date": dt.date(2024, 1, 1),
        "summary": "The claim.",
        "response": "The answer.",
        "source_path": f"content/cases/{slug}.md",
        "lines": LINES,
        **kw,
    }
    return Case(slug=slug, **fields)


def model_of(*cases: Case, pages: tuple[Page, ...] = ()) -> SiteModel:
    ordered = tuple(sorted(cases, key=lambda c: (-c.date.toordinal(), c.slug)))
    terms, term_slugs, _ = build_terms(ordered)
    return SiteModel(
        ordered, {c.slug: c for c in ordered}, pages, RelatedGraph({}), terms, term_slugs
    )


def run(rule, *cases: Case, pages: tuple[Page, ...] = (), **lint) -> list[Diagnostic]:
    ctx = LintContext(model_of(*cases, pages=pages), SiteConfig(lint=LintConfig(**lint)), TODAY)
    return sorted(rule(ctx), key=lambda d: (d.path, d.line or 0, d.message))


def where(diags: list[Diagnostic]) -> list[tuple[str, int | None]]:
    return [(d.path.removeprefix("content/cases/"), d.line) for d in diags]


def test_every_check_rule_is_in_the_catalogue_and_runs_in_check():
    ids = [rule_id for rule_id, _ in CHECK_RULES]
    assert len(ids) == len(set(ids))
    assert set(ids) == {r.id for r in RULES if r.stage == "check"}
    assert {r.id for r in RULES if r.stage == "build"} >= {"orphan-case", "near-duplicate-case"}
    assert len(RULE_IDS) == len(RULES)


# outlet-no-archive


def test_outlet_without_archive_is_flagged_at_its_item():
    outlets = (
        Outlet("Kept", "https://a.example/1", "https://archive.example/1"),
        Outlet("Lost", "https://b.example/2", None),
    )
    (diag,) = run(outlet_no_archive, case("a", outlets=outlets))
    assert (diag.line, diag.rule, diag.severity) == (12, "outlet-no-archive", "warning")
    assert diag.message == "outlet 'Lost' has no archived copy"


def test_archived_outlets_pass():
    outlets = (Outlet("Kept", "https://a.example/1", "https://archive.example/1"),)
    assert run(outlet_no_archive, case("a", outlets=outlets), case("b")) == []


# missing-required-term


def test_required_taxonomy_without_terms_is_flagged():
    diags = run(
        missing_required_term,
        case("a", countries=("Poland",)),
        case("b", tags=("x",)),
        required_taxonomies=("countries", "tags"),
    )
    assert [(d.path, d.message) for d in diags] == [
        ("content/cases/a.md", "no tags given; site.toml requires at least one"),
        ("content/cases/b.md", "no countries given; site.toml requires at least one"),
    ]
    assert diags[1].line == 7  # the (empty) key's line when the file has one


def test_nothing_is_required_by_default():
    assert run(missing_required_term, case("a")) == []


# term-spelling


def test_minority_spelling_of_a_merged_term_is_flagged():
    cases = (
        case("a", countries=("Ukraine",)),
        case("b", countries=("Ukraine",)),
        case("c", countries=("ukraine",)),
    )
    (diag,) = run(term_spelling, *cases)
    assert where([diag]) == [("c.md", 7)]
    assert diag.message == "countries term 'ukraine' is written 'Ukraine' in 2 other cases"


def test_diacritic_variants_are_flagged_but_one_spelling_is_not():
    (diag,) = run(term_spelling, case("a", tags=("Kraków",)), case("b", tags=("Krakow",)))
    assert where([diag]) == [("a.md", 6)] and "written 'Krakow' in 1 other case" in diag.message
    assert run(term_spelling, case("a", tags=("Kraków",)), case("b", tags=("Kraków",))) == []


# near-duplicate-term


def test_rare_misspelling_of_a_common_term_is_flagged():
    cases = (
        case("a", countries=("Ukraine",)),
        case("b", countries=("Ukraine",)),
        case("c", countries=("Ukrainee",)),
    )
    (diag,) = run(near_duplicate_term, *cases)
    assert where([diag]) == [("c.md", 7)] and diag.rule == "near-duplicate-term"
    assert diag.message == (
        "countries term 'Ukrainee' (1 case) looks like a misspelling of 'Ukraine' (2 cases)"
    )


def test_equal_use_flags_exactly_one_side():
    diags = run(near_duplicate_term, case("a", tags=("vaccine",)), case("b", tags=("vaccines",)))
    assert where(diags) == [("b.md", 6)]


def test_distinct_terms_are_not_near_duplicates():
    cases = (
        case("a", countries=("Iran", "Austria"), tags=("election 2023",), languages=("Latvian",)),
        case("b", countries=("Iraq", "Australia"), tags=("election 2024",)),
        case("c", countries=("Latvia", "Slovakia")),
        case("d", countries=("Slovenia",)),
    )
    assert run(near_duplicate_term, *cases) == []


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text(alphabet="abcde1-", min_size=1, max_size=12),
        st.integers(min_value=1, max_value=4),
        max_size=25,
    )
)
def test_length_buckets_find_what_comparing_all_pairs_finds(sizes):
    found = _near_duplicates(sizes)
    for slug, better in found.items():
        assert (sizes[better], slug) > (sizes[slug], better)
    for a, b in itertools.permutations(sizes, 2):
        limit = 0 if min(len(a), len(b)) < 5 else 1 if min(len(a), len(b)) < 10 else 2
        digits_equal = (
            "".join(c if c.isdigit() else " " for c in a).split()
            == "".join(c if c.isdigit() else " " for c in b).split()
        )
        if 0 < _distance(a, b) <= limit and digits_equal and (sizes[b], a) > (sizes[a], b):
            assert a in found, (a, b)


# future-date


def test_future_date_and_updated_are_flagged():
    diags = run(
        future_date,
        case("a", date=dt.date(2024, 6, 2)),
        case("b", date=dt.date(2024, 5, 1), updated=dt.date(2025, 1, 1)),
    )
    assert where(diags) == [("a.md", 3), ("b.md", 4)]
    assert diags[0].message == "'date' 2024-06-02 is in the future (today is 2024-06-01)"


def test_today_past_and_scheduled_drafts_pass():
    cases = (
        case("a", date=TODAY, updated=TODAY),
        case("b", date=dt.date(2020, 1, 1)),
        case("c", date=dt.date(2030, 1, 1), draft=True),
    )
    assert run(future_date, *cases) == []


# duplicate-title


def test_same_title_ignoring_case_and_spaces_flags_every_file():
    cases = (case("a", title="Moon  base"), case("b", title="moon base"), case("c"))
    diags = run(duplicate_title, *cases)
    assert where(diags) == [("a.md", 2), ("b.md", 2)]
    assert diags[0].message == "title 'Moon  base' is also used by content/cases/b.md"


def test_long_duplicate_lists_are_shortened():
    diags = run(duplicate_title, *(case(f"c{i}", title="Same") for i in range(6)))
    assert len(diags) == 6 and diags[0].message.endswith("and 2 more")


def test_distinct_titles_pass():
    assert run(duplicate_title, case("a"), case("b")) == []


# claim-too-long


def test_claim_longer_than_the_limit_is_flagged():
    (diag,) = run(claim_too_long, case("a", claim="x" * 141), case("b", claim="x" * 140))
    assert where([diag]) == [("a.md", 5)]
    assert diag.message == "'claim' is 141 characters; keep it to 140"


def test_claim_limit_comes_from_site_toml():
    (diag,) = run(claim_too_long, case("a", claim="x" * 51), max_claim_length=50)
    assert diag.message.endswith("keep it to 50")
    assert run(claim_too_long, case("a", claim="x" * 200), max_claim_length=200) == []


# broken-link


def linking(response: str, slug: str = "a", summary: str = "S.", **kw) -> Case:
    """A case whose body starts on line 20: Summary heading 20, its text 22, Response 24+."""
    body = f"## Summary\n\n{summary}\n\n## Response\n\n{response}\n"
    sections, problems = split_sections(body, 20)
    assert sections is not None and not problems
    plain = case(
        slug,
        summary=sections.summary,
        response=sections.response,
        summary_line=sections.summary_line,
        response_line=sections.response_line,
        tags=("vaccines",),
        **kw,
    )
    return render_case(plain, False, "\n" * 19 + body)


def test_link_to_missing_case_names_a_close_slug():
    (diag,) = run(broken_link, linking("See [b](/cases/moon-bse/)."), case("moon-base"))
    assert (diag.path, diag.line, diag.rule) == ("content/cases/a.md", 26, "broken-link")
    assert diag.message == "link to case 'moon-bse', which does not exist"
    assert diag.hint == "did you mean 'moon-base'?"


def test_links_to_existing_pages_pass():
    text = (
        "[a](/cases/moon-base/) [b](../moon-base/#x) [c](/tags/vaccines/) [d](/tags/) "
        "[e](/tags/vaccines/page/2/) [f](https://example.org/cases/nope/) [g](#top) "
        "[h](/static/img.png) [i](/about/) [j](/old/moon/) [k](mailto:x@example.org) "
        "[l](/cases/moon-base)"
    )
    model_cases = (linking(text), case("moon-base", aliases=("/old/moon/",)))
    assert run(broken_link, *model_cases) == []


def test_links_to_missing_sections_and_terms_are_flagged():
    text = (
        "First line.\n\n[a](/cases/)\n[b](/tags/vacines/)\n[c](moon-base/)\n"
        "[d](../../countries/nowhere/)\n\n```\n[e](/cases/in-code/)\n```\n"
    )
    diags = run(broken_link, linking(text), case("moon-base"))
    assert [(d.line, d.message) for d in diags] == [
        (28, "link to /cases/, which has no index page"),
        (29, "link to tags term 'vacines', which has no page"),
        (30, "link to '/cases/a/moon-base/', which has no page"),
        (31, "link to countries term 'nowhere', which has no page"),
    ]
    assert diags[1].hint == "did you mean 'vaccines'?"
    assert diags[2].hint == "did you mean '/cases/moon-base/'?"


def test_reference_links_and_summary_lines():
    text = "Intro.\n\nSee [the case][ref].\n\n[ref]: /cases/gone/"
    (diag,) = run(broken_link, linking("R.", summary=text))
    assert diag.line == 26  # the definition, where the slug is written


def test_link_to_draft_is_broken_for_published_cases_only():
    draft = case("later", draft=True)
    (diag,) = run(broken_link, linking("[x](/cases/later/)"), draft)
    assert "draft case 'later'" in diag.message
    assert run(broken_link, linking("[x](/cases/later/)", draft=True), draft) == []


def test_page_bodies_are_checked_relative_to_the_page():
    page = Page("about", "About", "Hi.\n\n[ok](../cases/a/) [bad](/cases/b/)", "p.md", body_line=5)
    diags = run(broken_link, case("a"), pages=(page,))
    assert [(d.path, d.line, d.message) for d in diags] == [
        ("p.md", 7, "link to case 'b', which does not exist")
    ]


# lint_site and settings


def test_lint_site_runs_enabled_rules_only():
    model = model_of(case("a", claim="x" * 141, outlets=(Outlet("O", "https://o.example/", None),)))
    found = {d.rule for d in lint_site(model, SiteConfig(), today=TODAY)}
    assert found == {"claim-too-long", "outlet-no-archive"}
    config = SiteConfig(lint=LintConfig(disable=("outlet-no-archive",)))
    assert {d.rule for d in lint_site(model, config, today=TODAY)} == {"claim-too-long"}


def test_settings_drop_disabled_and_ignored_warnings_only():
    diags = [
        warning("a.md", 1, "orphan", rule="orphan-case"),
        warning("a.md", 2, "long", rule="claim-too-long"),
        warning("b.md", 2, "long", rule="claim-too-long"),
        warning("b.md", 3, "no rule"),
        error("a.md", 4, "broken"),
    ]
    kept = apply_settings(
        diags, LintConfig(disable=("orphan-case",)), {"a.md": frozenset({"claim-too-long"})}
    )
    assert [(d.path, d.line) for d in kept] == [("b.md", 2), ("b.md", 3), ("a.md", 4)]


def test_strict_turns_remaining_warnings_into_errors():
    diags = [warning("a.md", 1, "m", rule="claim-too-long"), warning("a.md", 2, "m", rule="x")]
    kept = apply_settings(diags, LintConfig(disable=("x",)), {}, strict=True)
    assert [(d.line, d.severity, d.rule) for d in kept] == [(1, "error", "claim-too-long")]


def test_file_ignores_come_from_cases_and_pages():
    model = model_of(
        case("a", lint_ignore=("orphan-case",)),
        case("b"),
        pages=(Page("about", "About", "", "content/pages/about.md", lint_ignore=("broken-link",)),),
    )
    assert file_ignores(model) == {
        "content/cases/a.md": frozenset({"orphan-case"}),
        "content/pages/about.md": frozenset({"broken-link"}),
    }
