"""Reader-facing theme checks in Chromium: narrow screens, dark mode, focus, the timeline.

Uses the fixtures of tests/browser/conftest.py; the ``page`` fixture also fails the test if
any request leaves 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

pytestmark = pytest.mark.browser

NARROW = 320


@pytest.fixture(scope="session")
def reader_pages(starter_site: Path) -> dict[str, str]:
    case = sorted(p.parent.name for p in (starter_site / "cases").glob("*/index.html"))[0]
    term = sorted(p.parent.name for p in (starter_site / "tags").glob("*/index.html"))[0]
    return {
        "home": "",
        "case": f"cases/{case}/",
        "term": f"tags/{term}/",
        "timeline": "timeline/",
    }


def open_page(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} did not load"


@pytest.mark.parametrize("name", ["home", "case", "term", "timeline"])
def test_no_horizontal_scroll_at_320px(
    name: str, page: Any, site_server: str, reader_pages: dict[str, str]
) -> None:
    page.set_viewport_size({"width": NARROW, "height": 640})
    open_page(page, urljoin(site_server, reader_pages[name]))
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= NARROW, f"{name} scrolls sideways at {NARROW}px (scrollWidth={width})"


@pytest.mark.parametrize("name", ["home", "case", "term", "timeline"])
def test_dark_mode_is_axe_clean(
    name: str, page: Any, site_server: str, reader_pages: dict[str, str], axe: Any
) -> None:
    page.emulate_media(color_scheme="dark")
    open_page(page, urljoin(site_server, reader_pages[name]))
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)", "dark mode did not apply"
    bad = axe.serious(axe(page))
    assert not bad, f"{name} in dark mode:\n{axe.format(bad)}"


def test_timeline_is_axe_clean_and_screenshotted(
    page: Any, site_server: str, reader_pages: dict[str, str], axe: Any, screenshot: Any
) -> None:
    open_page(page, urljoin(site_server, reader_pages["timeline"]))
    chart = page.locator("figure.timeline svg[role=img]")
    assert chart.count() == 1 and chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["height"] > 100, f"chart is squashed: {box}"
    assert page.locator("figure.timeline rect").count() >= 1
    bad = axe.serious(axe(page))
    assert not bad, axe.format(bad)
    for shot in screenshot(page, "timeline"):
        assert shot.path.is_file() and shot.scroll_width <= shot.width


def test_keyboard_focus_is_visible(page: Any, site_server: str) -> None:
    open_page(page, site_server)
    for _ in range(3):  # skip link, brand, first nav link
        page.keyboard.press("Tab")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return {tag: document.activeElement.tagName, style: s.outlineStyle,"
        " width: parseFloat(s.outlineWidth)} }"
    )
    assert outline["tag"] == "A", outline
    assert outline["style"] != "none" and outline["width"] >= 2, f"no visible focus: {outline}"


def test_feed_is_advertised_and_served(page: Any, site_server: str) -> None:
    open_page(page, site_server)
    href = page.locator("link[rel=alternate][type='application/atom+xml']").get_attribute("href")
    assert href == "feed.xml"
    response = page.request.get(urljoin(site_server, href))
    assert response.ok and b"<feed" in response.body()


def test_print_stylesheet_keeps_only_the_case(
    page: Any, site_server: str, reader_pages: dict[str, str]
) -> None:
    open_page(page, urljoin(site_server, reader_pages["case"]))
    page.emulate_media(media="print")
    hidden = page.evaluate(
        "() => ['.site-header', '.site-footer'].map("
        "s => getComputedStyle(document.querySelector(s)).display)"
    )
    assert hidden == ["none", "none"]
    assert page.locator("article.case h1").is_visible()
