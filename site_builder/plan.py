"""Every output page of the site, decided before anything is rendered.

A `PlannedPage` names its URL, output path, template and the values it shows. URL collisions
(an alias over a real page, a plain page named like a section) are found here, with all files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from . import check_index, feeds, opendata, ratings, redirects, search_index, seo, timeline
from .config import FAVICON_TYPES, SiteConfig
from .diagnostics import Diagnostic, error
from .graph_views import clusters, graph_json, graph_overview, neighbourhood_svg
from .model import TAXONOMIES, Case, DataFile, Page, SiteModel, Term
from .views import (
    TAXONOMY_SINGULAR,
    TAXONOMY_TITLES,
    CaseCard,
    Link,
    case_card,
    case_url,
    case_view,
    page_view,
    term_url,
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
    # `[theme]` in site.toml: extra stylesheets and a template for the end of <head>.
    stylesheets: tuple[str, ...] = ()
    head: str | None = None
    favicon: str = "static/favicon.svg"  # the link from the site root, and its MIME type
    favicon_type: str = "image/svg+xml"


@dataclass(frozen=True, slots=True)
class PlannedPage:
    url: str
    output: str
    template: str
    context: dict[str, Any]
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
        (
            *(Link(f"{t}/", TAXONOMY_TITLES[t]) for t in TAXONOMIES),
            Link(f"{ratings.SECTION}/", ratings.TITLE),
        ),
        config.theme.stylesheets,
        config.theme.head,
        f"static/{config.favicon}",
        FAVICON_TYPES[Path(config.favicon).suffix.lower()],
    )


def pager_urls(base: str, count: int, per_page: int) -> list[str]:
    """URLs of the list pages for `count` items: `base`, then `base` + 'page/N/'."""
    total = max(1, -(-count // per_page))
    return [base if n == 1 else f"{base}page/{n}/" for n in range(1, total + 1)]


def _paginate(
    base: str, cards: Sequence[CaseCard], per_page: int
) -> Iterator[tuple[str, Sequence[CaseCard], Pager]]:
    urls = pager_urls(base, len(cards), per_page)
    total = len(urls)
    for n, url in enumerate(urls, start=1):
        pager = Pager(n, total, urls[n - 2] if n > 1 else None, urls[n] if n < total else None)
        yield url, cards[(n - 1) * per_page : n * per_page], pager


def _page(url: str, template: str, source: str, **context: Any) -> PlannedPage:
    return PlannedPage(url, output_path(url), template, context, source)


Unit = Callable[[], Iterable[Output]]


@dataclass(frozen=True, slots=True)
class CaseUnit:
    """A case's page and its alias redirects, with a cheap summary of what they are made of.

    One edit changes a handful of case pages, yet building every page's view just to see that
    it did not change costs seconds at 10k cases. `inputs()` lists everything the outputs read
    (the case, the term slugs of its labels, its related entries, each neighbour's title, date
    and related slugs); equal inputs under the same templates, config and code give equal
    bytes, so the build can skip the unit without building its views (tests/test_incremental.py
    compares such builds with clean ones).
    """

    model: SiteModel
    config: SiteConfig
    case: Case

    def __call__(self) -> Iterator[Output]:
        return _case_pages(self.model, self.config, self.case)

    def paths(self) -> list[str]:
        case = self.case
        return [output_path(case_url(case.slug))] + [
            output_path(alias.lstrip("/")) for alias in case.aliases
        ]

    def inputs(self) -> tuple[object, ...]:
        case, model = self.case, self.model
        entries = model.graph.of(case.slug)
        neighbours = [model.by_slug[e.slug] for e in entries]
        # A compiled case is a function of its file's bytes and path, the config (here) and
        # the code (in every fingerprint): the file's digest stands for its ~7 KB of fields,
        # which cost a fifth of fingerprinting a case page to encode and hash.
        digest = model.digests.get(case.slug)
        return (
            self.config,
            (case.source_path, digest) if digest else case,
            [model.term_slugs.get((t, label)) for t in TAXONOMIES for label in case.terms(t)],
            entries,
            [(n.title, n.date, [o.slug for o in model.graph.of(n.slug)]) for n in neighbours],
        )


@dataclass(frozen=True, slots=True)
class ListingUnit:
    """A unit of `graph_free_units`: its outputs show case cards, never a case's text or the
    related graph, so a text edit leaves them as they are (`changes.py`)."""

    make: Unit

    def __call__(self) -> Iterable[Output]:
        return self.make()


def _case_pages(model: SiteModel, config: SiteConfig, case: Case) -> Iterator[Output]:
    yield _page(
        case_url(case.slug),
        "case.html",
        case.source_path,
        case=case_view(model, case, config),
        jsonld=seo.claim_review_script(case, config),
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


def term_listing_pages(
    config: SiteConfig, card: Callable[[str], CaseCard], term: Term, kind: str, index: Link
) -> Iterator[Output]:
    """A term's paginated list of case cards: a tag, a country, a rating ... (`kind`), under
    the page listing all of its kind (`index`)."""
    view = term_view(term)
    members = [card(s) for s in term.case_slugs]
    for url, chunk, pager in _paginate(view.url, members, config.per_page):
        yield _page(
            url,
            "term.html",
            "content/cases",
            term=view,
            kind=kind,
            index=index,
            cases=chunk,
            pager=pager,
        )


def _term_pages(
    config: SiteConfig, card: Callable[[str], CaseCard], term: Term
) -> Iterator[Output]:
    index = Link(f"{term.taxonomy}/", TAXONOMY_TITLES[term.taxonomy])
    return term_listing_pages(config, card, term, TAXONOMY_SINGULAR[term.taxonomy], index)


def _plain_page(config: SiteConfig, page: Page) -> Iterator[Output]:
    yield _page(f"{page.slug}/", "page.html", page.source_path, page=page_view(page, config))


def _timeline(model: SiteModel) -> Iterator[Output]:
    yield _page(
        timeline.URL, "timeline.html", "content/cases", timeline=timeline.timeline_view(model.cases)
    )


class _Once:
    """A value computed on first use, once per process: the graph page and graph.json both
    need the clusters, and they may be rendered by the same worker or by two."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make, self._value, self._done = make, None, False

    def __call__(self) -> Any:
        if not self._done:
            self._value, self._done = self._make(), True
        return self._value


