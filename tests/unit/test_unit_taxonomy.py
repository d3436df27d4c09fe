"""Unit tests for site_builder.taxonomy."""

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.model import Case, Outlet
from site_builder.taxonomy import build_terms, term_slug


def case(slug: str, **kw) -> Case:
    return Case(
        slug=slug,
        title=slug,
        date=dt.date(2024, 1, 1),
        summary="s",
        response="r",
        source_path=f"content/cases/{slug}.md",
        **kw,
    )


def test_spellings_merge_into_one_term_ties_alphabetical():
    terms, slugs, problems = build_terms(
        (case("c1", tags=("Kraków",)), case("c2", tags=("krakow",)), case("c3", tags=("Krakow",)))
    )
    assert problems == []
    (term,) = terms["tags"]
    assert term.slug == "krakow" and term.taxonomy == "tags"
    assert term.label == "Krakow"  # 1 each; "Krakow" < "Kraków" < "krakow"
    assert term.case_slugs == ("c1", "c2", "c3")
    assert slugs[("tags", "Kraków")] == slugs[("tags", "krakow")] == "krakow"


def test_most_common_spelling_wins():
    cases = (case("a", tags=("Kraków",)), case("b", tags=("krakow",)), case("c", tags=("krakow",)))
    (term,) = build_terms(cases)[0]["tags"]
    assert term.label == "krakow"


def test_case_order_follows_input_without_duplicates():
    cases = (
        case("newest", tags=("Kraków", "krakow")),
        case("middle", tags=("Other",)),
        case("oldest", tags=("KRAKOW",)),
    )
    terms = {t.slug: t for t in build_terms(cases)[0]["tags"]}
    assert terms["krakow"].case_slugs == ("newest", "oldest")
    assert terms["other"].case_slugs == ("middle",)


def test_terms_per_taxonomy_sorted_by_slug_and_outlets_use_names():
    cases = (case("a", topics=("Zeta", "alpha"), outlets=(Outlet("BBC News", "https://b", None),)),)
    terms = build_terms(cases)[0]
    assert [t.slug for t in terms["topics"]] == ["alpha", "zeta"]
    assert [(t.label, t.slug) for t in terms["outlets"]] == [("BBC News", "bbc-news")]
    assert terms["tags"] == ()


def test_punctuation_only_term_is_an_error():
    terms, slugs, problems = build_terms((case("a", tags=("!!!", "ok")),))
    (diag,) = problems
    assert diag.is_error and diag.path == "content/cases/a.md"
    assert "'!!!'" in diag.message and "tags" in diag.message
    assert [t.slug for t in terms["tags"]] == ["ok"]
    assert ("tags", "!!!") not in slugs


def test_term_slug_examples():
    assert term_slug("Kraków") == "krakow"
    assert term_slug("  COVID-19 vaccines ") == "covid-19-vaccines"
    assert term_slug("!!!") == ""
    assert len(term_slug("word " * 40)) <= 80


@settings(max_examples=200)
@given(st.text(max_size=120))
def test_term_slug_idempotent_and_url_safe(label):
    slug = term_slug(label)
    assert term_slug(slug) == slug
    if slug:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
        assert len(slug) <= 80


@settings(max_examples=500)
@given(st.from_regex(r"[A-Za-z0-9]{1,12}( [A-Za-z0-9]{1,12}){0,8}", fullmatch=True))
def test_ascii_word_labels_slug_exactly_as_slugify_does(label):
    from slugify import slugify

    from site_builder.taxonomy import MAX_SLUG

    assert term_slug(label) == slugify(label, max_length=MAX_SLUG, word_boundary=True)
