"""Atom feeds: the whole site's latest cases (`feed.xml`) and one feed per term page.

Each case's `<entry>` is serialised once and shared by every feed that lists it, so the many
term feeds of a big site cost a string join each, not a re-render. Dates come from content
(`updated`, else `date`), never from the clock, so two builds give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from html import escape
from itertools import islice

from .config import SiteConfig
from .model import TAXONOMIES, Case, DataFile, SiteModel, Term
from .taxonomy import MergedTerms, merged_terms
from .views import TAXONOMY_SINGULAR, case_url, term_url

FEED_NAME = "feed.xml"
FEED_LIMIT = 50
# Term feeds are many (one per term page) and are polled for news, not archives: 20 entries
# keep a 10k-case site's feeds at a few tens of MB instead of about 80.
TERM_FEED_LIMIT = 20
ATOM_NS = "http://www.w3.org/2005/Atom"
# XML 1.0 forbids these code points even when escaped; a feed reader rejects the whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# `xml.sax.saxutils` escapes the same way, but importing it pulls in urllib.request, http
# and email: 12 ms of every build's start.
def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value), quote=False)


_ATTR_WHITESPACE = str.maketrans({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _attr(value: str) -> str:
    """A quoted attribute value, as `xml.sax.saxutils.quoteattr` makes it."""
    text = _text(value).translate(_ATTR_WHITESPACE)
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


def rfc3339(date: dt.date) -> str:
    """Atom wants a full timestamp; content has days, so midnight UTC stands for the day."""
    return f"{date.isoformat()}T00:00:00Z"


def last_change(case: Case) -> dt.date:
    return case.updated or case.date


def _summary(case: Case) -> str:
    return f"{case.rating}: {case.claim}" if case.claim else case.rating


def _category_lines(merged: MergedTerms, base_url: str) -> dict[tuple[str, str], str]:
    """(taxonomy, spelling) -> its `<category>` line; built once, since terms repeat a lot."""
    return {
        (taxonomy, spelling): (
            f"    <category term={_attr(slug)} label={_attr(label)}"
            f" scheme={_attr(f'{base_url}{taxonomy}/')}/>\n"
        )
        for taxonomy, table in merged.items()
        for spelling, (slug, label) in table.items()
    }


FEED_TERMS = 10  # categories per taxonomy in one entry


def entry_xml(categories: dict[tuple[str, str], str], case: Case, base_url: str) -> bytes:
    """One `<entry>`, indented for a feed; its id is the case's canonical URL (stable)."""
    url = base_url + case_url(case.slug)
    # The entry is in the feed of each of its terms: all its terms in each would grow with
    # the square of the term count; the case page and open data list them all.
    lines = (categories.get((t, label)) for t in TAXONOMIES for label in case.terms(t)[:FEED_TERMS])
    return (
        "  <entry>\n"
        f"    <title>{_text(case.title)}</title>\n"
        f'    <link rel="alternate" type="text/html" href={_attr(url)}/>\n'
        f"    <id>{_text(url)}</id>\n"
        f"    <published>{rfc3339(case.date)}</published>\n"
        f"    <updated>{rfc3339(last_change(case))}</updated>\n"
        f"    <summary>{_text(_summary(case))}</summary>\n"
        # Two spellings of one term give the same line; dict.fromkeys keeps the first.
        + "".join(dict.fromkeys(line for line in lines if line))
        + "  </entry>\n"
    ).encode("utf-8")


def feed_xml(
    *,
    title: str,
    feed_url: str,
    page_url: str,
    config: SiteConfig,
    cases: Iterable[Case],
    entries: dict[str, bytes],
) -> bytes:
    """A complete Atom document; `updated` is the newest change among the listed cases."""
    listed = list(cases)
    updated = max((last_change(c) for c in listed), default=dt.date(1970, 1, 1))
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<feed xmlns={_attr(ATOM_NS)} xml:lang={_attr(config.language)}>\n"
        f"  <title>{_text(title)}</title>\n"
        + (f"  <subtitle>{_text(config.description)}</subtitle>\n" if config.description else "")
        + f"  <id>{_text(feed_url)}</id>\n"
        f'  <link rel="self" type="application/atom+xml" href={_attr(feed_url)}/>\n'
        f'  <link rel="alternate" type="text/html" href={_attr(page_url)}/>\n'
        f"  <updated>{rfc3339(updated)}</updated>\n"
        f"  <author><name>{_text(config.organisation)}</name>"
        f"<uri>{_text(config.base_url)}</uri></author>\n"
        "  <generator>site-builder</generator>\n"
    )
    return b"".join([head.encode("utf-8"), *(entries[c.slug] for c in listed), b"</feed>\n"])


