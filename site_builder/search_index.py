"""The static search index: sharded JSON files that `static/search.js` queries in the browser.

There is no server, so the index must be split into files a browser fetches on demand, and it
must stay cheap at 100k cases, where one monolithic index (or Pagefind's whole-site indexing
pass) no longer fits the build budget. Why this format over Pagefind: README, "Search".

Files, all under `search/` (JSON with sorted keys and compact separators, so the same input
always gives the same bytes):

- `manifest.json`: format version, cases per year, the index shape (id space, shard and chunk widths), the
  tokeniser's parameters and stop words (so the browser tokenises queries exactly like this
  module), and a digest of every other file for cache busting.
- `facets.json`: per taxonomy, [facet value id, label, slug, number of cases].
- `meta/<k>.json`: per case [id, yyyymmdd, rank, facet ids...]; what filtering, counting and
  ranking need for every hit. `rank` orders cases of the same day by slug, as list pages do,
  without shipping the slug of every hit.
- `docs/<k>.json`: per case [id, slug, title, snippet]; fetched only for the hits shown.
- `terms/<k>.json`: token -> postings [body ids, claim ids, title ids] (delta-encoded; trailing
  empty lists dropped). A token lives in the shard of its first `PREFIX` characters, so a
  prefix query for the last word the reader typed reads one shard.

Edits stay local: a case's id comes from a hash of its slug (`stable_ids`), not from its rank,
so adding or editing a case leaves every other case's id alone, and only the chunks holding it
and the shards holding its tokens change. Only when the corpus crosses a power of two does the
shape (and with it every file) change.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import html
import json
import operator
import re
import zlib
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, filterfalse, repeat

import msgspec

from .cache import decode_or_none
from .model import TAXONOMIES, Case, DataFile, SiteModel
from .tokens import MAX_TOKEN, MIN_TOKEN, STOP_WORDS, TOKEN_RE, normalise, tokeniser, valid

__all__ = ["MAX_TOKEN", "MIN_TOKEN", "STOP_WORDS", "normalise", "tokenise"]
# Changes whenever the tokens of the same text may change, so that no build patches postings
# kept from a build that tokenised otherwise.
TOKENS_KEY = "snowball-3.1.1"

INDEX_VERSION = 1
PREFIX = 3
# Field order inside a posting triple; a case is listed under the best field it has the token in.
FIELDS = ("body", "claim", "title")
WEIGHTS = (1, 3, 6)
DOCS_PER_SHARD = 512
DOC_SLOTS_PER_CHUNK = 128
MAX_META_CHUNKS = 64
SNIPPET_CHARS = 180


@dataclass(frozen=True, slots=True)
class IndexShape:
    """Sizes derived from the number of cases only, so they change only at powers of two."""

    doc_space: int
    shards: int
    meta_width: int
    docs_width: int


@dataclass(frozen=True, slots=True)
class IndexedCase:
    """One case as the index sees it: its id, what results show, and the text of each field."""

    id: int
    slug: str
    title: str
    date: int
    rank: int
    snippet: str
    facets: tuple[int, ...]
    texts: tuple[str, str, str]  # in FIELDS order


def _next_power_of_two(n: int) -> int:
    return 1 << max(0, n - 1).bit_length()


def index_shape(cases: int) -> IndexShape:
    """Ids live in a space at least twice the corpus (few hash collisions, so ids rarely move)."""
    doc_space = max(256, _next_power_of_two(2 * cases))
    shards = max(1, _next_power_of_two(-(-cases // DOCS_PER_SHARD)))
    meta_width = min(doc_space, max(1024, doc_space // MAX_META_CHUNKS))
    return IndexShape(doc_space, shards, meta_width, DOC_SLOTS_PER_CHUNK)


def tokenise(text: str, language: str = "en") -> list[str]:
    """The stemmed tokens of `text`, as the index holds them (see `tokens.Tokeniser`)."""
    return tokeniser(language).tokens(text)


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over UTF-8: trivial to reproduce in JavaScript, unlike Python's hash()."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def shard_of(token: str, shards: int) -> int:
    """Tokens sharing their first PREFIX characters share a shard, so prefix search reads one."""
    return fnv1a(token[:PREFIX]) & (shards - 1)


def stable_ids(keys: Iterable[str], space: int) -> dict[str, int]:
    """Map each key to a slot in [0, space) that depends on the key, not on its neighbours.

    Slot = crc32(key) mod space, probing linearly on collision; keys are placed in sorted order
    so the result is a pure function of the key set. With `space` at least twice the number of
    keys, adding or removing one key moves no other key unless they collide (rare).
    """
    taken: dict[int, str] = {}
    ids: dict[str, int] = {}
    for key in sorted(set(keys)):
        slot = zlib.crc32(key.encode("utf-8")) % space
        while slot in taken:
            slot = (slot + 1) % space
        taken[slot] = key
        ids[key] = slot
    return ids


# Bytes that end an ASCII word become spaces and A-Z become a-z (so ASCII text needs no
# `str.lower` pass); bytes >= 0x80 (non-ASCII letters, and punctuation such as curly quotes)
# stay, and words holding them are split properly once per distinct word.
_SEPARATORS = bytes(
    b + 32 if 65 <= b <= 90 else b if b >= 0x80 or chr(b).isalnum() else 0x20 for b in range(256)
)
# Each pattern starts with a literal, which `re` finds fast; one alternation of them all was
# ten times slower. Link texts stay, their targets go.
_NOT_PROSE = tuple(
    re.compile(pattern)
    for pattern in (
        r"\]\([^)\n]*\)",  # link and image targets
        r"\n {0,3}\[[^\]\n]+\]:[^\n]*",  # reference definitions
        r"<[^>\n]*>",  # HTML tags and autolinks
        r"https?://\S+",  # bare URLs
        r"\[\^[^\]\n]*\]",  # footnote marks
    )
)
_MARKUP = re.compile(r"[#*_`>|~\[\]]+")


def searchable_text(markdown: str) -> str:
    """Markdown without what is not prose (link targets, URLs, HTML tags, footnote marks).

    Cheaper than parsing the Markdown again; markup characters are left for the tokeniser,
    which ignores punctuation anyway.
    """
    text = f"\n{markdown}"
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    return text


def plain_text(markdown: str) -> str:
    """Readable one-line text of a Markdown section, for result snippets."""
    return " ".join(html.unescape(_MARKUP.sub(" ", searchable_text(markdown))).split())


def _snippet(case: Case) -> str:
    if case.claim:
        return case.claim
    body = plain_text(case.summary)
    if len(body) <= SNIPPET_CHARS:
        return body
    return body[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


def raw_words(text: str) -> set[bytes]:
    """Distinct words split at ASCII separators only: the fast path for whole documents.

    Much cheaper than a Unicode regex over every word; `clean_word` finishes the job once per
    distinct word of the corpus. Together they give exactly the tokens of `tokenise`.
    """
    data = text.encode("ascii") if text.isascii() else normalise(text).encode("utf-8")
    return set(data.translate(_SEPARATORS).split())


def clean_word(raw: bytes, language: str = "en") -> tuple[str, ...]:
    """The stemmed tokens inside one `raw_words` word: one, none (stop word...), or several
    when non-ASCII punctuation (a curly apostrophe, a dash) joined them."""
    stem = tokeniser(language).stem
    if raw.isascii():
        word = raw.decode("ascii")
        return (stem(word),) if valid(word) else ()
    return tuple(stem(t) for t in TOKEN_RE.findall(raw.decode("utf-8")) if valid(t))


def _facet_ids(model: SiteModel) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
    """Stable ids for every term ("tags/vaccines") and each case's term ids."""
    keys = [f"{tax}/{term.slug}" for tax in TAXONOMIES for term in model.terms.get(tax, ())]
    ids = stable_ids(keys, max(256, _next_power_of_two(2 * len(keys))))
    per_case: dict[str, list[int]] = defaultdict(list)
    for taxonomy in TAXONOMIES:
        for term in model.terms.get(taxonomy, ()):
            term_id = ids[f"{taxonomy}/{term.slug}"]  # once per term, not per case in it
            for slug in term.case_slugs:
                per_case[slug].append(term_id)
    return ids, {slug: tuple(sorted(f)) for slug, f in per_case.items()}


