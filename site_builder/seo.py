"""What search engines and fact-check aggregators read: sitemaps, robots.txt, ClaimReview.

Everything here uses absolute URLs built from `base_url`, because crawlers resolve nothing
relative to the page they found a sitemap or JSON-LD block on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from html import escape  # quote=False: XML's escape of &, < and >
from typing import Any

from .config import SiteConfig
from .model import Case, DataFile
from .views import case_url

SITEMAP_NAME = "sitemap.xml"
SITEMAP_LIMIT = 50_000  # the sitemaps.org maximum number of URLs per file
ROBOTS_NAME = "robots.txt"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Characters that could end a <script> element or start an HTML comment/CDATA inside it.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}

SitemapRow = tuple[str, dt.date | None]


def script_json(data: Any) -> str:
    """JSON that is safe to paste between `<script>` tags.

    `</script>` or `<!--` inside a title would otherwise end the element early; escaping the
    characters as JSON `\\u` sequences keeps the data identical for any JSON parser.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, replacement in _SCRIPT_ESCAPES.items():
        text = text.replace(char, replacement)
    return text


def _creative_work(url: str, archived: str | None) -> dict[str, str]:
    work = {"@type": "CreativeWork", "url": url}
    if archived:
        work["archivedAt"] = archived
    return work


def claim_review(case: Case, config: SiteConfig) -> dict[str, Any]:
    """schema.org ClaimReview for a case, with the fields Google's fact-check markup reads."""
    organisation = {"@type": "Organization", "name": config.organisation, "url": config.base_url}
    claim: dict[str, Any] = {"@type": "Claim"}
    appearances = [_creative_work(o.url, o.archived) for o in case.outlets]
    if appearances:
        claim["appearance"] = appearances
        claim["firstAppearance"] = appearances[0]
    if case.countries:
        claim["contentLocation"] = [{"@type": "Place", "name": c} for c in case.countries]
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": config.base_url + case_url(case.slug),
        "name": case.title,
        "claimReviewed": case.claim or case.title,
        "datePublished": case.date.isoformat(),
    }
    if case.updated:
        review["dateModified"] = case.updated.isoformat()
    review |= {
        "author": organisation,
        "reviewRating": review_rating(case.rating, config),
        "itemReviewed": claim,
    }
    return review


def review_rating(rating: str, config: SiteConfig) -> dict[str, Any]:
    """The rating's name, plus its place on the site's scale when one is set: Google's
    ClaimReview guidance asks for ratingValue, bestRating and worstRating with a scale."""
    found: dict[str, Any] = {"@type": "Rating", "alternateName": rating}
    value = config.ratings.value(rating)
    if value is not None:
        found |= {"ratingValue": value, "worstRating": 1, "bestRating": len(config.ratings.scale)}
    return found


def claim_review_script(case: Case, config: SiteConfig) -> str:
    return script_json(claim_review(case, config))


def _urlset(rows: Iterable[SitemapRow], base_url: str) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for url, lastmod in rows:
        when = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{escape(base_url + url, quote=False)}</loc>{when}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def _sitemap_index(names: Iterable[str], base_url: str) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    lines += [f"  <sitemap><loc>{escape(base_url + n, quote=False)}</loc></sitemap>" for n in names]
    lines.append("</sitemapindex>\n")
    return "\n".join(lines).encode("utf-8")


def sitemap_outputs(count: int, limit: int = SITEMAP_LIMIT) -> list[str]:
    """File names of the sitemap for `count` URLs: one file, or an index plus numbered parts."""
    parts = -(-count // limit)
    if parts <= 1:
        return [SITEMAP_NAME]
    return [SITEMAP_NAME, *(f"sitemap-{n}.xml" for n in range(1, parts + 1))]


def sitemap_files(
    rows: Iterable[SitemapRow], base_url: str, limit: int = SITEMAP_LIMIT
) -> list[tuple[str, bytes]]:
    """`sitemap.xml`, split into `sitemap-N.xml` parts behind an index above `limit` URLs."""
    listed = list(rows)
    names = sitemap_outputs(len(listed), limit)
    if len(names) == 1:
        return [(SITEMAP_NAME, _urlset(listed, base_url))]
    parts = [listed[i : i + limit] for i in range(0, len(listed), limit)]
    return [
        (SITEMAP_NAME, _sitemap_index(names[1:], base_url)),
        *((name, _urlset(part, base_url)) for name, part in zip(names[1:], parts, strict=True)),
    ]


def robots_txt(config: SiteConfig) -> bytes:
    """Allow everything and point at the sitemap (crawlers read robots.txt at the host root)."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {config.base_url}{SITEMAP_NAME}\n".encode()


def seo_outputs(count: int) -> list[str]:
    return [*sitemap_outputs(count), ROBOTS_NAME]


def plan_seo(config: SiteConfig, rows: Iterable[SitemapRow]) -> Iterator[DataFile]:
    """The sitemap(s) for `rows` (URL relative to the site root, last change) and robots.txt."""
    for name, data in sitemap_files(rows, config.base_url):
        yield DataFile(name, data, "content")
    yield DataFile(ROBOTS_NAME, robots_txt(config), "site.toml")
