"""Unit tests for site_builder.changes: which builds count as text edits, which pages they reach."""

import dataclasses
import datetime as dt

from site_builder.changes import (
    SiteState,
    card_digest,
    decode_state,
    encode_state,
    new_state,
    reached,
    text_edit,
)
from site_builder.model import Case


def case(slug: str, **changes: object) -> Case:
    base = Case(slug, f"Title {slug}", dt.date(2024, 1, 2), "Claim text.", "False.", f"{slug}.md")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def state(cases: list[Case]) -> SiteState:
    sources = {c.slug: f"digest-{c.slug}" for c in cases}
    return new_state(b"setting", sources, cases, ["tags/index.html"])


def test_state_survives_encoding_and_damage_reads_as_none():
    cases = [case("a"), case("b")]
    found = state(cases)
    assert decode_state(encode_state(found)) == found
    assert decode_state(b"\xc1\xc1") is None
    assert decode_state(b"") is None


def test_only_a_change_of_text_is_a_text_edit():
    cases = {c.slug: c for c in (case("a"), case("b"))}
    previous = state(list(cases.values()))
    sources = dict(previous.sources)
    assert text_edit(previous, b"setting", sources, cases) == frozenset()
    sources["a"] = "edited"
    edited = dict(cases, a=case("a", summary="Other words.", summary_html="<p>Other</p>"))
    assert text_edit(previous, b"setting", sources, edited) == {"a"}
    # A title, a tag or a date is on list pages: not a text edit.
    for change in ({"title": "New"}, {"tags": ("x",)}, {"date": dt.date(2020, 1, 1)}):
        other = dict(cases, a=case("a", **change))
        assert text_edit(previous, b"setting", sources, other) is None, change
    assert text_edit(previous, b"other setting", sources, edited) is None
    assert text_edit(None, b"setting", sources, edited) is None
    added = dict(edited, c=case("c"))
    assert text_edit(previous, b"setting", dict(sources, c="new"), added) is None


def test_card_digest_ignores_text_fields_only():
    assert card_digest(case("a")) == card_digest(case("a", response="Changed.", response_line=9))
    assert card_digest(case("a")) != card_digest(case("a", claim="A claim"))


def test_reached_pages_are_the_edited_the_moved_and_their_listers():
    listers = {"b": frozenset({"a", "c"}), "x": frozenset({"y"})}

    def listing(slugs: frozenset[str]) -> frozenset[str]:
        return frozenset().union(*(listers.get(s, frozenset()) for s in slugs))

    everything = ["a", "b", "c", "d", "e", "x", "y"]
    assert reached(frozenset({"e"}), frozenset({"b"}), listing, everything) == {"e", "b", "a", "c"}
    assert reached(frozenset({"e"}), frozenset(), listing, everything) == {"e"}
    # Without a graph to compare with, every page may have moved.
    assert reached(frozenset({"e"}), None, listing, everything) == set(everything)
