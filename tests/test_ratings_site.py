"""The rating scale on a built site: /ratings/, one page and feed per rating, ClaimReview."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

SCALE = """
[ratings]
scale = ["False", "Misleading", "Missing context", "True"]

[ratings.descriptions]
"False" = "The claim is wrong."
Misleading = "Real facts, bent out of shape."
"""


@pytest.fixture
def built(fixture_site, run_cli, tmp_path) -> Path:
    root = fixture_site("full")
    with (root / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write(SCALE)
    for case in (root / "content/cases").rglob("*.md"):
        text = case.read_text(encoding="utf-8")
        if "rating:" not in text:  # no default_rating with a scale: every case names one
            case.write_text(text.replace("\ndate:", "\nrating: false\ndate:", 1), "utf-8")
    result = run_cli("build", "--root", root, "--output", tmp_path / "out", "--quiet")
    assert result.code == 1
    assert 'hint: put it in quotes: rating: "False"' in result.err  # YAML's boolean
    for case in (root / "content/cases").rglob("*.md"):
        text = case.read_text(encoding="utf-8").replace("rating: false", 'rating: "false"')
        case.write_text(text, "utf-8")
    result = run_cli("build", "--root", root, "--output", tmp_path / "out", "--quiet")
    assert result.code == 0, result.err
    return tmp_path / "out"


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def test_ratings_page_explains_the_scale_worst_first_and_links_each_rating(built):
    page = soup(built, "ratings/index.html")
    steps = page.select(".rating-step")
    names = [step.select_one(".rating-name a").get_text(strip=True) for step in steps]
    assert names == ["False", "Misleading", "Missing context", "True"]
    assert [step.select_one(".count").get_text() for step in steps] == [
        "3 cases", "1 case", "0 cases", "0 cases",
    ]  # fmt: skip
    assert steps[0].select_one(".rating-description").get_text() == "The claim is wrong."
    assert steps[2].select_one(".rating-description") is None
    assert "1 of 4 on the scale, the worst" in steps[0].get_text(" ", strip=True)
    assert steps[0].select_one("a")["href"] == "../ratings/false/"
    assert page.select_one('.site-nav a[aria-current="page"]').get_text() == "Ratings"


def test_each_rating_has_a_term_page_with_its_feed(built):
    page = soup(built, "ratings/false/index.html")
    assert page.h1.get_text(" ", strip=True) == "Rating: False"
    titles = {a.get_text() for a in page.select(".case-card-title a")}
    assert "Planes make the rain on purpose" not in titles and len(titles) == 2  # per_page
    assert page.select_one(".pagination a[rel=next]")["href"] == "../../ratings/false/page/2/"
    assert (
        page.select_one('link[type="application/atom+xml"]')["href"]
        == "../../ratings/false/feed.xml"
    )
    feed = ET.parse(built / "ratings/false/feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.find("a:title", ns).text == "Rating: False · Fixture Checks"
    assert len(feed.findall("a:entry", ns)) == 3  # the draft is in no feed
    assert (built / "ratings/true/index.html").is_file()  # an empty rating still has its page
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/debunks/ratings/missing-context/" in sitemap


def test_case_page_links_its_rating_and_claimreview_has_its_place_on_the_scale(built):
    page = soup(built, "cases/rain-made-by-planes/index.html")
    link = page.select_one(".case-rating a")
    assert (link.get_text(), link["href"]) == ("Misleading", "../../ratings/misleading/")
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Misleading",
        "ratingValue": 2,
        "worstRating": 1,
        "bestRating": 4,
    }
