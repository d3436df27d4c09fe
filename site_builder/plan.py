"""Every output page of the site, decided before anything is rendered.

A `PlannedPage` names its URL, output path, template and the values it shows. URL collisions
(an alias over a real page, a plain page named like a section) are found here, with all files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .config import SiteConfig
from .diagnostics import Diagnostic, error
from .graph_views import clusters, graph_json, graph_overview, neighbourhood_svg
from .model import TAXONOMIES, SiteModel
from .views import (
    TAXONOMY_SINGULAR,
    TAXONOMY_TITLES,
    CaseCard,
    Link,
    case_card,
    case_url,
    case_view,
    page_view,
    term_view,
)


@dataclass(frozen=True, slots=True)
class Pager:
    number: int
    total: int
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    language: str
    base_url: str
    base_path: str
    menu: tuple[Link, ...]
    taxonomies: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class PlannedPage:
    url: str
    output: str
    template: str
    context: dict[str, Any]
    source: str


@dataclass(frozen=True, slots=True)
class DataFile:
    """An output whose bytes are computed directly (JSON, CSV, SVG...), not from a template."""

    output: str
    data: bytes
    source: str


Output = PlannedPage | DataFile


def output_path(url: str) -> str:
    return url if url.endswith((".html", ".xml", ".txt", ".json")) else f"{url}index.html"


def root_prefix(url: str) -> str:
    """Relative path from `url` back to the site root ('' for the home page)."""
    depth = url.count("/")
    return "../" * depth


def site_view(model: SiteModel, config: SiteConfig) -> SiteView:
    pages = sorted(
        (p for p in model.pages if p.menu is not None), key=lambda p: (p.menu or 0, p.slug)
    )
    return SiteView(
        config.title,
        config.description,
        config.language,
        config.base_url,
        config.base_path,
        tuple(Link(f"{p.slug}/", p.title) for p in pages),
        tuple(Link(f"{t}/", TAXONOMY_TITLES[t]) for t in TAXONOMIES),
    )


def _paginate(
    base: str, cards: Sequence[CaseCard], per_page: int
) -> Iterator[tuple[str, Sequence[CaseCard], Pager]]:
    total = max(1, -(-len(cards) // per_page))

    def url(n: int) -> str:
        return base if n == 1 else f"{base}page/{n}/"

    for n in range(1, total + 1):
        pager = Pager(n, total, url(n - 1) if n > 1 else None, url(n + 1) if n < total else None)
        yield url(n), cards[(n - 1) * per_page : n * per_page], pager


def _page(url: str, template: str, source: str, **context: Any) -> PlannedPage:
    return PlannedPage(url, output_path(url), template, context, source)


def _list_pages(
    model: SiteModel, config: SiteConfig, cards: dict[str, CaseCard]
) -> Iterator[PlannedPage]:
    home_cards = [cards[c.slug] for c in model.cases]
    for url, chunk, pager in _paginate("", home_cards, config.per_page):
        yield _page(
            url, "home.html", "content/cases", cases=chunk, pager=pager, total=len(home_cards)
        )
    for taxonomy in TAXONOMIES:
        terms = tuple(term_view(t) for t in model.terms[taxonomy])
        yield _page(
            f"{taxonomy}/",
            "term_index.html",
            "content/cases",
            taxonomy=taxonomy,
            title=TAXONOMY_TITLES[taxonomy],
            terms=terms,
        )
        for term, view in zip(model.terms[taxonomy], terms, strict=True):
            members = [cards[s] for s in term.case_slugs]
            for url, chunk, pager in _paginate(view.url, members, config.per_page):
                yield _page(
                    url,
                    "term.html",
                    "content/cases",
                    term=view,
                    kind=TAXONOMY_SINGULAR[taxonomy],
                    index=Link(f"{taxonomy}/", TAXONOMY_TITLES[taxonomy]),
                    cases=chunk,
                    pager=pager,
                )


def plan_site(model: SiteModel, config: SiteConfig) -> Iterator[Output]:
    """Yield every page; views are built lazily so a big site is never held in memory at once."""
    cards = {c.slug: case_card(model, c) for c in model.cases}
    for case in model.cases:
        yield _page(
            case_url(case.slug),
            "case.html",
            case.source_path,
            case=case_view(model, case, config),
            neighbourhood=neighbourhood_svg(model, case),
        )
        for alias in case.aliases:
            yield _page(
                alias.lstrip("/"),
                "redirect.html",
                case.source_path,
                target=case_url(case.slug),
                title=case.title,
            )
    yield from _list_pages(model, config, cards)
    for page in model.pages:
        yield _page(f"{page.slug}/", "page.html", page.source_path, page=page_view(page, config))
    yield _page("404.html", "404.html", "templates/404.html")
    groups = clusters(model.graph, [c.slug for c in model.cases])
    yield _page("graph/", "graph.html", "content/cases", graph=graph_overview(model, groups))
    yield DataFile("data/graph.json", graph_json(model, config, groups), "content/cases")


def collisions(model: SiteModel) -> list[Diagnostic]:
    """Outputs claimed by more than one source, computed from URLs alone (cheap)."""
    claims: dict[str, list[str]] = defaultdict(list)
    for case in model.cases:
        claims[output_path(case_url(case.slug))].append(case.source_path)
        for alias in case.aliases:
            claims[output_path(alias.lstrip("/"))].append(case.source_path)
    for page in model.pages:
        claims[output_path(f"{page.slug}/")].append(page.source_path)
    generated = ("index.html", "404.html", "graph/index.html", "data/graph.json")
    for reserved in (*generated, *(f"{t}/index.html" for t in TAXONOMIES)):
        claims[reserved].append("(generated)")
    problems = []
    for path, sources in sorted(claims.items()):
        if len(sources) > 1:
            for source in sorted(set(sources) - {"(generated)"}):
                others = ", ".join(s for s in sources if s != source) or "itself"
                problems.append(
                    error(source, None, f"output '{path}' is also produced by {others}")
                )
    return problems
