"""Unit tests for site_builder.markdown."""

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder import markdown
from site_builder.markdown import (
    _parsed_headings,
    _scan_headings,
    link_lines,
    render,
    split_sections,
)


def test_raw_html_escaped_by_default():
    html = render("hi <script>alert(1)</script>").html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_allow_html_sanitises_script_but_keeps_em():
    html = render(
        'hi <em>there</em> <script>alert(1)</script>\n\n<div onclick="x()">d</div>', allow_html=True
    ).html
    assert "<script" not in html and "alert(1)" not in html
    assert "<em>there</em>" in html
    assert "onclick" not in html


@pytest.mark.parametrize("allow_html", [False, True])
def test_javascript_link_has_no_href(allow_html):
    html = render("[click](javascript:alert(1))", allow_html=allow_html).html
    assert 'href="javascript' not in html.lower()
    assert "<a" not in html


def test_root_relative_link_rewritten():
    rendered = render("[x](/cases/x/) [y](https://e.org/a) [z](//cdn.org/p)", link_prefix="../../")
    assert 'href="../../cases/x/"' in rendered.html
    assert 'href="https://e.org/a"' in rendered.html
    assert 'href="//cdn.org/p"' in rendered.html
    assert rendered.links == ("/cases/x/", "https://e.org/a", "//cdn.org/p")


def test_root_relative_image_rewritten():
    html = render("![alt](/img/a.png)", link_prefix="../").html
    assert 'src="../img/a.png"' in html


def test_table():
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n").html
    assert "<table>" in html and "<td>1</td>" in html


def test_footnote_ids_prefixed_by_doc_id():
    text = "Text[^1]\n\n[^1]: a note\n"
    one = render(text, doc_id="case-a").html
    two = render(text, doc_id="case-b").html
    assert 'id="fn-case-a-1"' in one and 'href="#fn-case-a-1"' in one
    assert 'id="fn-case-b-1"' in two
    assert "case-b" not in one and "case-a" not in two


def test_headings_get_anchor_ids():
    html = render("## Why it is false\n\n### Sub part\n").html
    assert '<h2 id="why-it-is-false">' in html
    assert '<h3 id="sub-part">' in html


def test_text_is_plain():
    rendered = render("## Head\n\nSome **bold** and [a link](/x/) `code`.\n\n- item\n")
    assert rendered.text == "Head Some bold and a link code. item"
    assert "<" not in rendered.text and "*" not in rendered.text


def test_split_sections_case_insensitive_with_lines():
    body = "intro\n\n## summary\n\nThe claim.\n\n## RESPONSE:\n\nThe answer.\n"
    sections, problems = split_sections(body, 10)
    assert problems == []
    assert sections.summary == "The claim."
    assert sections.response == "The answer."
    assert sections.summary_line == 12
    assert sections.response_line == 16


def test_missing_sections_reported_at_body_line():
    sections, problems = split_sections("just text\n", 7)
    assert sections is None
    assert problems == [
        (7, "missing '## Summary' section"),
        (7, "missing '## Response' section"),
    ]


def test_reversed_sections():
    sections, problems = split_sections("## Response\n\nB\n\n## Summary\n\nA\n", 5)
    assert sections is None
    (line, message) = problems[0]
    assert line == 5 and "comes before" in message


def test_empty_sections():
    sections, problems = split_sections("## Summary\n\n## Response\n\n", 3)
    assert sections is None
    assert problems == [(3, "'## Summary' section is empty"), (5, "'## Response' section is empty")]


def test_h3_summary_does_not_count():
    _, problems = split_sections("### Summary\n\nA\n\n## Response\n\nB\n", 1)
    assert problems == [(1, "missing '## Summary' section")]


def test_text_keeps_words_apart_across_line_breaks():
    assert render("first line\nsecond line").text == "first line second line"


def test_link_lines_finds_targets_with_their_lines_like_render():
    text = (
        "Hello [a](/cases/x/) and\nmore [b](../y/)\n\n```\n[c](/no/)\n```\n\n"
        "Ref [d][r] and ![img](/static/i.png)\n\n[r]: /tags/foo/\n\nNote[^1].\n\n"
        "[^1]: See [e](/cases/z/).\n"
    )
    assert link_lines(text) == (
        ("/cases/x/", 0),
        ("../y/", 1),
        ("/tags/foo/", 9),
        ("/static/i.png", 7),
        ("/cases/z/", 13),
    )
    assert [target for target, _ in link_lines(text)] == list(render(text).links)


LINES = st.sampled_from(
    [
        "## Summary", "## Response", "## summary:", "##  Response  ##", "## Summary #",
        "## Other", "##", "## #", "##Summary", "### Summary", "#  Summary", "## **Summary**",
        "  ## Summary", "\t## Response", "> ## Summary", "- ## Response", "1. ## Summary",
        "- - ## Summary", "Summary", "Response", "---", "===", "  ---", "- - -", "***",
        "```", "~~~", "    ## Summary", "<div>", "</div>", "<!-- x -->", "> quote",
        "- item", "1. item", "  continued", "", "", "", "Text with a [link](/x/).",
        "[ref]:", "[ref]: /url", "\\## Summary", "## Summary\\#", "Plain # hash",
    ]
)  # fmt: skip


@settings(max_examples=1500)
@given(st.lists(LINES, max_size=8))
def test_line_scan_finds_exactly_the_sections_the_parser_finds(lines):
    """Where the line scan answers at all, it agrees with markdown-it on the two sections."""
    body = "\n".join(lines)

    def sections(headings):
        return [
            (text.lower().rstrip(":"), line)
            for text, line in headings
            if text.lower().rstrip(":") in ("summary", "response")
        ]

    scanned = _scan_headings(body)
    if scanned is not None:
        assert sections(scanned) == sections(_parsed_headings(body))


