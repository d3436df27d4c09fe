"""Unit tests for site_builder.seo: ClaimReview JSON-LD, sitemap split, robots.txt."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from site_builder.config import SiteConfig
from site_builder.model import Case, Outlet
from site_builder.seo import (
    claim_review,
    claim_review_script,
    robots_txt,
    script_json,
    sitemap_files,
    sitemap_outputs,
)

S = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CONFIG = SiteConfig(base_url="https://example.org/d/", organisation="Fact Desk")


def case(**kw) -> Case:
    base = dict(
        slug="c",
        title="Title",
        date=dt.date(2024, 3, 1),
        summary="s",
        response="r",
        source_path="content/cases/c.md",
    )
    return Case(**(base | kw))


def test_claim_review_fields():
    review = claim_review(
        case(
            claim="The claim.",
            rating="Misleading",
            updated=dt.date(2024, 4, 1),
            countries=("Poland", "Germany"),
            outlets=(
                Outlet("First", "https://a.example/1", "https://archive.example/1"),
                Outlet("Second", "https://b.example/2", None),
            ),
        ),
        CONFIG,
    )
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["url"] == "https://example.org/d/cases/c/"
    assert review["claimReviewed"] == "The claim."
    assert review["datePublished"] == "2024-03-01" and review["dateModified"] == "2024-04-01"
    assert review["author"] == {
        "@type": "Organization",
        "name": "Fact Desk",
        "url": "https://example.org/d/",
    }
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Misleading"}
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["appearance"] == [
        {
            "@type": "CreativeWork",
            "url": "https://a.example/1",
            "archivedAt": "https://archive.example/1",
        },
        {"@type": "CreativeWork", "url": "https://b.example/2"},
    ]
    assert item["firstAppearance"] == item["appearance"][0]
    assert item["contentLocation"] == [
        {"@type": "Place", "name": "Poland"},
        {"@type": "Place", "name": "Germany"},
    ]


def test_claim_reviewed_falls_back_to_title_and_omits_empty_parts():
    review = claim_review(case(), CONFIG)
    assert review["claimReviewed"] == "Title"
    assert review["itemReviewed"] == {"@type": "Claim"}
    assert "dateModified" not in review


def test_hostile_title_cannot_leave_the_script_element():
    title = "</script><script>alert(1)</script><!-- & \u2028"
    html = f'<html><head><script type="application/ld+json">{claim_review_script(case(title=title), CONFIG)}</script></head><body><p>after</p></body></html>'
    page = BeautifulSoup(html, "html.parser")
    scripts = page.find_all("script")
    assert len(scripts) == 1
    assert json.loads(scripts[0].string)["name"] == title
    assert page.p.get_text() == "after"


@given(st.text())
def test_script_json_round_trips_and_never_contains_markup(text: str):
    encoded = script_json({"t": text})
    assert json.loads(encoded) == {"t": text}
    assert not {"<", ">", "&"} & set(encoded)


def urls(n: int) -> list[tuple[str, dt.date | None]]:
    return [(f"p{i}/", dt.date(2024, 1, 1) if i % 2 else None) for i in range(n)]


def test_sitemap_single_file_below_limit():
    files = sitemap_files(urls(10), "https://example.org/", limit=10)
    assert [name for name, _ in files] == ["sitemap.xml"]
    root = ET.fromstring(files[0][1])
    assert root.tag == f"{S}urlset"
    locs = [u.findtext(f"{S}loc") for u in root]
    assert locs == [f"https://example.org/p{i}/" for i in range(10)]
    assert root[1].findtext(f"{S}lastmod") == "2024-01-01" and root[0].find(f"{S}lastmod") is None


def test_sitemap_splits_into_index_and_parts_above_limit():
    files = dict(sitemap_files(urls(25), "https://example.org/", limit=10))
    assert list(files) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    assert list(files) == sitemap_outputs(25, limit=10)
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{S}sitemapindex"
    assert [s.findtext(f"{S}loc") for s in index] == [
        f"https://example.org/sitemap-{n}.xml" for n in (1, 2, 3)
    ]
    parts = [ET.fromstring(files[f"sitemap-{n}.xml"]) for n in (1, 2, 3)]
    assert [len(p) for p in parts] == [10, 10, 5]
    every = [u.findtext(f"{S}loc") for p in parts for u in p]
    assert every == [f"https://example.org/p{i}/" for i in range(25)]


def test_robots_points_at_the_sitemap():
    text = robots_txt(CONFIG).decode()
    assert "User-agent: *" in text.splitlines()
    assert "Sitemap: https://example.org/d/sitemap.xml" in text.splitlines()
