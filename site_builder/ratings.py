"""The `/ratings/` page and one term page (with its feed) per rating.

A fact-checker's ratings are only as useful as their explanation: the index shows the scale
from `[ratings]` (worst first) with each rating's sentence and its cases. Ratings are not one
of the taxonomies (`model.TAXONOMIES`): every case has exactly one, the scale fixes their
order, and the related-cases graph must not weigh them. Without a scale, the ratings in use
are listed alphabetically.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from .config import SiteConfig
from .model import DataFile, SiteModel, Term
from .views import CaseCard, Link, TermView, rating_url, term_view

if TYPE_CHECKING:
    from .plan import Output

SECTION = "ratings"
TITLE = "Ratings"


@dataclass(frozen=True, slots=True)
class RatingView:
    term: TermView
    description: str | None
    position: int | None  # 1 = worst, when the site has a scale


def _slug(rating: str) -> str:
    return rating_url(rating).split("/")[1]


def rating_terms(model: SiteModel, config: SiteConfig) -> tuple[Term, ...]:
    """One term per rating: the whole scale (even ratings no case has yet), then any other
    rating in use, alphabetically; cases newest first, as everywhere. Without a scale,
    spellings that share a slug ("true", "True") share a page, under the first in order."""
    members: defaultdict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {_slug(name): name for name in config.ratings.scale}
    for rating in sorted({case.rating for case in model.cases}):
        labels.setdefault(_slug(rating), rating)
    for case in model.cases:
        members[_slug(case.rating)].append(case.slug)
    scale = [_slug(name) for name in config.ratings.scale]
    others = sorted(set(labels) - set(scale), key=lambda slug: labels[slug].casefold())
    return tuple(Term(SECTION, labels[slug], slug, tuple(members[slug])) for slug in scale + others)


def outputs(model: SiteModel, config: SiteConfig) -> Iterator[str]:
    """Every list URL of the section (index, term pages with their page/N/), for the sitemap."""
    from .plan import pager_urls

    yield f"{SECTION}/"
    for term in rating_terms(model, config):
        yield from pager_urls(f"{SECTION}/{term.slug}/", len(term.case_slugs), config.per_page)


def feed_outputs(model: SiteModel, config: SiteConfig) -> Iterator[str]:
    for term in rating_terms(model, config):
        yield f"{SECTION}/{term.slug}/feed.xml"


def _index(model: SiteModel, config: SiteConfig) -> Iterator[Output]:
    from .plan import _page

    described = dict(config.ratings.descriptions)
    scale = config.ratings.scale
    views = tuple(
        RatingView(term_view(term), described.get(term.label), config.ratings.value(term.label))
        for term in rating_terms(model, config)
    )
    yield _page(
        f"{SECTION}/", "ratings.html", "site.toml", ratings=views, scale=bool(scale), title=TITLE
    )


def _pages(config: SiteConfig, card: Callable[[str], CaseCard], term: Term) -> Iterator[Output]:
    from .plan import term_listing_pages

    return term_listing_pages(config, card, term, "Rating", Link(f"{SECTION}/", TITLE))


def _feeds(model: SiteModel, config: SiteConfig) -> Iterator[DataFile]:
    from .feeds import FeedEntries, term_feed

    entries = FeedEntries(model, config)
    for term in rating_terms(model, config):
        yield term_feed(entries, config, term, f"{SECTION}/{term.slug}/", "Rating")


def rating_units(
    model: SiteModel, config: SiteConfig, card: Callable[[str], CaseCard]
) -> list[Callable[[], Iterator[Output]]]:
    """The index, each rating's pages and all rating feeds, as units for any process."""
    return [
        partial(_index, model, config),
        partial(_feeds, model, config),
        *(partial(_pages, config, card, term) for term in rating_terms(model, config)),
    ]
