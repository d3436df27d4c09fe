"""Markdown means what CommonMark says: the fast path and the sanitiser are checked against
the 652 examples of the CommonMark spec (tests/fixtures/commonmark) and by property tests."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder import markdown
from site_builder.markdown import render
from site_builder.sanitise import URL_SCHEMES, clean

SPEC = json.loads(
    (Path(__file__).parents[1] / "fixtures/commonmark/spec-0.31.2.json").read_text("utf-8")
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _tokenized(text: str, allow_html: bool) -> markdown.Rendered:
    """`render` forced through markdown-it, the reference for the fast paths."""
    with mock.patch.object(markdown, "_simple", lambda text: False):
        return render(text, link_prefix="../../", allow_html=allow_html)


@pytest.mark.parametrize("allow_html", [False, True])
def test_fast_path_agrees_with_markdown_it_on_every_spec_example(allow_html):
    for example in SPEC:
        text = example["markdown"]
        fast = render(text, link_prefix="../../", allow_html=allow_html)
        assert fast == _tokenized(text, allow_html), example["example"]


class _Events(HTMLParser):
    """An HTML fragment as (start tag, sorted attributes) / end tag / text events, so that two
    serialisations of one tree compare equal (`<br />` = `<br>`, `&quot;` = `"`)."""

    def __init__(self, drop_unsafe_urls: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, ...] | tuple[str, str, tuple[tuple[str, str], ...]]] = []
        self.drop = drop_unsafe_urls

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = []
        for name, value in attrs:
            scheme = _SCHEME.match(value or "")
            unsafe = scheme is not None and scheme[1].lower() not in URL_SCHEMES
            if not (self.drop and name in ("href", "src") and unsafe):
                kept.append((name, value or ""))
        self.events.append(("start", tag, tuple(sorted(kept))))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.events and self.events[-1][0] == "text":
            data = str(self.events.pop()[1]) + data
        self.events.append(("text", data))


def _events(html: str, drop_unsafe_urls: bool = False) -> list:
    parser = _Events(drop_unsafe_urls)
    parser.feed(html)
    parser.close()
    return parser.events


def test_sanitiser_keeps_everything_markdown_produces_on_every_spec_example():
    """`<ol start>`, classes, ids, titles, alignment: only URLs of other schemes go (by design:
    http, https and mailto links only)."""
    md = markdown._parser(False)
    for example in SPEC:
        html = md.render(example["markdown"])
        assert _events(clean(html)) == _events(html, drop_unsafe_urls=True), example["example"]


@pytest.mark.parametrize("number", [267, 269, 270, 273, 298, 299, 301, 304])
def test_ordered_lists_keep_their_start_with_raw_html_allowed(number):
    (example,) = [e for e in SPEC if e["example"] == number]
    html = render(example["markdown"], allow_html=True).html
    assert _events(html) == _events(example["html"])


def test_footnotes_tables_and_heading_ids_survive_the_sanitiser():
    text = "## Why\n\nText[^1].\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n[^1]: The note.\n"
    assert _events(render(text, allow_html=True).html) == _events(render(text).html)
    html = render(text, allow_html=True).html
    assert '<section class="footnotes">' in html and '<h2 id="why">' in html


def test_root_relative_links_in_raw_html_get_the_link_prefix():
    text = '<a href="/cases/x/">raw</a> [md](/cases/y/) <img src="/static/a.png" alt="a">\n'
    html = render(text, allow_html=True, link_prefix="../../").html
    assert '<a href="../../cases/x/">raw</a>' in html
    assert '<a href="../../cases/y/">md</a>' in html
    assert '<img src="../../static/a.png" alt="a">' in html
    external = render(
        '<a href="//cdn.example/x">a</a> <a href="https://e.org/">b</a>', allow_html=True
    )
    assert 'href="//cdn.example/x"' in external.html and 'href="https://e.org/"' in external.html


def test_raw_html_cannot_take_a_template_id_or_position_an_overlay():
    text = '<div id="main" style="position:fixed">x</div>\n\n<table><tr><td style="text-align:right;position:fixed">1</td></tr></table>\n'
    html = render(text, allow_html=True).html
    assert 'id="main"' not in html and "position" not in html
    assert 'style="text-align:right"' in html


_LABEL = st.from_regex(r"[A-Za-z0-9-]{0,70}", fullmatch=True)
_HOST = st.lists(_LABEL, min_size=1, max_size=8).map(".".join) | st.integers(240, 300).map(
    lambda n: ("ab." * n)[:n]
)
_LONG_HOST_LINK = st.builds(
    "[x](http{}://{}{}{})".format,
    st.sampled_from(["", "s"]),
    _HOST,
    st.sampled_from(["", ":80", ":"]),
    st.sampled_from(["", "/", "/p?q#f", "?", "#"]),
)


@settings(max_examples=500)
@given(st.lists(st.one_of(_LONG_HOST_LINK, st.just(" and "), st.just("\n")), max_size=4))
def test_fast_path_agrees_on_long_hosts_and_labels(parts):
    """mdurl empties a host over 255 characters and splits a label over 63 behind the port:
    the fast path either renders such a link as markdown-it does or leaves it to it."""
    text = "Sources: " + "".join(parts)
    for allow_html in (False, True):
        fast = render(text, link_prefix="../../", allow_html=allow_html)
        assert fast == _tokenized(text, allow_html)