def _graph_page(model: SiteModel, groups: _Once) -> Iterator[Output]:
    yield _page("graph/", "graph.html", "content/cases", graph=graph_overview(model, groups()))


def _graph_data(model: SiteModel, config: SiteConfig, groups: _Once) -> Iterator[Output]:
    yield DataFile("data/graph.json", graph_json(model, config, groups()), "content/cases")


def _graph_outputs(model: SiteModel, config: SiteConfig) -> list[Unit]:
    """The graph page and graph.json as two units, so two workers can share the work."""
    groups = _Once(lambda: clusters(model.graph, [c.slug for c in model.cases]))
    return [partial(_graph_page, model, groups), partial(_graph_data, model, config, groups)]


def _search_page(model: SiteModel) -> Iterator[Output]:
    yield _page("search/", "search.html", "templates/search.html", total=len(model.cases))


def _check_page(model: SiteModel) -> Iterator[Output]:
    yield _page("check/", "check.html", "templates/check.html", total=len(model.cases))


def _not_found() -> Iterator[Output]:
    yield _page("404.html", "404.html", "templates/404.html")


def _cards(model: SiteModel) -> Callable[[str], CaseCard]:
    """A case's card, built once per process however many list pages show it."""
    cards: dict[str, CaseCard] = {}

    def card(slug: str) -> CaseCard:
        found = cards.get(slug)
        if found is None:
            found = cards[slug] = case_card(model, model.by_slug[slug])
        return found

    return card


def graph_free_units(model: SiteModel, config: SiteConfig) -> list[ListingUnit]:
    """Units that never read the related graph: a build renders them (with the search index)
    in a forked process while the parent computes the graph."""
    card = _cards(model)
    units: list[Callable[[], Iterable[Output]]] = [
        *feeds.feed_units(model, config),
        lambda: seo.plan_seo(config, listed_pages(model, config)),
        partial(_home_pages, model, config, card),
    ]
    for taxonomy in TAXONOMIES:
        units.append(partial(_term_index, model, taxonomy))
        units += [partial(_term_pages, config, card, term) for term in model.terms[taxonomy]]
    units += ratings.rating_units(model, config, card)
    units.append(partial(_timeline, model))
    return [ListingUnit(unit) for unit in units]


# What `_graph_outputs` writes: the outputs that read every related entry, scores included
# (`opendata.OUTPUTS` read the related slugs only).
GRAPH_OUTPUTS = ("graph/index.html", "data/graph.json")


