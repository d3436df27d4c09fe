"""Frozen, template-facing views (Zola's `ser.rs` idea): templates never see `Case` itself.

All URLs here are site-relative without a leading slash ("cases/x/"); templates prefix them
with `root`, the relative path from the current page back to the site root.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .config import SiteConfig
from .markdown import render
from .model import TAXONOMIES, Case, Page, RelatedGraph, SiteModel, Term
from .taxonomy import term_slug

TAXONOMY_TITLES = {
    "tags": "Tags",
    "topics": "Topics",
    "countries": "Countries",
    "languages": "Languages",
    "outlets": "Outlets",
}
TAXONOMY_SINGULAR = {
    "tags": "Tag",
    "topics": "Topic",
    "countries": "Country",
    "languages": "Language",
    "outlets": "Outlet",
}


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True, slots=True)
class TermGroup:
    taxonomy: str
    title: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class OutletView:
    name: str
    url: str
    archived: str | None
    term_url: str


@dataclass(frozen=True, slots=True)
class RelatedView:
    url: str
    title: str
    date: str
    reasons: tuple[str, ...]
    editor: bool


@dataclass(frozen=True, slots=True)
class CaseCard:
    """What a list item shows: enough to choose, not the whole case."""

    slug: str
    url: str
    title: str
    date: str
    date_text: str
    claim: str | None
    rating: str
    topics: tuple[Link, ...]  # the first CARD_TERMS; the case page shows them all
    more_topics: int = 0  # how many more the card leaves out ("+N more")
    rating_url: str = ""


# A card is on every listing of every term of its case: showing all its terms made output
# grow with the square of a case's term count (2,000 tags: 318 MB).
CARD_TERMS = 3


@dataclass(frozen=True, slots=True)
class CaseView:
    card: CaseCard
    updated: str | None
    updated_text: str | None
    summary_html: str
    response_html: str
    terms: tuple[TermGroup, ...]
    outlets: tuple[OutletView, ...]
    related: tuple[RelatedView, ...]


@dataclass(frozen=True, slots=True)
class TermView:
    taxonomy: str
    label: str
    url: str
    count: int


@dataclass(frozen=True, slots=True)
class PageView:
    slug: str
    url: str
    title: str
    body_html: str


def case_url(slug: str) -> str:
    return f"cases/{slug}/"


def term_url(taxonomy: str, slug: str) -> str:
    return f"{taxonomy}/{slug}/"


def rating_url(rating: str) -> str:
    """The rating's page under /ratings/ (`ratings.py`)."""
    return f"ratings/{term_slug(rating) or 'unrated'}/"


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_text(date: dt.date) -> str:
    """English month names regardless of the machine's locale: output must not vary by host."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def _term_links(model: SiteModel, case: Case, taxonomy: str) -> tuple[Link, ...]:
    links: dict[str, Link] = {}
    for label in case.terms(taxonomy):
        slug = model.term_slugs.get((taxonomy, label))
        if slug and slug not in links:
            links[slug] = Link(term_url(taxonomy, slug), label)
    return tuple(links.values())


def case_card(model: SiteModel, case: Case) -> CaseCard:
    topics = _term_links(model, case, "topics")
    return CaseCard(
        case.slug,
        case_url(case.slug),
        case.title,
        case.date.isoformat(),
        date_text(case.date),
        case.claim,
        case.rating,
        topics[:CARD_TERMS],
        max(0, len(topics) - CARD_TERMS),
        rating_url(case.rating),
    )


def _related(model: SiteModel, graph: RelatedGraph, case: Case) -> tuple[RelatedView, ...]:
    views = []
    for entry in graph.of(case.slug):
        other = model.by_slug[entry.slug]
        views.append(
            RelatedView(
                case_url(other.slug),
                other.title,
                date_text(other.date),
                entry.reasons,
                entry.editor,
            )
        )
    return tuple(views)


def case_view(model: SiteModel, case: Case, config: SiteConfig) -> CaseView:
    """The case page's values; its Markdown was rendered (once, cached) when it was loaded."""
    outlets = tuple(
        OutletView(
            o.name,
            o.url,
            o.archived,
            term_url("outlets", model.term_slugs.get(("outlets", o.name), "")),
        )
        for o in case.outlets
    )
    groups = tuple(
        TermGroup(t, TAXONOMY_TITLES[t], links)
        for t in TAXONOMIES
        if (links := _term_links(model, case, t))
    )
    return CaseView(
        case_card(model, case),
        case.updated.isoformat() if case.updated else None,
        date_text(case.updated) if case.updated else None,
        case.summary_html,
        case.response_html,
        groups,
        outlets,
        _related(model, model.graph, case),
    )


def term_view(term: Term) -> TermView:
    return TermView(
        term.taxonomy, term.label, term_url(term.taxonomy, term.slug), len(term.case_slugs)
    )


def page_view(page: Page, config: SiteConfig) -> PageView:
    body = render(page.body, link_prefix="../", allow_html=config.allow_html)
    return PageView(page.slug, f"{page.slug}/", page.title, body.html)