def term_feed_output(term: Term) -> str:
    return f"{term_url(term.taxonomy, term.slug)}{FEED_NAME}"


def feed_outputs(model: SiteModel) -> Iterator[str]:
    """Output paths of every feed, from the model alone (for URL collision checks)."""
    yield FEED_NAME
    for taxonomy in TAXONOMIES:
        yield from (term_feed_output(t) for t in model.terms[taxonomy])


class FeedEntries:
    """Each case's `<entry>`, serialised on first use and shared by every feed listing it
    (state is real: a memo, one per process that renders feeds)."""

    def __init__(self, model: SiteModel, config: SiteConfig) -> None:
        self.model, self.base = model, config.base_url
        self.categories: dict[tuple[str, str], str] | None = None
        self.xml: dict[str, bytes] = {}

    def latest(self, slugs: Iterable[str], limit: int) -> list[Case]:
        """The first `limit` published cases of `slugs`, with their entries ready."""
        published = (c for c in map(self.model.by_slug.__getitem__, slugs) if not c.draft)
        chosen = list(islice(published, limit))
        if self.categories is None:
            self.categories = _category_lines(merged_terms(self.model), self.base)
        for case in chosen:
            if case.slug not in self.xml:
                self.xml[case.slug] = entry_xml(self.categories, case, self.base)
        return chosen


def _site_feed(entries: FeedEntries, config: SiteConfig) -> Iterator[DataFile]:
    base = config.base_url
    cases = entries.latest((c.slug for c in entries.model.cases), FEED_LIMIT)
    yield DataFile(
        FEED_NAME,
        feed_xml(
            title=config.title,
            feed_url=base + FEED_NAME,
            page_url=base,
            config=config,
            cases=cases,
            entries=entries.xml,
        ),
        "content/cases",
    )


def term_feed(
    entries: FeedEntries, config: SiteConfig, term: Term, page_path: str, kind: str
) -> DataFile:
    """The feed of one term's latest cases (a tag, a country, a rating ...), beside its page
    at `page_path`."""
    page = config.base_url + page_path
    return DataFile(
        page_path + FEED_NAME,
        feed_xml(
            title=f"{kind}: {term.label} · {config.title}",
            feed_url=page + FEED_NAME,
            page_url=page,
            config=config,
            cases=entries.latest(term.case_slugs, TERM_FEED_LIMIT),
            entries=entries.xml,
        ),
        "content/cases",
    )


def _term_feeds(entries: FeedEntries, config: SiteConfig, terms: list[Term]) -> Iterator[DataFile]:
    for term in terms:
        page_path = term_url(term.taxonomy, term.slug)
        yield term_feed(entries, config, term, page_path, TAXONOMY_SINGULAR[term.taxonomy])


# Term feeds per unit: a 10k-case site has 5k of them, and one unit would keep one process
# busy for seconds while the others wait.
FEEDS_PER_UNIT = 256


def feed_units(model: SiteModel, config: SiteConfig) -> list[Callable[[], Iterator[DataFile]]]:
    """The site feed (latest `FEED_LIMIT` cases) and one per term (latest `TERM_FEED_LIMIT`),
    as units that any process may render, sharing that process's entries.

    Drafts never appear, even in a `--drafts` preview: feeds are what other sites republish.
    """
    entries = FeedEntries(model, config)
    terms = [term for taxonomy in TAXONOMIES for term in model.terms[taxonomy]]
    return [
        partial(_site_feed, entries, config),
        *(
            partial(_term_feeds, entries, config, terms[i : i + FEEDS_PER_UNIT])
            for i in range(0, len(terms), FEEDS_PER_UNIT)
        ),
    ]
