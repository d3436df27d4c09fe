"""Every output page of the site, decided before anything is rendered.

A `PlannedPage` names its URL, output path, template and the values it shows. URL collisions
(an alias over a real page, a plain page named like a section) are found here, with all files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .diagnostics import Diagnostic, error
from .model import TAXONOMIES, Case, Page, SiteModel, Term
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


Unit = Callable[[], Iterable[Output]]


def _case_pages(model: SiteModel, config: SiteConfig, case: Case) -> Iterator[Output]:
    yield _page(
        case_url(case.slug), "case.html", case.source_path, case=case_view(model, case, config)
    )
    for alias in case.aliases:
        yield _page(
            alias.lstrip("/"),
            "redirect.html",
            case.source_path,
            target=case_url(case.slug),
            title=case.title,
        )


def _home_pages(
    model: SiteModel, config: SiteConfig, card: Callable[[str], CaseCard]
) -> Iterator[Output]:
    home_cards = [card(c.slug) for c in model.cases]
    for url, chunk, pager in _paginate("", home_cards, config.per_page):
        yield _page(
            url, "home.html", "content/cases", cases=chunk, pager=pager, total=len(home_cards)
        )


def _term_index(model: SiteModel, taxonomy: str) -> Iterator[Output]:
    yield _page(
        f"{taxonomy}/",
        "term_index.html",
        "content/cases",
        taxonomy=taxonomy,
        title=TAXONOMY_TITLES[taxonomy],
        terms=tuple(term_view(t) for t in model.terms[taxonomy]),
    )


def _term_pages(
    config: SiteConfig, card: Callable[[str], CaseCard], term: Term
) -> Iterator[Output]:
    view = term_view(term)
    members = [card(s) for s in term.case_slugs]
    for url, chunk, pager in _paginate(view.url, members, config.per_page):
        yield _page(
            url,
            "term.html",
            "content/cases",
            term=view,
            kind=TAXONOMY_SINGULAR[term.taxonomy],
            index=Link(f"{term.taxonomy}/", TAXONOMY_TITLES[term.taxonomy]),
            cases=chunk,
            pager=pager,
        )


def _plain_page(config: SiteConfig, page: Page) -> Iterator[Output]:
    yield _page(f"{page.slug}/", "page.html", page.source_path, page=page_view(page, config))


def _not_found() -> Iterator[Output]:
    yield _page("404.html", "404.html", "templates/404.html")


def plan_units(model: SiteModel, config: SiteConfig) -> list[Unit]:
    """The plan as independent pieces, each producing a few outputs when called.

    Nothing is computed up front: a worker process that renders every other unit builds only
    the views of its own units, so planning is shared across cores like rendering is.
    """
    cards: dict[str, CaseCard] = {}

    def card(slug: str) -> CaseCard:
        found = cards.get(slug)
        if found is None:
            found = cards[slug] = case_card(model, model.by_slug[slug])
        return found

    units: list[Unit] = [partial(_case_pages, model, config, case) for case in model.cases]
    units.append(partial(_home_pages, model, config, card))
    for taxonomy in TAXONOMIES:
        units.append(partial(_term_index, model, taxonomy))
        units += [partial(_term_pages, config, card, term) for term in model.terms[taxonomy]]
    units += [partial(_plain_page, config, page) for page in model.pages]
    units.append(_not_found)
    return units


def plan_site(model: SiteModel, config: SiteConfig) -> Iterator[Output]:
    """Every output of the site, in a stable order."""
    for unit in plan_units(model, config):
        yield from unit()


def static_files(sources: list[Path]) -> list[DataFile]:
    """Theme assets under `static/`; a later source's file replaces an earlier one's."""
    files: dict[str, Path] = {}
    for source in sources:
        for path in source.rglob("*") if source.is_dir() else ():
            parts = path.relative_to(source).parts
            if path.is_file() and not any(p.startswith(".") for p in parts):
                files["/".join(parts)] = path
    return [
        DataFile(f"static/{name}", files[name].read_bytes(), files[name].as_posix())
        for name in sorted(files)
    ]


def collisions(model: SiteModel) -> list[Diagnostic]:
    """Outputs claimed by more than one source, computed from URLs alone (cheap)."""
    claims: dict[str, list[str]] = defaultdict(list)
    for case in model.cases:
        claims[output_path(case_url(case.slug))].append(case.source_path)
        for alias in case.aliases:
            claims[output_path(alias.lstrip("/"))].append(case.source_path)
    for page in model.pages:
        claims[output_path(f"{page.slug}/")].append(page.source_path)
    for reserved in ("index.html", "404.html", *(f"{t}/index.html" for t in TAXONOMIES)):
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
