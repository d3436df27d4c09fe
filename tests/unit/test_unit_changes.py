"""Unit tests for site_builder.changes: which builds count as text edits, which pages they reach."""

import dataclasses
import datetime as dt

from site_builder.changes import (
    SiteState,
    card_digest,
    decode_state,
    edge_digests,
    encode_state,
    new_state,
    reached,
    text_edit,
)
from site_builder.model import Case, RelatedEntry, RelatedGraph


def case(slug: str, **changes: object) -> Case:
    base = Case(slug, f"Title {slug}", dt.date(2024, 1, 2), "Claim text.", "False.", f"{slug}.md")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def entry(slug: str, score: float = 1.0) -> RelatedEntry:
    return RelatedEntry(slug, score, ("shares tags: x",), False)


def state(cases: list[Case], graph: RelatedGraph) -> SiteState:
    sources = {c.slug: f"digest-{c.slug}" for c in cases}
    return new_state(b"setting", sources, cases, edge_digests(graph), ["tags/index.html"])


def test_state_survives_encoding_and_damage_reads_as_none():
    cases = [case("a"), case("b")]
    found = state(cases, RelatedGraph({"a": (entry("b"),), "b": ()}))
    assert decode_state(encode_state(found)) == found
    assert decode_state(b"\xc1\xc1") is None
    assert decode_state(b"") is None


def test_only_a_change_of_text_is_a_text_edit():
    cases = {c.slug: c for c in (case("a"), case("b"))}
    previous = state(list(cases.values()), RelatedGraph({}))
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


def test_reached_pages_are_the_edited_the_moved_and_their_neighbours():
    before = RelatedGraph(
        {
            "a": (entry("b"),),
            "b": (entry("a"),),
            "c": (entry("b"),),
            "d": (entry("c"),),
            "e": (),
        }
    )
    cases = [case(s) for s in "abcde"]
    previous = state(cases, before)
    # Only b's entries move; c shows b as a neighbour (and draws b's links); d shows c only.
    after = RelatedGraph(dict(before.edges, b=(entry("a", 2.0),)))
    pages, moved = reached(frozenset({"e"}), previous, after, edge_digests(after))
    assert moved
    assert pages == {"e", "b", "a", "c"}
    same, moved = reached(frozenset({"e"}), previous, before, edge_digests(before))
    assert (same, moved) == ({"e"}, False)
