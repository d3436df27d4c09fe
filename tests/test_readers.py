"""Readers' outputs on the built `full` fixture: feeds, sitemap, robots, JSON-LD, open data,
redirects, timeline, meta tags, and that the cheap URL enumeration matches the real plan."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_builder.build import load_site
from site_builder.cli import main
from site_builder.plan import generated_outputs, listed_pages, output_path

FIXTURE = Path(__file__).parent / "fixtures" / "sites" / "full"
BASE = "https://example.org/debunks/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PUBLIC_CASES = [
    "moon-base-hidden",
    "moon-photos-faked",
    "rain-made-by-planes",
    "wind-turbines-cause-drought",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("readers") / "output"
    assert main(["build", "--root", str(FIXTURE), "--output", str(output), "--quiet"]) == 0
    return output


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def redirect_pages(site: Path) -> set[str]:
    return {
        rel
        for rel in html_pages(site)
        if soup(site, rel).find("meta", attrs={"http-equiv": "refresh"})
    }


def test_planned_urls_match_the_real_build(site: Path):
    """`generated_outputs` (collisions) and `listed_pages` (sitemap) must agree with plan_site."""
    loaded = load_site(FIXTURE)
    model, config = loaded.model, loaded.config
    content_owned = {output_path(f"cases/{c.slug}/") for c in model.cases}
    content_owned |= {output_path(a.lstrip("/")) for c in model.cases for a in c.aliases}
    content_owned |= {output_path(f"{p.slug}/") for p in model.pages}
    built = {
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    built = {p for p in built if not p.startswith("static/")}
    assert built == set(generated_outputs(model, config)) | content_owned, (
        "a new output in plan_site must also be listed in plan.generated_outputs"
    )
    listed = {output_path(url) for url, _ in listed_pages(model, config)}
    assert listed == html_pages(site) - redirect_pages(site) - {"404.html"}


def parse_feed(site: Path, rel: str) -> ET.Element:
    root = ET.fromstring((site / rel).read_bytes())
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, f"{rel} has no <{name}>"
    for entry in root.iter(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{name}") is not None, f"{rel} entry has no <{name}>"
    return root


def test_site_feed_lists_public_cases_newest_first(site: Path):
    root = parse_feed(site, "feed.xml")
    ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert ids == [f"{BASE}cases/{slug}/" for slug in PUBLIC_CASES]
    assert root.findtext(f"{ATOM}updated") == "2024-03-01T00:00:00Z"
    first = root.find(f"{ATOM}entry")
    assert first is not None
    assert first.findtext(f"{ATOM}title") == (
        "Moon base hidden <script>alert('x')</script> by agency"
    )


def test_every_term_page_has_its_feed_and_links_to_it(site: Path):
    term_pages = [
        p.parent
        for p in site.glob("*/*/index.html")
        if p.parent.parent.name in ("tags", "topics", "countries", "languages", "outlets")
    ]
    assert len(term_pages) >= 10
    for folder in term_pages:
        rel = folder.relative_to(site).as_posix()
        root = parse_feed(site, f"{rel}/feed.xml")
        listed = [a["href"] for a in soup(site, f"{rel}/index.html").select("ol.case-list a")]
        entries = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
        assert entries[: len(listed)] == [BASE + h.removeprefix("../../") for h in listed]
        alternate = soup(site, f"{rel}/index.html").find(
            "link", rel="alternate", type="application/atom+xml"
        )
        assert alternate is not None and alternate["href"] == "../../" + rel + "/feed.xml"
    home = soup(site, "index.html").find("link", rel="alternate", type="application/atom+xml")
    assert home is not None and home["href"] == "feed.xml"


def test_sitemap_lists_each_public_html_page_once(site: Path):
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.iter(f"{SITEMAP}url")]
    assert len(locs) == len(set(locs))
    pages = html_pages(site) - redirect_pages(site) - {"404.html"}
    expected = {BASE + p.removesuffix("index.html") for p in pages}
    assert set(locs) == expected
    assert f"{BASE}old/moon-base/" not in locs and f"{BASE}cases/unpublished-draft/" not in locs
    robots = (site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {BASE}sitemap.xml" in robots


def test_case_page_claim_review_json_ld(site: Path):
    page = soup(site, "cases/moon-base-hidden/index.html")
    (script,) = page.find_all("script", type="application/ld+json")
    assert "<" not in script.string
    data = json.loads(script.string)
    assert data["@type"] == "ClaimReview"
    assert data["name"] == "Moon base hidden <script>alert('x')</script> by agency"
    assert data["claimReviewed"] == "A secret moon base is hidden by a space agency."
    assert data["url"] == f"{BASE}cases/moon-base-hidden/"
    assert data["reviewRating"]["alternateName"] == "Disinformation"
    assert data["author"]["name"] == "Debunk Desk"
    assert data["itemReviewed"]["appearance"][0] == {
        "@type": "CreativeWork",
        "url": "https://orbit-whisper.example/moon",
        "archivedAt": "https://archive.example/moon1",
    }
    assert data["itemReviewed"]["contentLocation"] == [{"@type": "Place", "name": "Poland"}]


def test_open_graph_twitter_and_canonical(site: Path):
    page = soup(site, "cases/rain-made-by-planes/index.html")

    def meta(prop: str) -> str:
        tag = page.find("meta", property=prop) or page.find("meta", attrs={"name": prop})
        assert tag is not None, prop
        return str(tag["content"])

    url = f"{BASE}cases/rain-made-by-planes/"
    assert page.find("link", rel="canonical")["href"] == url
    assert meta("og:url") == url and meta("og:type") == "article"
    assert meta("og:title").startswith("Planes make the rain on purpose")
    assert meta("og:site_name") == "Fixture Checks" and meta("twitter:card") == "summary"
    assert page.html["lang"] == "en"
    home = soup(site, "index.html")
    assert home.find("meta", property="og:type")["content"] == "website"


def test_open_data_rows_are_the_public_cases(site: Path):
    data = json.loads((site / "data/cases.json").read_bytes())
    text = (site / "data/cases.csv").read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["slug"] for r in data["cases"]] == [r["slug"] for r in table] == PUBLIC_CASES
    assert list(data["cases"][0]) == data["columns"] == list(table[0])
    rain = table[2]
    assert rain["topics"] == "Science|Climate" and rain["rating"] == "Misleading"
    assert rain["related"].split("|")[0] == "wind-turbines-cause-drought"


def test_redirects_file_and_redirect_page(site: Path):
    lines = (site / "_redirects").read_text(encoding="utf-8").splitlines()
    assert lines == ["/debunks/old/moon-base/ /debunks/cases/moon-base-hidden/ 301"]
    page = soup(site, "old/moon-base/index.html")
    assert page.find("link", rel="canonical")["href"] == f"{BASE}cases/moon-base-hidden/"
    assert (
        "../../cases/moon-base-hidden/"
        in page.find("meta", attrs={"http-equiv": "refresh"})["content"]
    )


def test_timeline_page_has_chart_and_table(site: Path):
    page = soup(site, "timeline/index.html")
    svg = page.select_one("figure.timeline svg")
    assert svg is not None and svg["role"] == "img"
    root = ET.fromstring(str(svg))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in page.select("tbody tr")]
    assert rows[0] == ["June 2023", "1"] and rows[-1] == ["March 2024", "1"]
    assert len(rows) == 10  # June 2023 .. March 2024, empty months included
    assert sum(int(count) for _, count in rows) == len(PUBLIC_CASES)
    assert soup(site, "index.html").find("a", href="timeline/") is not None
