"""End-to-end checks of the built starter site in headless Chromium.

Fixtures (starter_site, site_server, browser, page, axe, screenshot) live in
tests/browser/conftest.py. Every test also asserts, through the ``page``
fixture's teardown, that no request left 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under CI=true
    expect = None

pytestmark = pytest.mark.browser

# A case list item may wrap its link in a heading (li > h3 > a): match any case link in it.
CASE_LINKS = "ol.case-list > li a[href*='cases/']"
RELATED_LINKS = "nav.related ol li a"
TERM_LINKS = "ul.terms a[rel=tag]"
NEXT_LINK = "nav.pagination a[rel=next]"
MAX_PAGES_FOLLOWED = 50


def normalize(url: str) -> str:
    """Compare page URLs regardless of fragment, query and a trailing index.html."""
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return f"{parts.scheme}://{parts.netloc}{path}"


def hrefs(page: Any, selector: str) -> list[str]:
    """Absolute hrefs of the elements matching ``selector``."""
    return page.eval_on_selector_all(selector, "els => els.map(a => a.href)")


def case_url_paths(site: Path) -> list[str]:
    cases = sorted(p.parent.name for p in (site / "cases").glob("*/index.html"))
    assert cases, f"no case pages at {site / 'cases'}/<slug>/index.html"
    return [f"cases/{slug}/" for slug in cases]


@pytest.fixture(scope="session")
def sample_pages(starter_site: Path) -> dict[str, str]:
    """Name -> URL path (relative to the server root) of one page of each kind."""
    terms = sorted(p.parent.name for p in (starter_site / "tags").glob("*/index.html"))
    assert terms, f"no term pages at {starter_site / 'tags'}/<term>/index.html"
    return {
        "home": "",
        "case": case_url_paths(starter_site)[0],
        "tags": "tags/",
        "term": f"tags/{terms[0]}/",
        "about": "about/",
        "graph": "graph/",
        "ratings": "ratings/",
        "rating": "ratings/misleading/",
    }


def goto(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None, f"no response for {url}"
    assert response.status == 200, f"{url} answered HTTP {response.status}"


def assert_case_page(page: Any) -> None:
    expect(page.locator("article.case h1")).to_have_count(1)
    expect(page.locator("article.case h1")).to_be_visible()
    expect(page.locator("article.case h1")).not_to_have_text("")
    assert "/cases/" in urlsplit(page.url).path, f"not a case page: {page.url}"


# ------------------------------------------------------------------ navigation


def test_home_lists_cases_and_links_to_a_case(page: Any, site_server: str) -> None:
    goto(page, site_server)
    assert page.title().strip(), "home page has an empty <title>"
    expect(page.locator("main#main")).to_have_count(1)
    links = page.locator(CASE_LINKS)
    assert links.count() >= 1, f"home page has no case links ({CASE_LINKS})"
    first_href = hrefs(page, CASE_LINKS)[0]
    links.first.click()
    page.wait_for_load_state()
    assert_case_page(page)
    assert normalize(page.url) == normalize(first_href)


def test_skip_link_is_first_tab_stop_and_targets_main(page: Any, site_server: str) -> None:
    goto(page, site_server)
    expect(page.locator("main#main")).to_have_count(1)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const a = document.activeElement;"
        " return a ? {cls: a.className, href: a.getAttribute('href'), text: a.textContent} : null }"
    )
    assert focused and "skip-link" in (focused["cls"] or "").split(), (
        f"first Tab stop is not a.skip-link: {focused}"
    )
    assert focused["href"] == "#main", f"skip link points to {focused['href']!r}, not '#main'"
    assert (focused["text"] or "").strip(), "skip link has no text"
    # The focused skip link must be visible to sighted keyboard users.
    expect(page.locator("a.skip-link").first).to_be_visible()


def test_home_pagination_next_page_lists_cases(page: Any, site_server: str) -> None:
    goto(page, site_server)
    if page.locator(NEXT_LINK).count() == 0:
        pytest.skip("home page has a single page of cases (no rel=next link)")
    page.locator(NEXT_LINK).first.click()
    page.wait_for_load_state()
    assert normalize(page.url) != normalize(site_server), "rel=next did not navigate"
    assert page.locator(CASE_LINKS).count() >= 1, f"page 2 ({page.url}) lists no cases"
    expect(page.locator("nav.pagination a[rel=prev]")).not_to_have_count(0)


def test_case_page_structure(page: Any, site_server: str, sample_pages: dict[str, str]) -> None:
    goto(page, urljoin(site_server, sample_pages["case"]))
    assert_case_page(page)
    article = page.locator("article.case")
    expect(article.locator("section.case-summary :is(h2,h3)").first).to_contain_text("Summary")
    expect(article.locator("section.case-response :is(h2,h3)").first).to_contain_text("Response")
    expect(article.locator("p.case-rating")).to_have_count(1)
    expect(page.locator("ul.outlets")).not_to_have_count(0)
    expect(page.locator(TERM_LINKS)).not_to_have_count(0)


def test_related_case_then_term_page(page: Any, site_server: str, starter_site: Path) -> None:
    # Find a case page that lists related cases.
    start = None
    for path in case_url_paths(starter_site)[:MAX_PAGES_FOLLOWED]:
        goto(page, urljoin(site_server, path))
        if page.locator(RELATED_LINKS).count():
            start = page.url
            break
    assert start, f"no case page (of the first {MAX_PAGES_FOLLOWED}) has {RELATED_LINKS}"

    related_href = hrefs(page, RELATED_LINKS)[0]
    page.locator(RELATED_LINKS).first.click()
    page.wait_for_load_state()
    assert_case_page(page)
    assert normalize(page.url) == normalize(related_href)
    assert normalize(page.url) != normalize(start), "related link points to the same case"

    # Now follow the case's first term link: the term page must list this case.
    case_url = normalize(page.url)
    tag_href = hrefs(page, TERM_LINKS)[0] if page.locator(TERM_LINKS).count() else None
    assert tag_href, f"case page {page.url} has no term links ({TERM_LINKS})"
    page.locator(TERM_LINKS).first.click()
    page.wait_for_load_state()
    assert normalize(page.url) == normalize(tag_href)
    seen: list[str] = []
    for _ in range(MAX_PAGES_FOLLOWED):
        expect(page.locator("ol.case-list")).not_to_have_count(0)
        listed = [normalize(h) for h in hrefs(page, "ol.case-list a")]
        seen.extend(listed)
        if case_url in listed or page.locator(NEXT_LINK).count() == 0:
            break
        page.locator(NEXT_LINK).first.click()
        page.wait_for_load_state()
    assert case_url in seen, (
        f"term page {tag_href} (and its next pages) does not list {case_url}; lists: {seen[:20]}"
    )


def test_tags_index_links_to_term_pages(page: Any, site_server: str) -> None:
    goto(page, urljoin(site_server, "tags/"))
    links = page.locator("ul.term-index li a")
    assert links.count() >= 1, "tags/ has no ul.term-index li a"
    first_href = hrefs(page, "ul.term-index li a")[0]
    links.first.click()
    page.wait_for_load_state()
    assert normalize(page.url) == normalize(first_href)
    assert page.locator(CASE_LINKS).count() >= 1, f"term page {page.url} lists no cases"


# ------------------------------------------------------- accessibility / layout

PAGE_NAMES = ["home", "case", "tags", "term", "about", "graph", "ratings", "rating"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_serious_axe_violations(
    name: str, page: Any, site_server: str, sample_pages: dict[str, str], axe: Any
) -> None:
    url = urljoin(site_server, sample_pages[name])
    goto(page, url)
    violations = axe(page)
    assert isinstance(violations, list)
    bad = axe.serious(violations)
    assert not bad, (
        f"{len(bad)} serious/critical axe violations on {name} ({url}):\n{axe.format(bad)}"
    )


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_screenshots_and_no_horizontal_scroll(
    name: str, page: Any, site_server: str, sample_pages: dict[str, str], screenshot: Any
) -> None:
    url = urljoin(site_server, sample_pages[name])
    goto(page, url)
    shots = screenshot(page, name)
    for shot in shots:
        assert shot.path.is_file() and shot.path.stat().st_size > 0, f"{shot.path} not written"
        assert shot.scroll_width <= shot.width, (
            f"{name} ({url}) scrolls horizontally at {shot.width}px: "
            f"scrollWidth={shot.scroll_width}; see {shot.path}"
        )