def index_cases(
    model: SiteModel, shape: IndexShape, facets: dict[str, tuple[int, ...]]
) -> tuple[IndexedCase, ...]:
    """Every published case with its id and facet ids, in id order."""
    ids = stable_ids((c.slug for c in model.cases), shape.doc_space)
    same_day: dict[dt.date, list[str]] = defaultdict(list)
    for case in model.cases:
        same_day[case.date].append(case.slug)
    rank = {slug: n for slugs in same_day.values() for n, slug in enumerate(sorted(slugs))}
    indexed = (
        IndexedCase(
            ids[case.slug],
            case.slug,
            case.title,
            int(case.date.strftime("%Y%m%d")),
            rank[case.slug],
            _snippet(case),
            facets.get(case.slug, ()),
            (
                searchable_text(f"{case.summary}\n\n{case.response}"),
                case.claim or "",
                case.title,
            ),
        )
        for case in model.cases
    )
    return tuple(sorted(indexed, key=lambda c: c.id))


def encode(value: object) -> bytes:
    """Deterministic, compact JSON: identical input gives identical bytes."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


Postings = tuple[list[int], list[int], list[int]]


def _invert(cases: tuple[IndexedCase, ...]) -> tuple[dict[bytes, list[int]], ...]:
    """Raw word -> sorted case ids, per field: the hot loop of the build, kept in C.

    `map(list.append, ...)` drained by a zero-length deque appends every id without a Python
    statement per posting (the itertools "consume" recipe).
    """
    fields: tuple[defaultdict[bytes, list[int]], ...] = tuple(defaultdict(list) for _ in FIELDS)
    for case in cases:  # id order, so every list comes out sorted
        for postings, text in zip(fields, case.texts, strict=True):
            words = raw_words(text)
            deque(map(list.append, map(postings.__getitem__, words), repeat(case.id)), maxlen=0)
    return fields


def _best_field_only(lists: Postings) -> Postings:
    """A case is listed once per token, under its best field (title, then claim, then body)."""
    body, claim, title = lists
    if not claim and not title:
        return lists
    strong = set(title)
    claim = list(filterfalse(strong.__contains__, claim))
    strong.update(claim)
    return list(filterfalse(strong.__contains__, body)), claim, title


def postings(cases: tuple[IndexedCase, ...], language: str = "en") -> dict[str, Postings]:
    """Token -> sorted case ids per field (body, claim, title), each case under one field."""
    merged: dict[str, Postings] = {}
    unsorted: set[tuple[str, int]] = set()
    for field, raw_postings in enumerate(_invert(cases)):
        for raw, ids in raw_postings.items():
            for token in clean_word(raw, language):
                lists = merged.setdefault(token, ([], [], []))
                if lists[field]:  # several raw words gave this token: merge, sort later
                    unsorted.add((token, field))
                lists[field].extend(ids)
    for token, field in unsorted:
        merged[token][field][:] = sorted(set(merged[token][field]))
    return {token: _best_field_only(lists) for token, lists in merged.items()}


def _delta_text(ids: list[int]) -> str:
    return ",".join(map(str, map(operator.sub, ids, chain((0,), ids))))


def encode_shard(shard: dict[str, Postings]) -> bytes:
    """A term shard as JSON: token -> [body, claim, title] delta lists, trailing empties cut.

    Assembled by hand, byte-identical to `encode` of the same lists (tested): tokens are
    letters and digits only, so they never need escaping, and joining the numbers directly is
    faster than `json` walking millions of them.
    """
    return _join_shard([_fragment(token, shard[token]) for token in sorted(shard)])


def _fragment(token: str, postings: Postings | list[array[int]]) -> str:
    """One token's entry of a term shard: `"token":[[body],[claim],[title]]`."""
    lists = list(postings)
    while not lists[-1]:
        lists.pop()
    body = "],[".join(map(_delta_text, lists))  # type: ignore[arg-type]
    return f'"{token}":[[{body}]]'


