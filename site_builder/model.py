"""Frozen data passed between pipeline stages. No I/O, no behaviour beyond trivial accessors.

Each stage produces a new type instead of filling in fields of an old one, so what an object
holds never depends on how far the build got.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

TAXONOMIES: tuple[str, ...] = ("tags", "topics", "countries", "languages", "outlets")
Taxonomy = Literal["tags", "topics", "countries", "languages", "outlets"]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file read from `content/`: path relative to the site root (POSIX) and its text."""

    path: str
    text: str
    digest: str


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Parsed front matter plus where each key sits, so validation can name lines."""

    path: str
    data: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    url: str
    archived: str | None


@dataclass(frozen=True, slots=True)
class Case:
    """One validated debunk case. `summary`/`response` are Markdown of the two sections."""

    slug: str
    title: str
    date: dt.date
    summary: str
    response: str
    source_path: str
    claim: str | None = None
    updated: dt.date | None = None
    rating: str = "Disinformation"
    tags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    outlets: tuple[Outlet, ...] = ()
    related: tuple[str, ...] = ()
    related_lines: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()
    draft: bool = False
    summary_line: int = 1
    response_line: int = 1
    # Lines of front matter keys and list items ("outlets[0]"), for later stages' diagnostics.
    lines: tuple[tuple[str, int], ...] = ()
    lint_ignore: tuple[str, ...] = ()
    # Filled by content loading, once per file (and cached): the sections rendered for the
    # case page (links relative to `cases/<slug>/`), and every link target
    # in Summary and Response with its line in the file, for the link checker.
    summary_html: str = ""
    response_html: str = ""
    links: tuple[tuple[str, int], ...] = ()

    def line(self, key: str) -> int | None:
        return dict(self.lines).get(key)

    def terms(self, taxonomy: str) -> tuple[str, ...]:
        if taxonomy == "outlets":
            return tuple(o.name for o in self.outlets)
        value: tuple[str, ...] = getattr(self, taxonomy)
        return value


@dataclass(frozen=True, slots=True)
class Page:
    """A plain page such as About: `content/pages/<slug>.md` -> `/<slug>/`."""

    slug: str
    title: str
    body: str
    source_path: str
    menu: int | None = None
    body_line: int = 1
    lint_ignore: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WordTable:
    """Every case's word bag (`words.case_tokens`) as numbers: ids into one vocabulary.

    Content loading maps each bag to ids as it arrives and drops its strings, so a site never
    holds millions of word strings and tuple slots: 100k cases have ~28M word occurrences but
    only a few hundred thousand distinct words. Ids are in arrival order, which varies with
    the number of workers; the graph renumbers them in slug order before using them.
    """

    vocabulary: tuple[str, ...]  # id -> word
    spans: dict[str, tuple[int, int]]  # slug -> (start, length) in `ids` and `counts`
    ids: array[int]  # typecode "i"
    counts: array[int]  # typecode "i", the word's count in the case

    def words(self, slug: str) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
        """The case's (words, counts) in first-seen order, or None if it has no entry."""
        span = self.spans.get(slug)
        if span is None:
            return None
        start, stop = span[0], span[0] + span[1]
        return tuple(self.vocabulary[i] for i in self.ids[start:stop]), tuple(
            self.counts[start:stop]
        )


EMPTY_WORDS = WordTable((), {}, array("i"), array("i"))


@dataclass(frozen=True, slots=True)
class RelatedEntry:
    slug: str
    score: float
    reasons: tuple[str, ...]
    editor: bool


@dataclass(frozen=True, slots=True)
class RelatedGraph:
    """slug -> ordered related entries; symmetric for editor links, never self-linked."""

    edges: Mapping[str, tuple[RelatedEntry, ...]]

    def of(self, slug: str) -> tuple[RelatedEntry, ...]:
        return self.edges.get(slug, ())


@dataclass(frozen=True, slots=True)
class Term:
    """A taxonomy term: all spellings that share a slug merge into one page."""

    taxonomy: str
    label: str
    slug: str
    case_slugs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SiteModel:
    """Everything the rendering stages need, fully computed."""

    cases: tuple[Case, ...]
    by_slug: dict[str, Case]
    pages: tuple[Page, ...]
    graph: RelatedGraph
    terms: dict[str, tuple[Term, ...]]
    term_slugs: dict[tuple[str, str], str] = field(default_factory=dict)
    # slug -> digest of the file each case was compiled from: what an incremental build
    # compares with its last build (`changes.py`).
    digests: dict[str, str] = field(default_factory=dict)
    # Case files that exist but did not validate, and the (taxonomy, label) terms they carry:
    # `check` counts them as existing, so their errors do not cascade into "does not exist".
    unbuilt: frozenset[str] = frozenset()
    stub_terms: frozenset[tuple[str, str]] = frozenset()
    # The site's `language`: which Snowball stemmer search and /check/ use for Latin words.
    language: str = "en"


@dataclass(frozen=True, slots=True)
class DataFile:
    """An output whose bytes are computed directly (JSON, CSV, SVG...), not from a template.

    It lives here rather than in `plan` so the modules that compute such files (feeds, open
    data...) can build them without importing the plan that imports them.
    """

    output: str
    data: bytes
    source: str


@dataclass(frozen=True, slots=True)
class BuildResult:
    written: int
    unchanged: int
    removed: int
    cases: int
    pages: int
    timings: tuple[tuple[str, float], ...]
    # One line each for the person at the terminal, not problems with the content: folders
    # of killed builds removed, a cache that could not be written.
    notes: tuple[str, ...] = ()
