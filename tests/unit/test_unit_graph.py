"""Unit tests for site_builder.graph."""

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.config import RelatedConfig
from site_builder.graph import EDITOR_REASON, build_graph, check_links
from site_builder.model import Case
from site_builder.taxonomy import build_terms

DAY = dt.date(2024, 1, 1)


def case(slug: str, related: tuple[str, ...] = (), **kw) -> Case:
    return Case(
        slug=slug,
        title=slug,
        date=DAY,
        summary="s",
        response="r",
        source_path=f"content/cases/{slug}.md",
        related=related,
        related_lines=tuple(range(10, 10 + len(related))),
        **kw,
    )


def graph(cases, **config):
    """Terms-only scoring unless a test asks for wording or dates."""
    cases = tuple(cases)
    config = {"weight_text": 0.0, "weight_date": 0.0, **config}
    return build_graph(cases, RelatedConfig(**config), build_terms(cases)[1])


def filler(n: int) -> list[Case]:
    return [case(f"z{i:02d}") for i in range(n)]


def slugs(entries) -> list[str]:
    return [e.slug for e in entries]


def test_editor_links_both_sides_first_and_flagged():
    cases = [
        case("a", related=("b",), tags=("x",)),
        case("b", tags=("y",)),
        case("c", tags=("y",)),
        *filler(10),
    ]
    g = graph(cases, min_score=0)
    (a_entry,) = g.of("a")
    assert a_entry.slug == "b" and a_entry.editor and a_entry.reasons[0] == EDITOR_REASON
    b_entries = g.of("b")
    assert slugs(b_entries) == ["a", "c"]
    assert b_entries[0].editor and b_entries[0].reasons == (EDITOR_REASON,)
    assert not b_entries[1].editor


def test_no_self_links_even_if_related_to_itself():
    g = graph([case("a", related=("a",), tags=("t",)), case("b", tags=("t",)), *filler(8)])
    assert "a" not in slugs(g.of("a"))
    assert slugs(g.of("a")) == ["b"]


def test_neighbours_ranked_by_shared_rare_terms():
    cases = [
        case("q", tags=("rare", "common")),
        case("p1", tags=("common",)),
        case("p2", tags=("rare",)),
        case("p3", tags=("common",)),
        *filler(16),
    ]
    entries = graph(cases, min_score=0, max_term_share=0.2).of("q")
    assert slugs(entries) == ["p2", "p1", "p3"]
    assert entries[0].score > entries[1].score == entries[2].score > 0
    assert entries[0].reasons == ("shares tags: rare",)


def test_term_on_too_many_cases_is_ignored():
    cases = [case(f"c{i}", tags=("ukraine",)) for i in range(4)] + filler(6)
    g = graph(cases, min_score=0, max_term_share=0.2)  # cap = max(2, int(0.2 * 10)) = 2
    assert all(g.of(c.slug) == () for c in cases)
    g = graph(cases, min_score=0, max_term_share=0.5)  # cap = 5
    assert slugs(g.of("c0")) == ["c1", "c2", "c3"]


def test_limit_and_min_score():
    cases = [case(f"c{i}", tags=("t",)) for i in range(4)] + filler(16)
    assert slugs(graph(cases, min_score=0, max_term_share=1, limit=2).of("c0")) == ["c1", "c2"]
    assert graph(cases, min_score=100, max_term_share=1).of("c0") == ()


def test_editor_links_use_up_the_limit():
    cases = [
        case("a", related=("b",), tags=("t",)),
        case("b", tags=("t",)),
        case("c", tags=("t",)),
        *filler(17),
    ]
    assert slugs(graph(cases, limit=1, min_score=0).of("a")) == ["b"]


def test_reasons_text_groups_by_taxonomy():
    cases = [
        case("a", tags=("Beta", "alpha"), countries=("Poland",)),
        case("b", tags=("alpha", "Beta"), countries=("Poland",)),
        *filler(18),
    ]
    (entry,) = graph(cases, min_score=0).of("a")
    assert entry.reasons == ("shares tags: alpha, Beta", "same country: Poland")


def test_deterministic_for_shuffled_equal_date_cases():
    tags = ["a", "b", "c", "d"]
    cases = [case(f"s{i:02d}", tags=(tags[i % 4], tags[(i * 3) % 4])) for i in range(12)]
    expected = graph(cases, min_score=0, max_term_share=0.5).edges
    rng = random.Random(1234)
    for _ in range(5):
        shuffled = cases[:]
        rng.shuffle(shuffled)
        assert graph(shuffled, min_score=0, max_term_share=0.5).edges == expected


def test_check_links_missing_and_draft():
    cases = [case("a", related=("gone", "wip", "b"))]
    problems = check_links(cases, known={"a", "b", "wip"}, drafts={"wip"})
    assert [(d.severity, d.line) for d in problems] == [("error", 10), ("warning", 11)]
    assert "'gone' does not exist" in problems[0].message
    assert problems[1].rule == "related-draft"
    assert all(d.path == "content/cases/a.md" for d in problems)


def test_check_links_draft_source_may_link_to_draft():
    cases = [case("a", related=("wip",), draft=True)]
    assert check_links(cases, known={"a", "wip"}, drafts={"wip", "a"}) == []


corpus = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abcde"), max_size=3),
        st.lists(st.integers(0, 7), max_size=3),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=100)
@given(corpus)
def test_property_editor_links_symmetric_no_self(spec):
    cases = [
        case(f"c{i}", related=tuple(f"c{j}" for j in dict.fromkeys(rel)), tags=tuple(tags))
        for i, (tags, rel) in enumerate(spec)
    ]
    g = graph(cases, min_score=0)
    for c in cases:
        entries = g.of(c.slug)
        assert c.slug not in slugs(entries)
        assert len(set(slugs(entries))) == len(entries)
        for entry in entries:
            if entry.editor:
                back = {e.slug: e.editor for e in g.of(entry.slug)}
                assert back.get(c.slug) is True


def test_editor_link_order_independent_of_input_order():
    a, b, c = case("a", related=("b",)), case("b"), case("c", related=("a",))
    assert graph([a, b, c]).of("a") == graph([c, b, a]).of("a")