def _join_shard(fragments: list[str]) -> bytes:
    """Fragments in token order."""
    return ("{" + ",".join(fragments) + "}").encode("utf-8")


class SearchState(msgspec.Struct, frozen=True):
    """The postings of the last index, kept by the build cache so that the next build can
    patch them for the cases that changed instead of inverting every case again (2.3 CPU-s
    at 10k cases, most of a one-edit rebuild's critical path).

    Valid only for the same index shape and the same case ids; `digests` tells which cases'
    indexed texts changed. Postings are int32 arrays (as bytes) per field.
    """

    shape: tuple[int, int, int, int]
    ids: str
    digests: dict[str, str]
    postings: dict[str, tuple[bytes, bytes, bytes]]
    # For `update_files`: each token's shard fragment, and a digest of every file but the
    # manifest (the manifest's own digest covers them all).
    fragments: dict[str, str] = {}
    files: dict[str, bytes] = {}
    # /check/'s data is rebuilt whole; slug -> digest of what it reads of each case
    # (`check_index.field_digests`) tells a text edit that left it as it was.
    check: dict[str, str] = {}


_STATE_DECODER = msgspec.msgpack.Decoder(SearchState)
# More changed cases than this share of the site: inverting everything is as fast.
PATCH_SHARE = 0.05
Lists = dict[str, list["array[int]"]]


