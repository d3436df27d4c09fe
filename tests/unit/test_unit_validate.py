"""Unit tests for site_builder.validate (FrontMatter built directly, so lines are exact)."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.config import SiteConfig
from site_builder.content import render_case
from site_builder.model import FrontMatter, Outlet
from site_builder.validate import (
    UNSAFE_LINK_RE,
    _may_have_unsafe_link,
    is_http_url,
    validate_case,
    validate_page,
)

BODY = "## Summary\n\nThe claim.\n\n## Response\n\nThe answer.\n"
PATH = "content/cases/c.md"


def make(data: dict, body: str = BODY) -> FrontMatter:
    """Key k sits on file line 2 + its index; list items follow on the next lines."""
    lines: dict[str, int] = {}
    line = 2
    for key, value in data.items():
        lines[key] = line
        line += 1
        if isinstance(value, list):
            for index in range(len(value)):
                lines[f"{key}[{index}]"] = line
                line += 1
    return FrontMatter(PATH, data, lines, body, line + 1)


def base(**data) -> dict:
    return {"title": "A title", "date": "2024-03-01", **data}


def check(data: dict, slug: str = "c", config: SiteConfig | None = None):
    return validate_case(make(data), slug, config or SiteConfig())


def only_error(data: dict, slug: str = "c"):
    case, diags = check(data, slug)
    errors = [d for d in diags if d.is_error]
    assert case is None
    assert len(errors) == 1, errors
    return errors[0]


def test_good_case():
    data = base(
        tags=["a", "b", "a"],
        topics=["health"],
        related=["other-case"],
        outlets=[{"name": "Site", "url": "https://e.org/x", "archived": "http://a.org/y"}],
        aliases=["/old/path"],
    )
    case, diags = check(data)
    assert diags == []
    assert case.slug == "c" and case.title == "A title"
    assert case.date == dt.date(2024, 3, 1)
    assert case.tags == ("a", "b") and isinstance(case.tags, tuple)
    assert case.topics == ("health",) and case.countries == ()
    assert case.outlets == (Outlet("Site", "https://e.org/x", "http://a.org/y"),)
    assert case.related == ("other-case",)
    assert case.related_lines == (make(data).key_lines["related[0]"],)
    assert case.aliases == ("/old/path/",)
    assert case.rating == "Disinformation"
    assert case.summary == "The claim." and case.response == "The answer."
    assert case.source_path == PATH and case.draft is False


def test_default_rating_from_config():
    case, _ = check(base(), config=SiteConfig(default_rating="Misleading"))
    assert case.rating == "Misleading"
    case, _ = check(base(rating="False"), config=SiteConfig(default_rating="Misleading"))
    assert case.rating == "False"


def test_single_string_tag_is_one_item_list():
    case, diags = check(base(tags="Kraków"))
    assert diags == [] and case.tags == ("Kraków",)


@pytest.mark.parametrize(
    ("data", "line", "needle"),
    [
        (base(title=["a", "b"]), 2, "'title' must be a string, got a list"),
        (base(tags={"a": 1}), 4, "'tags' must be a list of strings, got a mapping"),
        (base(date="2024-02-30"), 3, "must be a real date"),
        (base(date="last Tuesday"), 3, "'date' must be YYYY-MM-DD"),
        (base(date=20240301), 3, "'date' must be YYYY-MM-DD"),
        (base(updated="2024-02-01"), 4, "'updated' (2024-02-01) is before 'date' (2024-03-01)"),
        (base(lint_ignore=["orphan-cse"]), 5, "'lint_ignore' names unknown rule 'orphan-cse'"),
        (base(outlets="BBC"), 4, "'outlets' must be a list of mappings"),
        (base(outlets=["BBC"]), 5, "outlet 1 must be a mapping"),
        (base(outlets=[{"name": "A", "url": "ftp://x"}]), 5, "'url' must be an http(s) URL"),
        (base(outlets=[{"name": "A", "url": "javascript:alert(1)"}]), 5, "http(s) URL"),
        (base(outlets=[{"name": "A"}]), 5, "needs a 'url'"),
        (base(related=["c"]), 5, "lists itself"),
        (base(related=["Not A Slug"]), 5, "is not a case slug"),
        (base(aliases=["/a/../b"]), 5, "'..' segment"),
        (base(aliases=["https://e.org/a"]), 5, "without scheme or host"),
        (base(aliases=["//host/a"]), 5, "without scheme or host"),
        (base(aliases=["relative/a"]), 5, "starting with '/'"),
        (base(draft="yes"), 4, "'draft' must be true or false"),
    ],
)
def test_errors_with_lines(data, line, needle):
    diag = only_error(data)
    assert diag.line == line
    assert needle in diag.message
    assert diag.path == PATH


def test_long_claim_is_left_to_the_linter():
    """Claim length is the `claim-too-long` check rule (configurable), not the contract."""
    case, diags = check(base(claim="x" * 300))
    assert case is not None and diags == [] and case.claim == "x" * 300


def test_lint_ignore_and_lines_are_kept_for_later_stages():
    data = base(lint_ignore=["outlet-no-archive", "broken-link"], tags=["a"])
    body = "[before](/x/)\n## Summary\n\n\nThe [claim](/cases/a/).\n\n## Response\n![i](i.png)\n"
    fm = make(data, body=body)
    case, diags = validate_case(fm, "c", SiteConfig())
    assert diags == []
    assert case.lint_ignore == ("outlet-no-archive", "broken-link")
    assert case.line("title") == 2 and case.line("tags") == 7 and case.line("tags[0]") == 8
    assert case.line("nothing") is None
    # Links are found when the sections are rendered (content.render_case), with file lines;
    # links before '## Summary' are not rendered, so they are not kept.
    rendered = render_case(case, False, "\n" * (fm.body_line - 1) + body)
    assert rendered.links == (("/cases/a/", fm.body_line + 4), ("i.png", fm.body_line + 7))


def test_empty_optional_string_means_unset_but_empty_title_is_an_error():
    case, diags = check(base(claim="  ", rating=""))
    assert case.claim is None and case.rating == "Disinformation"
    # A published case with an empty claim is what `new` leaves behind: a warning, no error.
    assert [(d.severity, d.rule) for d in diags] == [("warning", "placeholder-text")]
    diag = only_error(base(title="   "))
    assert diag.line == 2 and "'title' must not be empty" in diag.message


def test_missing_title_and_date():
    case, diags = check({"tags": ["a"]})
    assert case is None
    messages = sorted(d.message for d in diags)
    assert messages == ["missing required field 'date'", "missing required field 'title'"]


def test_unknown_key_is_a_warning_naming_the_key():
    case, diags = check(base(colour="red"))
    assert case is not None
    (diag,) = diags
    assert diag.severity == "warning" and diag.rule == "unknown-key"
    assert "'colour'" in diag.message and diag.line == 4


def test_all_problems_of_a_file_reported_together():
    data = base(title={"x": 1}, date="2024-13-01", draft="yes", colour="red")
    case, diags = check(data)
    assert case is None
    assert sorted(d.line for d in diags if d.is_error) == [2, 3, 4]
    assert [d.severity for d in diags].count("warning") == 1


def test_body_section_problems_are_errors_at_body_lines():
    fm = make(base(), body="## Summary\n\nonly\n")
    case, diags = validate_case(fm, "c", SiteConfig())
    assert case is None
    (diag,) = diags
    assert diag.line == fm.body_line and "missing '## Response'" in diag.message


def test_page_requires_title():
    page, diags = validate_page(make({"menu": 1}, body="Hi"), "about")
    assert page is None
    assert [d.message for d in diags] == ["missing required field 'title'"]


def test_page_ok_and_menu_must_be_int():
    page, diags = validate_page(make({"title": "About", "menu": 2}, body="Hi"), "about")
    assert diags == [] and page.menu == 2 and page.title == "About" and page.body == "Hi"
    for bad in ("first", True, 1.5):
        page, diags = validate_page(make({"title": "About", "menu": bad}), "about")
        assert page is None
        (diag,) = diags
        assert diag.line == 3 and "'menu' must be a whole number" in diag.message


def test_page_keeps_lint_ignore_and_body_line():
    fm = make({"title": "About", "lint_ignore": "broken-link"}, body="Hi")
    page, diags = validate_page(fm, "about")
    assert diags == [] and page.lint_ignore == ("broken-link",) and page.body_line == fm.body_line
    page, diags = validate_page(make({"title": "About", "lint_ignore": ["nope"]}), "about")
    assert page is None and "unknown rule 'nope'" in diags[0].message


def test_draft_page_is_skipped_without_error():
    page, diags = validate_page(make({"title": "About", "draft": True}), "about")
    assert page is None and diags == []


UNSAFE_PIECES = st.sampled_from(
    [
        "](", "](<", "<", "href=", "SRC = '", 'href="', " ", "\n", ":", "javascript", "JavaScript",
        "vbscript", "data", "DATA", "jav", "ascript", "\u017f", "\u212a", "\u0131", "s", "k", "i",
        "https://e.org", "text", "x",
    ]
)  # fmt: skip


@settings(max_examples=1500)
@given(st.lists(UNSAFE_PIECES, max_size=10))
def test_colon_prefilter_never_hides_an_unsafe_link(pieces):
    """The cheap look behind each ':' must say yes wherever the full scan finds a link."""
    body = "".join(pieces)
    if UNSAFE_LINK_RE.search(body):
        assert _may_have_unsafe_link(body)


URL_PIECES = st.sampled_from(
    [
        "http", "https", "HTTP", "ftp", "://", ":", "//", "/", "?", "#", "@", "[", "]", "[::1]",
        " ", "\t", "\n", "\x00", "e.org", "x", ":80", "\u00e9", "\uff0f", "\\", "%20", "~",
    ]
)  # fmt: skip


@settings(max_examples=1500)
@given(st.lists(URL_PIECES, max_size=8))
def test_http_url_shortcut_agrees_with_urlsplit(pieces):
    value = "".join(pieces)
    try:
        parts = urlsplit(value)
    except ValueError:
        return  # such values never reach the shortcut: it takes only printable ASCII sans []
    expected = parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value
    assert is_http_url(value) == expected
