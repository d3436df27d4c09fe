"""Unit tests for site_builder.feeds: valid Atom, order, limits, dates from content only."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.config import SiteConfig
from site_builder.feeds import FEED_LIMIT, TERM_FEED_LIMIT, feed_outputs, feed_units, rfc3339
from site_builder.model import Case, RelatedGraph, SiteModel
from site_builder.taxonomy import build_terms

A = "{http://www.w3.org/2005/Atom}"
CONFIG = SiteConfig(title="T & Co", base_url="https://example.org/sub/", organisation="Org")


def plan_feeds(model, config):
    """Every feed, as the build's units render them (`feeds.feed_units`)."""
    return [output for unit in feed_units(model, config) for output in unit()]


def case(slug: str, day: int, **kw) -> Case:
    return Case(
        slug=slug,
        title=kw.pop("title", slug),
        date=dt.date(2020, 1, 1) + dt.timedelta(days=day),
        summary="s",
        response="r",
        source_path=f"content/cases/{slug}.md",
        **kw,
    )


def model(*cases: Case) -> SiteModel:
    ordered = tuple(sorted(cases, key=lambda c: (-c.date.toordinal(), c.slug)))
    terms, slugs, _ = build_terms(ordered)
    return SiteModel(ordered, {c.slug: c for c in ordered}, (), RelatedGraph({}), terms, slugs)


def feeds(m: SiteModel) -> dict[str, ET.Element]:
    return {f.output: ET.fromstring(f.data) for f in plan_feeds(m, CONFIG)}


def test_site_feed_is_atom_with_required_elements_newest_first():
    m = model(case("old", 1, tags=("x",)), case("new", 5, updated=dt.date(2021, 1, 1)))
    root = feeds(m)["feed.xml"]
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{name}") is not None, name
    assert root.findtext(f"{A}title") == "T & Co"
    assert root.findtext(f"{A}id") == "https://example.org/sub/feed.xml"
    assert root.findtext(f"{A}updated") == "2021-01-01T00:00:00Z"  # newest change, not clock
    self_link = root.find(f"{A}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == "https://example.org/sub/feed.xml"
    ids = [e.findtext(f"{A}id") for e in root.iter(f"{A}entry")]
    assert ids == ["https://example.org/sub/cases/new/", "https://example.org/sub/cases/old/"]
    entry = root.find(f"{A}entry")
    assert entry is not None and entry.findtext(f"{A}updated") == "2021-01-01T00:00:00Z"
    assert entry.findtext(f"{A}published") == rfc3339(dt.date(2020, 1, 6))


def test_limits_site_and_term_feeds_and_skips_drafts():
    cases = [case(f"c{i:03d}", i, tags=("big",)) for i in range(FEED_LIMIT + 10)]
    cases.append(case("zz-draft", 999, tags=("big",), draft=True))
    parsed = feeds(model(*cases))
    site_ids = [e.findtext(f"{A}id") for e in parsed["feed.xml"].iter(f"{A}entry")]
    assert len(site_ids) == FEED_LIMIT
    assert not any("zz-draft" in i for i in site_ids)
    assert site_ids[0].endswith(f"/cases/c{FEED_LIMIT + 9:03d}/")
    term_entries = list(parsed["tags/big/feed.xml"].iter(f"{A}entry"))
    assert len(term_entries) == TERM_FEED_LIMIT


def test_one_feed_per_term_and_outputs_match_plan():
    m = model(case("a", 1, tags=("x", "Kraków"), countries=("Poland",)), case("b", 2, tags=("x",)))
    planned = sorted(feeds(m))
    assert planned == sorted(feed_outputs(m))
    assert planned == [
        "countries/poland/feed.xml",
        "feed.xml",
        "tags/krakow/feed.xml",
        "tags/x/feed.xml",
    ]


def test_hostile_text_is_escaped_and_control_characters_dropped():
    title = 'A </title><script>&amp; \x0b ]]> "q"'
    m = model(case("h", 1, title=title, claim="x < y & z", tags=('"quoted" tag',)))
    entry = feeds(m)["feed.xml"].find(f"{A}entry")
    assert entry is not None
    assert entry.findtext(f"{A}title") == title.replace("\x0b", "")
    assert entry.findtext(f"{A}summary") == "Disinformation: x < y & z"
    category = entry.find(f"{A}category")
    assert category is not None and category.get("label") == '"quoted" tag'
    assert category.get("scheme") == "https://example.org/sub/tags/"


def test_same_input_same_bytes():
    def build() -> list[bytes]:
        return [f.data for f in plan_feeds(model(case("a", 1, tags=("x",))), CONFIG)]

    assert build() == build()


def test_empty_site_still_has_a_valid_feed():
    root = feeds(model())["feed.xml"]
    assert root.findtext(f"{A}updated") == "1970-01-01T00:00:00Z"
    assert list(root.iter(f"{A}entry")) == []


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from("ab &<>\"'\n\r\t\x00\x0b\ufffe\u00e9")))
def test_text_and_attributes_escape_as_saxutils_does(value: str) -> None:
    """feeds escapes without importing xml.sax.saxutils (12 ms of imports), to the same bytes."""
    from xml.sax.saxutils import escape, quoteattr

    from site_builder.feeds import _NOT_XML, _attr, _text

    clean = _NOT_XML.sub("", value)
    assert _text(value) == escape(clean)
    assert _attr(value) == quoteattr(clean)