def encode_state(state: SearchState) -> bytes:
    return msgspec.msgpack.encode(state)


def decode_state(data: bytes) -> SearchState | None:
    return decode_or_none(_STATE_DECODER, data)


def _ids_key(ids: Iterable[tuple[int, str]], language: str) -> str:
    """A digest of every (case id, slug) pair, in id order, and of the tokeniser: a state
    fits only the same ids, tokenised alike."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{TOKENS_KEY}\0{language}\0".encode())
    for case_id, slug in ids:
        digest.update(f"{case_id}\0{slug}\0".encode())
    return digest.hexdigest()


def _case_digest(case: IndexedCase) -> str:
    return hashlib.blake2b("\0".join(case.texts).encode(), digest_size=16).hexdigest()


def _best_fields(case: IndexedCase, language: str) -> dict[str, int]:
    """Token -> the best field (title, then claim, then body) it occurs in, for one case:
    exactly how `postings` lists the case."""
    best: dict[str, int] = {}
    for field, text in enumerate(case.texts):
        for raw in raw_words(text):
            for token in clean_word(raw, language):
                if best.get(token, -1) < field:
                    best[token] = field
    return best


def _patched(state: SearchState, changed: list[IndexedCase], language: str) -> Lists | None:
    """The state's postings with every changed case taken out and put back in."""
    lists: Lists = {}
    try:
        for token, fields in state.postings.items():
            arrays = [array("i") for _ in FIELDS]
            for found, data in zip(arrays, fields, strict=True):
                found.frombytes(data)
            lists[token] = arrays
    except ValueError:  # bytes that are not int32 arrays: a damaged cache
        return None
    gone = [case.id for case in changed]
    for arrays in lists.values():
        for found in arrays:
            for case_id in gone:
                if case_id in found:
                    found.remove(case_id)
    for case in changed:
        for token, field in _best_fields(case, language).items():
            arrays = lists.get(token)
            if arrays is None:
                arrays = lists[token] = [array("i") for _ in FIELDS]
            bisect.insort(arrays[field], case.id)
    return {token: arrays for token, arrays in lists.items() if any(arrays)}


