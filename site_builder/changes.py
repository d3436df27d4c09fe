"""Which outputs a text edit can reach, from a small record of the last build.

Fingerprinting every output proves what changed, but it builds every page's view first: seconds
at 10k cases for an edit that changes one page. Most edits change only the text of a case (its
Summary and Response), and that text shows in three places: the case's own page, the search
index, and (through the related-cases graph) the pages whose related lists it moves. List
pages, term pages, feeds, sitemaps and the timeline show *cards* (title, date, claim, rating,
terms), never the text.

So each build records a `SiteState` per output folder: the settings every page depends on,
what each case was compiled from, a digest of each card, and the outputs that show only
cards; the graph keeps its own state (`graph.GraphState`). When a later build finds the same
settings, the same cases and the same cards (a "text edit"), it renders only:

- the pages of the cases whose files changed;
- the pages of the cases whose related entries changed (`moved`, from `graph.compute_graph`,
  which recomputes only the rows the edit reached), and of the cases that list one of those
  (a page draws its neighbours' related links);
- the graph page and `graph.json` only if a related entry changed, the open data only if a
  related list changed;
- the search index (updated in the files the edit reaches) and the few small site-wide
  outputs, as always.

Everything else keeps its manifest record unrendered. Any other edit (a title, a tag, a new
case, a config or template change) builds as before. tests/test_incremental.py compares such
builds with clean ones, including the Hypothesis sequence of random edits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from operator import attrgetter

import msgspec

from .cache import decode_or_none
from .config import SiteConfig
from .model import Case, Page

# Case fields that only the case's own page, the search index and the graph read.
TEXT_FIELDS = frozenset(
    {"summary", "response", "summary_html", "response_html", "links", "summary_line",
     "response_line"}
)  # fmt: skip
_CARD = attrgetter(*(f.name for f in fields(Case) if f.name not in TEXT_FIELDS))
_ENCODE = msgspec.msgpack.Encoder().encode


@dataclass(frozen=True, slots=True)
class SiteState:
    setting: bytes  # `setting_key`: templates, code, site values, config, plain pages
    sources: dict[str, str]  # slug -> digest of the file it was compiled from
    cards: dict[str, bytes]  # slug -> `card_digest`
    listing: tuple[str, ...]  # outputs that show only cards (`plan.graph_free_units`)


_DECODER = msgspec.msgpack.Decoder(SiteState)


def encode_state(state: SiteState) -> bytes:
    return msgspec.msgpack.encode(state)


def decode_state(data: bytes | None) -> SiteState | None:
    """None for a missing or damaged record: the build then fingerprints everything."""
    return decode_or_none(_DECODER, data)


def setting_key(env_key: bytes, config: SiteConfig, pages: Iterable[Page], drafts: bool) -> bytes:
    digest = hashlib.blake2b(env_key, digest_size=16)
    digest.update(_ENCODE((config, tuple(pages), drafts)))
    return digest.digest()


def card_digest(case: Case) -> bytes:
    """Everything about a case except its text: what list pages, feeds and the graph's terms
    and dates read."""
    return hashlib.blake2b(_ENCODE(_CARD(case)), digest_size=12).digest()


def text_edit(
    previous: SiteState | None,
    setting: bytes,
    sources: Mapping[str, str],
    cases: Mapping[str, Case],
) -> frozenset[str] | None:
    """The slugs whose files changed, if nothing but case text changed since `previous`;
    None for any other change (or no usable record)."""
    if previous is None or previous.setting != setting or previous.sources.keys() != sources.keys():
        return None
    if cases.keys() != sources.keys():
        return None
    changed = frozenset(s for s, digest in sources.items() if previous.sources[s] != digest)
    if any(card_digest(cases[slug]) != previous.cards.get(slug) for slug in changed):
        return None
    return changed


def reached(
    changed: frozenset[str],
    moved: frozenset[str] | None,
    listing: Callable[[frozenset[str]], frozenset[str]],
    everything: Iterable[str],
) -> frozenset[str]:
    """The case pages to render after a text edit: the edited cases, the cases whose related
    entries moved (None: unknown, so all) and the cases that list one of those (`listing`),
    since a page draws its neighbours' related links."""
    if moved is None:
        return frozenset(everything)
    return changed | moved | (listing(moved) if moved else frozenset())


def new_state(
    setting: bytes,
    sources: Mapping[str, str],
    cases: Iterable[Case],
    listing: Iterable[str],
    previous: SiteState | None = None,
) -> SiteState:
    """The record of this build; after a text edit (`previous`) the cards are the same."""
    cards = previous.cards if previous else {case.slug: card_digest(case) for case in cases}
    return SiteState(setting, dict(sources), cards, tuple(sorted(listing)))