def test_line_scan_handles_plain_bodies_and_defers_tricky_ones():
    assert _scan_headings("Intro\n\n## Summary\n\nText.\n\n## Response\n\n- a\n- b\n") == [
        ("Summary", 2),
        ("Response", 6),
    ]
    for tricky in ("```\n## Summary\n```", "Summary\n---", "> ## Summary", "<div>\n## Summary"):
        assert _scan_headings(tricky) is None


PLAIN_LINE = st.from_regex(
    r"[A-Za-z\u00e9\u00b2\u0416][A-Za-z0-9 ,.;:'\"?!()%/$+=@#\-\u00e9]{0,12}", fullmatch=True
)
ANY_CHAR = st.sampled_from(
    list("aZ9 \n\t\r\0\u00a0\u3000,.;:'\"?!()%/$+=@#-_*[]<>&`\\|~^{}\u00e9\u00b2")
)


WORDS = st.from_regex(r"[A-Za-z\u00e9\u0416 ,.'\"?!()/-]{0,8}", fullmatch=True)
EMPHASIS = st.from_regex(r"\*[A-Za-z9 _\u00e9]{0,6}\*", fullmatch=True)
TARGET = st.one_of(
    st.from_regex(
        r"(https?://|HTTP://|/|//|\.\./|mailto:)[A-Za-z0-9._~/:?=#&%()\\ -]{0,10}", fullmatch=True
    ),
    st.from_regex(
        r"https?://[A-Za-z0-9.~-]{1,6}(:[0-9]{0,3})?[/?#~]?[A-Za-z0-9._~/:?=#-]{0,8}",
        fullmatch=True,
    ),
)
LINK = st.builds(
    "[{}]({})".format, st.lists(st.one_of(WORDS, EMPHASIS), max_size=3).map("".join), TARGET
)
INLINE_LINE = st.builds(
    "".join,
    st.lists(
        st.one_of(WORDS, EMPHASIS, LINK, st.sampled_from(["!", "*", "[", "]", "\\", "_", "  "])),
        min_size=1,
        max_size=5,
    ),
)


def _tokenized(text: str, allow_html: bool) -> markdown.Rendered:
    """`render` forced through markdown-it, the reference for the fast paths."""
    with mock.patch.object(markdown, "_simple", lambda text: False):
        return render(text, link_prefix="../../", allow_html=allow_html, doc_id="summary")


@settings(max_examples=1500)
@given(
    st.one_of(
        st.lists(st.one_of(st.just(""), PLAIN_LINE), max_size=8).map("\n".join),
        st.text(ANY_CHAR, max_size=40),
        st.lists(st.one_of(st.just(""), PLAIN_LINE, st.text(ANY_CHAR, max_size=6)), max_size=6).map(
            "\n".join
        ),
        st.lists(st.one_of(st.just(""), PLAIN_LINE, INLINE_LINE), max_size=6).map("\n".join),
    ),
    st.booleans(),
)
def test_fast_paths_render_exactly_like_markdown_it(text, allow_html):
    fast = render(text, link_prefix="../../", allow_html=allow_html, doc_id="summary")
    assert fast == _tokenized(text, allow_html)


def test_plain_paragraph_path_is_taken_only_for_plain_text():
    assert markdown._is_plain('Words, "quotes" and 3 digits.\nNext line\n\nNew one')
    for markup in ("a *b*", "a_b", "[x](/y/)", "x  \ny", "1. item", "- item", "  indented", "a\tb"):
        assert not markdown._is_plain(markup), markup


def test_simple_path_takes_links_and_emphasis_and_nothing_trickier():
    text = "Sources: [the *original* article](https://a.example/x-1) and *this*.\n\nSee [it](/cases/b/)."
    assert markdown._simple(text)
    rendered = render(text, link_prefix="../../")
    assert rendered.links == ("https://a.example/x-1", "/cases/b/")
    assert rendered.link_lines == (("https://a.example/x-1", 0), ("/cases/b/", 2))
    assert '<a href="../../cases/b/">it</a>' in rendered.html
    assert rendered.text == "Sources: the original article and this. See it."
    for tricky in (
        "![img](/a.png)",
        "[x](/a b)",
        "[x](javascript:alert(1))",
        "[x](//host/)",
        "[x] [y](/z/)",
        "*a*b*",
        "**strong**",
        "[x](/a)_",
        "[x](/a?b&amp;c)",
        "- [x](/a)",
    ):
        assert not markdown._simple(tricky), tricky


@pytest.mark.parametrize(
    "text", ["*9**9*", "[*9*](http://)[*9*](http://)", "x*a*y [*b*](/c/)", "[?](http://~:0)"]
)
def test_fast_paths_agree_on_found_edge_cases(text):
    assert render(text, link_prefix="../../") == _tokenized(text, allow_html=False)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("a &<>\"'&amp;\u00e9")))
def test_escape_is_markdown_it_escape(raw: str) -> None:
    """The simple path escapes without importing markdown-it, to the same bytes."""
    from markdown_it.common.utils import escapeHtml

    assert markdown._escape_html(raw) == escapeHtml(raw)


def test_simple_texts_do_not_import_the_tokenizer() -> None:
    """A one-edit rebuild of a plain case pays no markdown-it import (20 ms)."""
    import subprocess
    import sys

    code = (
        "import sys; from site_builder.markdown import render; "
        "render('Words and [a link](https://example.org/x), *some* emphasis.'); "
        "print('markdown_it' in sys.modules, 'nh3' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