def _postings(
    cases: tuple[IndexedCase, ...], shape: IndexShape, previous: SearchState | None, language: str
) -> tuple[dict[str, Postings] | Lists, SearchState]:
    """The postings of `cases`, patched from `previous` when only a few cases changed."""
    ids = _ids_key(((case.id, case.slug) for case in cases), language)
    dims = (shape.doc_space, shape.shards, shape.meta_width, shape.docs_width)
    digests = {case.slug: _case_digest(case) for case in cases}
    found: dict[str, Postings] | Lists | None = None
    if previous is not None and previous.shape == dims and previous.ids == ids:
        changed = [case for case in cases if previous.digests.get(case.slug) != digests[case.slug]]
        if len(changed) <= max(8, PATCH_SHARE * len(cases)):
            found = _patched(previous, changed, language)
    if found is None:
        found = postings(cases, language)
    packed = {
        token: tuple(array("i", ids_).tobytes() for ids_ in lists) for token, lists in found.items()
    }
    return found, SearchState(dims, ids, digests, packed)  # type: ignore[arg-type]


def _shard_tokens(tokens: Iterable[str], shards: int) -> list[list[str]]:
    """Tokens grouped by shard (the shard of their first `PREFIX` characters), sorted."""
    shard_cache: dict[str, int] = {}
    grouped: list[list[str]] = [[] for _ in range(shards)]
    for token in tokens:
        key = token[:PREFIX]
        shard = shard_cache.get(key)
        if shard is None:
            shard = shard_cache[key] = shard_of(key, shards)
        grouped[shard].append(token)
    for group in grouped:
        group.sort()
    return grouped


def _term_shards(
    fragments: dict[str, str], shape: IndexShape, only: set[int] | None = None
) -> dict[str, bytes]:
    """`terms/<k>.json` from the tokens' fragments, for every shard or those in `only`."""
    grouped = _shard_tokens(fragments, shape.shards)
    return {
        f"terms/{k}.json": _join_shard([fragments[t] for t in tokens])
        for k, tokens in enumerate(grouped)
        if only is None or k in only
    }


WORD_LENGTHS = range(MIN_TOKEN, MAX_TOKEN + 1)


def _word_files(tokens: Iterable[str], lengths: set[int] | None = None) -> dict[str, bytes]:
    """`words/<n>.json`: every stem of n characters, for typo tolerance: a word of n letters
    reads the lists of n - 1, n and n + 1 only, and only when nothing matched exactly. One
    file per length, empty or not, so the set of files stays a function of the number of
    cases; no counts, so a file changes only when a stem of its length comes or goes."""
    grouped: dict[int, list[str]] = {n: [] for n in WORD_LENGTHS if lengths is None or n in lengths}
    for token in tokens:
        group = grouped.get(len(token))
        if group is not None:
            group.append(token)
    return {f"words/{n}.json": encode(sorted(rows)) for n, rows in grouped.items()}


