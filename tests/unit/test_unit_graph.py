"""Unit tests for site_builder.graph."""

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.config import RelatedConfig
from site_builder.graph import (
    EDITOR_REASON,
    build_graph,
    check_links,
    compute_graph,
    graph_diagnostics,
)
from site_builder.model import Case
from site_builder.taxonomy import build_terms
from site_builder.words import case_tokens

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


# --- wording, dates, warnings -------------------------------------------------------------

STORY = "biolab pathogen kharkiv soldiers leaked laboratory files pentagon experiments virus"


def text_case(slug: str, words: str, day: int = 0, **kw) -> Case:
    """A case whose Summary carries `words` (repeated, so they become keywords)."""
    return Case(
        slug=slug,
        title=slug,
        date=DAY + dt.timedelta(days=day),
        summary=f"{words} {words}",
        response=f"Response about {words}.",
        source_path=f"content/cases/{slug}.md",
        **kw,
    )


def noise(n: int) -> list[Case]:
    """Filler cases with texts that share nothing with STORY or each other."""
    rng = random.Random(7)
    letters = "bcdfghjklmnpqrstvwxz"
    cases = []
    for i in range(n):
        words = " ".join("".join(rng.choices(letters, k=7)) for _ in range(12))
        cases.append(text_case(f"n{i:02d}", words, day=400 + 40 * i))
    return cases


def test_similar_wording_links_cases_without_shared_terms():
    cases = [
        text_case("a", STORY, tags=("biolabs",)),
        text_case("b", STORY + " extra words here", day=200, tags=("weapons",)),
        *noise(12),
    ]
    (entry,) = graph(cases, weight_text=8.0, min_score=1.0).of("a")
    assert entry.slug == "b" and not entry.editor
    assert entry.reasons == ("similar wording",)
    assert graph(cases, weight_text=0.0, min_score=1.0).of("a") == ()


def test_date_bonus_ranks_the_closer_case_first_and_says_so():
    cases = [
        case("q", tags=("rare",)),
        text_case("far", "x", day=300, tags=("rare",)),
        text_case("near", "x", day=10, tags=("rare",)),
        *filler(17),
    ]
    entries = graph(cases, weight_date=0.5, date_half_life=30, min_score=0).of("q")
    assert slugs(entries) == ["near", "far"]
    assert entries[0].reasons == ("shares tags: rare", "published within 30 days")
    assert entries[1].reasons == ("shares tags: rare",)
    assert entries[0].score - entries[1].score == pytest.approx(
        0.5 * (2 ** (-10 / 30) - 2 ** (-300 / 30)), abs=1e-5
    )


def test_common_words_make_no_link():
    """A word on more than max_word_share of the cases is ignored, like a stop word."""
    cases = [text_case(f"c{i}", f"ukraine ukraine {i}") for i in range(10)]
    assert all(graph(cases, weight_text=8.0, min_score=0.1).of(c.slug) == () for c in cases)


def test_link_urls_are_not_words():
    bag = case_tokens(
        text_case("a", "The report (see [the source](https://evil.example/pathogen)) is false.")
    )
    assert "pathogen" not in bag.words and "evil" not in bag.words and "see" in bag.words
    assert dict(zip(bag.words, bag.counts, strict=True))["report"] == 3  # summary twice + response


def test_near_duplicates_reported_once_on_the_later_file():
    cases = [text_case("old", STORY, day=0), text_case("new", STORY, day=5), *noise(10)]
    result = compute_graph(cases, RelatedConfig(), build_terms(tuple(cases))[1])
    (pair,) = result.near_duplicates
    assert (pair.earlier.slug, pair.later.slug) == ("old", "new") and pair.similarity == 1.0
    problems = [d for d in graph_diagnostics(result, cases) if d.rule == "near-duplicate-case"]
    assert [(d.path, d.severity) for d in problems] == [("content/cases/new.md", "warning")]
    assert "'old' (content/cases/old.md)" in problems[0].message


def test_short_stubs_are_not_near_duplicates():
    cases = [text_case("a", "claim refuted"), text_case("b", "claim refuted"), *noise(4)]
    result = compute_graph(cases, RelatedConfig(), build_terms(tuple(cases))[1])
    assert result.near_duplicates == ()


def test_orphans_warned_except_drafts_and_single_case_sites():
    cases = [
        case("a", tags=("t",)),
        case("b", tags=("t",)),
        case("alone", tags=("u",)),
        case("wip", draft=True),
    ]
    config = RelatedConfig(min_score=0, weight_text=0, weight_date=0, max_term_share=1)
    result = compute_graph(cases, config, build_terms(tuple(cases))[1])
    orphans = [d.path for d in graph_diagnostics(result, cases) if d.rule == "orphan-case"]
    assert orphans == ["content/cases/alone.md"]
    single = [case("only")]
    result = compute_graph(single, config, build_terms(tuple(single))[1])
    assert graph_diagnostics(result, single) == []


def test_scores_and_reasons_are_identical_for_any_input_order():
    cases = [
        text_case("a", STORY, tags=("x", "y")),
        text_case("b", STORY, day=3, tags=("x",), countries=("Poland",)),
        text_case("c", "pentagon virus experiments", day=40, tags=("y",), countries=("Poland",)),
        *noise(9),
    ]
    expected = graph(cases, weight_text=8.0, weight_date=0.5, min_score=0).edges
    rng = random.Random(3)
    for _ in range(4):
        rng.shuffle(cases)
        assert graph(cases, weight_text=8.0, weight_date=0.5, min_score=0).edges == expected


def test_empty_site_has_an_empty_graph():
    result = compute_graph((), RelatedConfig(), {})
    assert result.graph.edges == {} and result.near_duplicates == () and result.candidates == ()


def _table(bags: dict[str, dict[str, int]]):
    """A content loading `WordTable` with fixed word ids, as the cache keeps them."""
    from array import array

    from site_builder.model import WordTable

    vocabulary = ("wolf", "xenon", "zebra")
    ids, counts, spans = array("i"), array("i"), {}
    for slug, bag in bags.items():
        spans[slug] = (len(ids), len(bag))
        ids.extend(vocabulary.index(word) for word in bag)
        counts.extend(bag.values())
    return WordTable(vocabulary, spans, ids, counts)


def test_updated_graph_drops_a_link_whose_shared_keyword_the_edit_removed():
    """j's text keeps the word 'wolf' but no longer as a keyword: i, which shared only that
    with j, is not changed itself and shares nothing with j's new keywords, yet loses j."""
    cases = [case(s) for s in ("i", "j", "k")]
    config = RelatedConfig(
        weight_tags=0, weight_topics=0, weight_countries=0, weight_languages=0, weight_outlets=0,
        keywords=1, max_word_share=1.0, min_score=0.6,
    )  # fmt: skip
    before = _table(
        {"i": {"wolf": 5, "zebra": 1}, "j": {"wolf": 5, "xenon": 1}, "k": {"xenon": 5, "zebra": 1}}
    )
    after = _table(
        {"i": {"wolf": 5, "zebra": 1}, "j": {"wolf": 1, "xenon": 5}, "k": {"xenon": 5, "zebra": 1}}
    )
    first = compute_graph(cases, config, {}, before)
    assert [e.slug for e in first.graph.of("i")] == ["j"]
    updated = compute_graph(cases, config, {}, after, previous=first.state)
    full = compute_graph(cases, config, {}, after)
    assert full.graph.of("i") == () and [e.slug for e in full.graph.of("j")] == ["k"]
    assert dict(updated.graph.edges) == dict(full.graph.edges)
    assert updated.moved == {"i", "j", "k"}