def plan_units(
    model: SiteModel,
    config: SiteConfig,
    *,
    graph_free: bool = True,
    search: bool = True,
    graph_pages: bool = True,
    open_data: bool = True,
    cases: Collection[str] | None = None,
) -> list[Unit]:
    """The plan as independent pieces, each producing a few outputs when called.

    Nothing is computed up front: a worker process that renders every other unit builds only
    the views of its own units, so planning is shared across cores like rendering is.
    `graph_free=False` leaves out `graph_free_units`, `search=False` the search index,
    `graph_pages=False` the `GRAPH_OUTPUTS` and `open_data=False` the open data, for a build
    that renders (or keeps) those itself; `cases` limits the case pages to those slugs.
    """
    units: list[Unit] = [
        CaseUnit(model, config, case) for case in model.cases if cases is None or case.slug in cases
    ]
    units += [partial(_plain_page, config, page) for page in model.pages]
    units.append(_not_found)
    units.append(partial(redirects.plan_redirects, model, config))
    units.append(partial(_search_page, model))
    units.append(partial(_check_page, model))
    # Whole-site outputs are the biggest units: first, so the other workers' share of small
    # units balances them instead of one worker finishing alone.
    return [
        *([partial(search_index.plan_search, model)] if search else []),
        *([partial(check_index.plan_check, model)] if search else []),
        *(_graph_outputs(model, config) if graph_pages else []),
        *([partial(opendata.plan_opendata, model, config)] if open_data else []),
        *(graph_free_units(model, config) if graph_free else []),
        *units,
    ]


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


def listed_pages(model: SiteModel, config: SiteConfig) -> Iterator[seo.SitemapRow]:
    """Every public HTML page (URL, last change if known): the sitemap's rows.

    Computed from the model alone, like `generated_outputs`; redirect pages and the 404 page
    are not listed, and neither are drafts (even in a `--drafts` preview).
    """
    yield from ((case_url(c.slug), c.updated or c.date) for c in model.cases if not c.draft)
    yield from ((url, None) for url in _list_urls(model, config))
    yield from ((f"{page.slug}/", None) for page in model.pages)


def _list_urls(model: SiteModel, config: SiteConfig) -> Iterator[str]:
    yield from pager_urls("", len(model.cases), config.per_page)
    for taxonomy in TAXONOMIES:
        yield f"{taxonomy}/"
        for term in model.terms[taxonomy]:
            yield from pager_urls(
                term_url(taxonomy, term.slug), len(term.case_slugs), config.per_page
            )
    yield from ratings.outputs(model, config)
    yield timeline.URL
    yield "search/"
    yield "check/"
    yield "graph/"


def generated_outputs(model: SiteModel, config: SiteConfig) -> Iterator[str]:
    """Output paths that no single content file owns (lists, feeds, data, sitemaps...).

    Must match what `plan_site` yields; tests/test_readers.py compares both on a real build,
    so a new output added to `plan_site` must be added here too.
    """
    yield from (output_path(url) for url in _list_urls(model, config))
    yield "404.html"
    yield "data/graph.json"
    yield from search_index.search_outputs(len(model.cases))
    yield from check_index.check_outputs(len(model.cases))
    yield from feeds.feed_outputs(model)
    yield from ratings.feed_outputs(model, config)
    yield from opendata.OUTPUTS
    yield redirects.OUTPUT
    yield from seo.seo_outputs(sum(1 for _ in listed_pages(model, config)))


GENERATED = "the site itself"
RESERVED_PREFIX = "static/"


def _owners(sources: list[str]) -> str:
    return ", ".join(sorted(set(sources)))


def _folder_conflicts(claims: dict[str, list[str]]) -> Iterator[Diagnostic]:
    """A path claimed as a file while another output needs it as a folder (`feed.xml/`)."""
    for path, sources in claims.items():
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in claims:
                for source in sorted(set(sources + claims[folder]) - {GENERATED}):
                    yield error(
                        source,
                        None,
                        f"output '{path}' needs '{folder}' to be a folder, but '{folder}' is "
                        f"a file produced by {_owners(claims[folder])}",
                    )
        if path.startswith(RESERVED_PREFIX):
            for source in sorted(set(sources) - {GENERATED}):
                yield error(
                    source,
                    None,
                    f"output '{path}' is inside '{RESERVED_PREFIX}', which is reserved for "
                    "the theme's static files",
                )


def collisions(model: SiteModel, config: SiteConfig) -> list[Diagnostic]:
    """Outputs claimed by more than one source, computed from URLs alone (cheap).

    An alias (or plain page) must never shadow anything the site generates: list pages, term
    pages and their pagination, feeds, sitemaps, data files, the timeline, `_redirects`.
    """
    claims: dict[str, list[str]] = defaultdict(list)
    for case in model.cases:
        claims[output_path(case_url(case.slug))].append(case.source_path)
        for alias in case.aliases:
            claims[output_path(alias.lstrip("/"))].append(case.source_path)
    for page in model.pages:
        claims[output_path(f"{page.slug}/")].append(page.source_path)
    for path in generated_outputs(model, config):
        claims[path].append(GENERATED)
    problems = list(_folder_conflicts(claims))
    for path, sources in sorted(claims.items()):
        if len(sources) > 1:
            for source in sorted(set(sources) - {GENERATED}):
                others = _owners([s for s in sources if s != source]) or "itself"
                problems.append(
                    error(source, None, f"output '{path}' is also produced by {others}")
                )
    return problems
