"""The search page of the built starter site in headless Chromium.

Expected results are computed from the site's own content with the Python tokeniser, so the
browser's answers (JavaScript over the static index) are checked against the data, not
against numbers copied into the test. The `page` fixture fails any test whose page requested
anything outside 127.0.0.1 or threw a JavaScript error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from site_builder import search_index as si
from site_builder.build import load_site
from site_builder.model import Case, SiteModel

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under CI=true
    expect = None

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULT_LINKS = "#search-list > li h3 a"
STATUS = "#search-status"


@pytest.fixture(scope="module")
def model() -> SiteModel:
    return load_site(REPO_ROOT).model


def tokens_of(case: Case) -> set[str]:
    body = si.searchable_text(f"{case.summary}\n\n{case.response}")
    return {*si.tokenise(body), *si.tokenise(case.claim or ""), *si.tokenise(case.title)}


def expected_hits(model: SiteModel, query: str) -> set[str]:
    """Slugs of the cases holding every query word, the last one also as a prefix."""
    *words, last = si.tokenise(query)
    hits = set()
    for case in model.cases:
        tokens = tokens_of(case)
        if all(w in tokens for w in words) and any(t.startswith(last) for t in tokens):
            hits.add(case.slug)
    return hits


def term_members(model: SiteModel, taxonomy: str, slug: str) -> set[str]:
    (term,) = [t for t in model.terms[taxonomy] if t.slug == slug]
    return set(term.case_slugs)


def result_slugs(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all(RESULT_LINKS, "els => els.map(a => a.href)")
    return [urlsplit(h).path.rstrip("/").rsplit("/", 1)[-1] for h in hrefs]


def facet_count(page: Any, taxonomy: str, slug: str) -> int:
    return int(page.locator(f"[id='f-{taxonomy}-{slug}'] + label .count").inner_text())


def query_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def wait_for_results(page: Any, count: int) -> None:
    word = "case" if count == 1 else "cases"
    expect(page.locator(STATUS)).to_contain_text(f"{count} {word}")
    expect(page.locator(RESULT_LINKS)).to_have_count(min(count, 20))


@pytest.fixture
def requests(page: Any) -> Iterator[list[str]]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    yield urls


def test_search_for_a_word_finds_the_right_cases(
    page: Any, site_server: str, model: SiteModel, requests: list[str]
) -> None:
    expected = expected_hits(model, "vaccine")
    assert len(expected) == 4 and "mrna-vaccines-rewrite-human-dna" in expected
    page.goto(f"{site_server}search/")
    expect(page.locator(STATUS)).to_contain_text(f"search {len(model.cases)} cases")
    page.get_by_label("Words to find").fill("vaccine")
    page.get_by_role("button", name="Search").click()
    wait_for_results(page, len(expected))
    assert set(result_slugs(page)) == expected
    assert query_of(page) == {"q": ["vaccine"]}
    expect(page.locator("#search-list mark").first).to_have_text(re.compile("^vaccine", re.I))
    index_files = [u for u in requests if "/search/terms/" in u]
    assert index_files, "the term shard was never fetched"
    assert all(urlsplit(u).netloc == urlsplit(site_server).netloc for u in requests)


def test_title_matches_rank_first(page: Any, site_server: str, model: SiteModel) -> None:
    expected = expected_hits(model, "biolab")
    page.goto(f"{site_server}search/?q=biolab")
    wait_for_results(page, len(expected))
    slugs = result_slugs(page)
    in_title = [
        s for s in slugs if any(t.startswith("biolab") for t in si.tokenise(model.by_slug[s].title))
    ]
    assert slugs[: len(in_title)] == in_title and in_title, "title hits must come first"


def test_accented_and_uppercase_queries_fold_like_the_index(
    page: Any, site_server: str, model: SiteModel
) -> None:
    expected = expected_hits(model, "krakow")
    assert "polish-troops-massing-near-lviv" in expected
    for query in ("KRAKÓW", "kraków"):
        page.goto(f"{site_server}search/?q={query}")
        wait_for_results(page, len(expected))
        assert set(result_slugs(page)) == expected


def test_country_filter_narrows_with_correct_counts(
    page: Any, site_server: str, model: SiteModel
) -> None:
    hits = expected_hits(model, "biolab")
    russia = hits & term_members(model, "countries", "russia")
    assert 0 < len(russia) < len(hits)
    page.goto(f"{site_server}search/?q=biolab")
    wait_for_results(page, len(hits))
    assert facet_count(page, "countries", "russia") == len(russia)
    assert facet_count(page, "countries", "ukraine") == len(
        hits & term_members(model, "countries", "ukraine")
    )
    page.get_by_role("checkbox", name=re.compile(r"^Russia \(")).check()
    wait_for_results(page, len(russia))
    assert set(result_slugs(page)) == russia
    assert query_of(page) == {"q": ["biolab"], "country": ["russia"]}
    expect(page.locator("#f-countries-russia")).to_be_checked()
    # Counts now answer "how many would remain if I added this value too".
    both = russia & term_members(model, "countries", "ukraine")
    assert facet_count(page, "countries", "ukraine") == len(both)
    assert facet_count(page, "countries", "russia") == len(russia)


def test_url_restores_state_on_load_reload_and_history(
    page: Any, site_server: str, model: SiteModel
) -> None:
    hits = expected_hits(model, "biolab")
    russia = hits & term_members(model, "countries", "russia")
    page.goto(f"{site_server}search/?q=biolab&country=russia")
    for _ in ("load", "reload"):
        wait_for_results(page, len(russia))
        expect(page.get_by_label("Words to find")).to_have_value("biolab")
        expect(page.locator("#f-countries-russia")).to_be_checked()
        page.reload()
    wait_for_results(page, len(russia))
    page.locator("#f-countries-russia").uncheck()
    wait_for_results(page, len(hits))
    assert query_of(page) == {"q": ["biolab"]}
    page.go_back()
    wait_for_results(page, len(russia))
    expect(page.locator("#f-countries-russia")).to_be_checked()
    assert query_of(page)["country"] == ["russia"]
    page.go_forward()
    wait_for_results(page, len(hits))
    expect(page.locator("#f-countries-russia")).not_to_be_checked()


def test_filters_alone_browse_and_paginate(page: Any, site_server: str, model: SiteModel) -> None:
    biggest = max(model.terms["languages"], key=lambda t: (len(t.case_slugs), t.slug))
    members = list(biggest.case_slugs)  # newest first, like the results without a query
    assert len(members) > 20, "needs a language with more than one page of cases"
    page.goto(f"{site_server}search/?language={biggest.slug}")
    wait_for_results(page, len(members))
    assert result_slugs(page) == members[:20]
    page.locator("#search-pages a[rel=next]").click()
    expect(page.locator(STATUS)).to_contain_text("Page 2 of")
    assert query_of(page)["page"] == ["2"]
    assert result_slugs(page) == members[20:40]
    expect(page.locator("#results-heading")).to_be_focused()


def test_year_filter_counts_and_narrows(page: Any, site_server: str, model: SiteModel) -> None:
    hits = expected_hits(model, "biolab")
    years = sorted({model.by_slug[s].date.year for s in hits})
    year = years[0]
    in_year = {s for s in hits if model.by_slug[s].date.year == year}
    page.goto(f"{site_server}search/?q=biolab")
    wait_for_results(page, len(hits))
    option = page.locator(f"#f-year option[value='{year}']")
    expect(option).to_have_text(f"{year} ({len(in_year)})")
    page.locator("#f-year").select_option(str(year))
    wait_for_results(page, len(in_year))
    assert query_of(page)["year"] == [str(year)]


def test_search_page_has_no_serious_axe_violations_and_fits_small_screens(
    page: Any, site_server: str, model: SiteModel, axe: Any, screenshot: Any
) -> None:
    hits = expected_hits(model, "biolab")
    page.goto(f"{site_server}search/?q=biolab")
    wait_for_results(page, len(hits))
    bad = axe.serious(axe(page))
    assert not bad, f"serious/critical axe violations on the search page:\n{axe.format(bad)}"
    for shot in screenshot(page, "search"):
        assert shot.path.is_file()
        assert shot.scroll_width <= shot.width, f"horizontal scroll at {shot.width}px"
    page.goto(f"{site_server}search/")
    expect(page.locator(STATUS)).to_contain_text("Type a word")
    assert not axe.serious(axe(page))


def test_without_javascript_the_page_explains_and_links_to_indexes(
    browser: Any, site_server: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site_server}search/")
        expect(page.locator("#search-app")).to_be_hidden()
        expect(page.locator("#search-fallback")).to_contain_text("needs JavaScript")
        links = page.eval_on_selector_all(".search-browse a", "els => els.map(a => a.href)")
        for section in ("tags", "topics", "countries", "languages", "outlets"):
            assert f"{site_server}{section}/" in links
    finally:
        context.close()


def test_word_forms_match_alike_in_any_order(page: Any, site_server: str, model: SiteModel) -> None:
    expected = expected_hits(model, "vaccine")
    for query in ("vaccinations", "Vaccinated", "vaccines"):
        assert expected_hits(model, query) == expected
        page.goto(f"{site_server}search/?q={query}")
        wait_for_results(page, len(expected))
        assert set(result_slugs(page)) == expected
    both = expected_hits(model, "vaccines dna")
    assert both and both == expected_hits(model, "dna vaccines")
    for query in ("vaccines dna", "dna vaccines"):
        page.goto(f"{site_server}search/?q={query}")
        wait_for_results(page, len(both))
        assert set(result_slugs(page)) == both


def test_a_typo_finds_the_word_and_offers_did_you_mean(
    page: Any, site_server: str, model: SiteModel
) -> None:
    expected = expected_hits(model, "vaccines")
    assert not expected_hits(model, "vaccnes")
    page.goto(f"{site_server}search/?q=vaccnes")
    expect(page.locator(STATUS)).to_contain_text("No case matches “vaccnes”")
    wait_for_results(page, len(expected))
    assert set(result_slugs(page)) == expected
    link = page.locator("#search-suggest a")
    expect(link).to_have_text("vaccines")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#search-q")).to_have_value("vaccines")
    assert query_of(page) == {"q": ["vaccines"]}
    expect(page.locator("#search-suggest")).to_be_hidden()
    wait_for_results(page, len(expected))
    # A short word gets no guesses, and nothing is said to match.
    page.goto(f"{site_server}search/?q=vacnes+zzqx")
    expect(page.locator(STATUS)).to_contain_text("0 cases match")
    expect(page.locator("#search-suggest")).to_be_hidden()


def test_counts_are_said_in_words(page: Any, site_server: str, model: SiteModel) -> None:
    single = next(
        word
        for case in model.cases
        for word in si.tokenise(case.title)
        if len(expected_hits(model, word)) == 1 and word.isalpha() and len(word) >= 5
    )
    page.goto(f"{site_server}search/?q={single}")
    expect(page.locator(STATUS)).to_contain_text(f"1 case matches “{single}”")
    page.goto(f"{site_server}search/?q=vaccines")
    n = len(expected_hits(model, "vaccines"))
    expect(page.locator(STATUS)).to_contain_text(f"{n} cases match “vaccines”")