def _tables(cases: tuple[IndexedCase, ...], shape: IndexShape) -> dict[str, object]:
    """Meta and display chunks by id range: an edit rewrites one of each, not the table.

    Every chunk of the id space is written, even an empty one, so the set of files depends on
    the number of cases alone (see `search_outputs`) and the browser never meets a 404.
    """
    meta: list[list[list[object]]] = [[] for _ in range(shape.doc_space // shape.meta_width)]
    docs: list[list[list[object]]] = [[] for _ in range(shape.doc_space // shape.docs_width)]
    for case in cases:
        meta[case.id // shape.meta_width].append([case.id, case.date, case.rank, *case.facets])
        docs[case.id // shape.docs_width].append([case.id, case.slug, case.title, case.snippet])
    tables: dict[str, object] = {f"meta/{k}.json": rows for k, rows in enumerate(meta)}
    tables.update({f"docs/{k}.json": rows for k, rows in enumerate(docs)})
    return tables


def search_outputs(cases: int) -> Iterator[str]:
    """Every output path of the index for a site of `cases` cases (for collision checks)."""
    shape = index_shape(cases)
    yield "search/manifest.json"
    yield "search/facets.json"
    yield from (f"search/meta/{k}.json" for k in range(shape.doc_space // shape.meta_width))
    yield from (f"search/docs/{k}.json" for k in range(shape.doc_space // shape.docs_width))
    yield from (f"search/terms/{k}.json" for k in range(shape.shards))
    yield from (f"search/words/{n}.json" for n in WORD_LENGTHS)


def _facet_table(model: SiteModel, ids: dict[str, int]) -> dict[str, list[list[object]]]:
    return {
        taxonomy: sorted(
            [ids[f"{taxonomy}/{term.slug}"], term.label, term.slug, len(term.case_slugs)]
            for term in model.terms.get(taxonomy, ())
        )
        for taxonomy in TAXONOMIES
    }


def _manifest(
    shape: IndexShape, years: Counter[str], digest: str, language: str
) -> dict[str, object]:
    return {
        "version": INDEX_VERSION,
        "cases": sum(years.values()),
        "years": dict(years),
        "digest": digest,
        "doc_space": shape.doc_space,
        "shards": shape.shards,
        "meta_width": shape.meta_width,
        "docs_width": shape.docs_width,
        "tokens": {**tokeniser(language).config(), "prefix": PREFIX},
        "fields": list(FIELDS),
        "weights": list(WEIGHTS),
        "taxonomies": list(TAXONOMIES),
    }


def build_index(model: SiteModel) -> dict[str, bytes]:
    """Path under `search/` -> bytes of every index file."""
    return index_files(model)[0]


def index_files(
    model: SiteModel, previous: SearchState | None = None
) -> tuple[dict[str, bytes], SearchState]:
    """`build_index`, and the state a later build can patch. The bytes never depend on
    `previous` (tests/unit/test_unit_search_index.py)."""
    shape = index_shape(len(model.cases))
    facet_ids, case_facets = _facet_ids(model)
    cases = index_cases(model, shape, case_facets)
    values: dict[str, object] = {"facets.json": _facet_table(model, facet_ids)}
    values.update(_tables(cases, shape))
    files = {path: encode(value) for path, value in values.items()}
    found, state = _postings(cases, shape, previous, model.language)
    fragments = {token: _fragment(token, lists) for token, lists in found.items()}
    files.update(_term_shards(fragments, shape))
    files.update(_word_files(found))
    digests = {path: hashlib.blake2b(data).digest() for path, data in sorted(files.items())}
    files["manifest.json"] = encode(
        _manifest(shape, _years(model), _digest(digests), model.language)
    )
    state = msgspec.structs.replace(state, fragments=fragments, files=digests)
    return dict(sorted(files.items())), state


def _digest(files: dict[str, bytes]) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for path, data in sorted(files.items()):
        digest.update(path.encode() + b"\0" + data)
    return digest.hexdigest()


def _years(model: SiteModel) -> Counter[str]:
    return Counter(str(case.date.year) for case in model.cases)


def update_files(
    model: SiteModel, previous: SearchState, changed: Iterable[str]
) -> tuple[dict[str, bytes], list[str], SearchState] | None:
    """The index after an edit of case text only (same cases, titles, dates, claims, terms):
    the files that may differ, the paths of those that cannot, and the new state; None if
    `previous` does not fit (then `index_files` builds it all).

    Only the texts of the `changed` cases are read: their ids are taken out of the postings
    that hold them and put back under their new tokens, and only the term shards holding a
    touched token, the docs chunks holding a changed case (snippets come from the Summary)
    and the manifest are encoded again; meta chunks and facets show cards only.
    """
    shape = index_shape(len(model.cases))
    dims = (shape.doc_space, shape.shards, shape.meta_width, shape.docs_width)
    ids = stable_ids((c.slug for c in model.cases), shape.doc_space)
    key = _ids_key(sorted((case_id, slug) for slug, case_id in ids.items()), model.language)
    if previous.shape != dims or previous.ids != key or not previous.files:
        return None
    edited = [_light_case(model.by_slug[slug], ids[slug]) for slug in sorted(set(changed))]
    digests = dict(previous.digests)
    edited = [c for c in edited if digests.get(c.slug) != _case_digest(c)]
    postings = dict(previous.postings)
    fragments = dict(previous.fragments)
    touched = _repost(postings, edited, model.language)
    if touched is None:
        return None
    for token, lists in touched.items():
        if any(lists):
            postings[token] = tuple(a.tobytes() for a in lists)  # type: ignore[assignment]
            fragments[token] = _fragment(token, lists)
        else:
            postings.pop(token, None)
            fragments.pop(token, None)
    for case in edited:
        digests[case.slug] = _case_digest(case)
    shards = {shard_of(token[:PREFIX], shape.shards) for token in touched}
    files = {f"search/{p}": data for p, data in _term_shards(fragments, shape, shards).items()}
    lengths = {len(t) for t in touched if (t in postings) != (t in previous.postings)}
    words = _word_files((t for t in postings if len(t) in lengths), lengths)
    files.update({f"search/{p}": data for p, data in words.items()})
    chunks = {case.id // shape.docs_width for case in edited}
    files.update(_docs_chunks(model, ids, shape, chunks))
    sums = dict(previous.files)
    sums.update({path[7:]: hashlib.blake2b(data).digest() for path, data in files.items()})
    files["search/manifest.json"] = encode(
        _manifest(shape, _years(model), _digest(sums), model.language)
    )
    kept = [path for path in search_outputs(len(model.cases)) if path not in files]
    state = SearchState(dims, previous.ids, digests, postings, fragments, sums)
    return files, kept, state


def _light_case(case: Case, case_id: int) -> IndexedCase:
    """What the postings and the docs chunks read of a case (not its rank and facets)."""
    texts = (searchable_text(f"{case.summary}\n\n{case.response}"), case.claim or "", case.title)
    return IndexedCase(case_id, case.slug, case.title, 0, 0, _snippet(case), (), texts)


def _repost(
    postings: dict[str, tuple[bytes, bytes, bytes]], edited: list[IndexedCase], language: str
) -> dict[str, list[array[int]]] | None:
    """The new postings of every token that listed or will list an edited case.

    Tokens that may hold an edited case are found by searching each posting's bytes for the
    id's bytes, in C (a Python step per token and field was 0.1 s at 10k cases); a hit may
    be unaligned, so the sorted arrays are then searched by bisection.
    """
    gone = sorted({case.id for case in edited})
    search = re.compile(b"|".join(re.escape(array("i", [i]).tobytes()) for i in gone)).search
    touched: dict[str, list[array[int]]] = {}
    try:
        for token, fields in postings.items() if gone else ():
            if any(map(search, fields)):
                arrays = [array("i") for _ in FIELDS]
                removed = False
                for found, data in zip(arrays, fields, strict=True):
                    found.frombytes(data)
                    for i in gone:
                        at = bisect.bisect_left(found, i)
                        if at < len(found) and found[at] == i:
                            del found[at]
                            removed = True
                if removed:
                    touched[token] = arrays
    except ValueError:  # bytes that are not int32 arrays: a damaged cache
        return None
    for case in edited:
        for token, field in _best_fields(case, language).items():
            arrays = touched.get(token)
            if arrays is None:
                arrays = touched[token] = [array("i") for _ in FIELDS]
                for found, data in zip(arrays, postings.get(token, (b"", b"", b"")), strict=True):
                    found.frombytes(data)
            bisect.insort(arrays[field], case.id)
    return touched


def _docs_chunks(
    model: SiteModel, ids: dict[str, int], shape: IndexShape, chunks: set[int]
) -> dict[str, bytes]:
    rows: dict[int, list[list[object]]] = {k: [] for k in chunks}
    for case in model.cases:
        k = ids[case.slug] // shape.docs_width
        if k in rows:
            rows[k].append([ids[case.slug], case.slug, case.title, _snippet(case)])
    return {f"search/docs/{k}.json": encode(sorted(r)) for k, r in rows.items()}


def search_files(
    model: SiteModel, previous: SearchState | None = None
) -> tuple[list[DataFile], SearchState]:
    """The index files as outputs of the plan (the search page itself is a template page)."""
    files, state = index_files(model, previous)
    outputs = [DataFile(f"search/{path}", data, "content/cases") for path, data in files.items()]
    return sorted(outputs, key=lambda f: f.output), state


def plan_search(model: SiteModel) -> Iterator[DataFile]:
    """The index files, as a plan unit (for a build without a previous state)."""
    yield from search_files(model)[0]
