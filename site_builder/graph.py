"""Related cases: editor links (both directions) first, then computed neighbours.

A computed neighbour's score is a weighted sum (README "Related cases"):

- shared terms: `weight_<taxonomy> * ln(1 + N / df)` per shared term, so rare terms count more;
  terms on more than `max_term_share` of the cases count for nothing;
- wording: `weight_text *` the cosine of the two cases' TF-IDF keyword vectors (Summary and
  Response, stop words removed, each case reduced to its `keywords` strongest words);
- date: `weight_date * 0.5 ^ (days apart / date_half_life)`, a small bonus for close dates.

Candidates come from sparse products over rare terms and keywords (`similarity`), never from
all pairs, so the work per case stays bounded as the site grows. The result is a pure function
of (cases, config, term slugs, word bags), which a build cache can key on.
"""

from __future__ import annotations

import gc
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import scipy.sparse as sp

from .cache import decode_or_none
from .config import RelatedConfig
from .diagnostics import Diagnostic, error, warning
from .model import TAXONOMIES, Case, RelatedEntry, RelatedGraph, WordTable
from .similarity import (
    TextMatrices,
    TextOptions,
    binary_matrix,
    pair_dots,
    shortlist,
    table_text_matrices,
    text_matrices,
)
from .words import Bag, case_tokens

EDITOR_REASON = "editor's pick"
WORDING_REASON = "similar wording"
# Terms on more cases than this still add to scores but generate no candidates; words that are
# a keyword of more cases are dropped. A fixed number, not a share, so that the candidates per
# case stop growing with the site (measured: 155, 181, 183, 185 per case at 1k, 2k, 4k, 10k
# synthetic cases; 200 gave 292, 577, -, 317 for 1% better precision).
CANDIDATE_DF = 50
# Cosine of keyword vectors from which a link says "similar wording".
WORDING_MIN = 0.2
# Keywords a text needs before it can be reported as a near-duplicate.
DUPLICATE_MIN_WORDS = 8
REASON_PREFIX = {
    "tags": "shares tags: ",
    "topics": "same topic: ",
    "countries": "same country: ",
    "languages": "same language: ",
    "outlets": "same outlet: ",
}

TermKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """Two cases whose wording is almost the same: probably one claim entered twice."""

    earlier: Case
    later: Case
    similarity: float


class GraphState(msgspec.Struct, frozen=True):
    """What a later build needs to recompute only the rows an edit of case text reached.

    Rows are cases in slug order. Arrays travel as raw bytes (int64 unless noted), and each
    row's related entries as its own msgpack value, decoded only when read (`_StoredEdges`).
    """

    slugs: tuple[str, ...]
    words: tuple[bytes, bytes, bytes]  # keyword matrix: indptr, indices (int32), float64 data
    text: tuple[bytes, bytes, bytes]  # text matrix, the same way
    terms: tuple[bytes, bytes]  # binary case x term matrix: indptr, indices (int32)
    term_keys: tuple[tuple[str, str], ...]  # column -> (taxonomy, slug)
    term_weights: bytes  # float64, per column
    candidates: bytes
    duplicates: tuple[bytes, bytes, bytes, bytes]  # from row, row i < row j, float64 cosine
    entries: tuple[bytes, ...]  # per row: msgpack of its related entries
    neighbours: tuple[bytes, bytes]  # rows each row lists: indptr, indices


_STATE = msgspec.msgpack.Decoder(GraphState)
_ENTRIES = msgspec.msgpack.Decoder(tuple[RelatedEntry, ...])
_ENCODE = msgspec.msgpack.Encoder().encode


def encode_graph_state(state: GraphState) -> bytes:
    return msgspec.msgpack.encode(state)


def decode_graph_state(data: bytes | None) -> GraphState | None:
    """None for a missing or damaged record: the graph is then computed in full."""
    return decode_or_none(_STATE, data)


@dataclass(frozen=True, slots=True)
class GraphResult:
    graph: RelatedGraph
    near_duplicates: tuple[NearDuplicate, ...]
    # Per case, in slug order: how many other cases the sparse product proposed before ranking.
    candidates: tuple[int, ...]
    # Cases without a single related case (the orphan warning), in slug order.
    lonely: tuple[str, ...] = ()
    state: GraphState | None = None
    # After `compute_graph(previous=...)`: the cases whose entries differ from the previous
    # graph's, and those whose list of related cases differs (not only scores or reasons);
    # None when the graph was computed in full.
    moved: frozenset[str] | None = None
    relinked: frozenset[str] | None = None


def _term_keys(case: Case, term_slugs: Mapping[TermKey, str]) -> dict[TermKey, str]:
    """(taxonomy, slug) -> the case's own spelling, for every term the case carries."""
    keys: dict[TermKey, str] = {}
    for taxonomy in TAXONOMIES:
        for label in case.terms(taxonomy):
            slug = term_slugs.get((taxonomy, label))
            if slug:
                keys.setdefault((taxonomy, slug), label)
    return keys


def check_links(cases: Iterable[Case], known: set[str], drafts: set[str]) -> list[Diagnostic]:
    """Editor `related` slugs must name an existing case; draft targets are hidden with a warning."""
    problems: list[Diagnostic] = []
    for case in cases:
        for target, line in zip(case.related, case.related_lines, strict=True):
            if target not in known:
                problems.append(
                    error(
                        case.source_path,
                        line,
                        f"related case '{target}' does not exist",
                        "use the file name (slug) of an existing case",
                    )
                )
            elif target in drafts and not case.draft:
                problems.append(
                    warning(
                        case.source_path,
                        line,
                        f"related case '{target}' is a draft; the link is hidden until it is published",
                        rule="related-draft",
                    )
                )
    return problems


def _editor_links(cases: Sequence[Case]) -> dict[str, list[str]]:
    """A case's own `related` list in the writer's order, then incoming links sorted by slug."""
    present = {c.slug for c in cases}
    own = {c.slug: [t for t in c.related if t in present and t != c.slug] for c in cases}
    incoming: dict[str, set[str]] = defaultdict(set)
    for slug, targets in own.items():
        for target in targets:
            incoming[target].add(slug)
    return {
        slug: list(dict.fromkeys([*targets, *sorted(incoming[slug])]))
        for slug, targets in own.items()
    }


class _PerRow:
    """`f(i)` for row i, computed on first use: an incremental build reads a few rows only."""

    def __init__(self, make: Callable[[int], Any]) -> None:
        self._make, self._done = make, {}

    def __getitem__(self, i: int) -> Any:
        found = self._done.get(i)
        if found is None:
            found = self._done[i] = self._make(i)
        return found


@dataclass(frozen=True, slots=True)
class _Terms:
    """Term features: who carries what, and what each counted term is worth."""

    keysets: Sequence[frozenset[TermKey]] | _PerRow  # per case: the terms that count
    ordered: Sequence[tuple[tuple[TermKey, str], ...]] | _PerRow  # the same with spellings, sorted
    weights: dict[TermKey, float]
    weighted: sp.csr_matrix  # case x term, the term's weight where the case carries it
    binary: sp.csr_matrix  # case x term, 1 where the case carries it
    rare: sp.csr_matrix  # like `weighted` with sqrt weights, only terms that make candidates


_RANK = {taxonomy: i for i, taxonomy in enumerate(TAXONOMIES)}


def _ordered(counted: dict[TermKey, str]) -> tuple[tuple[TermKey, str], ...]:
    return tuple(sorted(counted.items(), key=lambda kv: (_RANK[kv[0][0]], kv[1].lower())))


def _terms(
    order: Sequence[Case], config: RelatedConfig, term_slugs: Mapping[TermKey, str]
) -> _Terms:
    labels = [_term_keys(case, term_slugs) for case in order]
    df = Counter(itertools.chain.from_iterable(labels))
    total = len(order)
    cap = max(2, int(config.max_term_share * total))
    # Rarity in (0, 1]: 1 for a term on two cases of any site, so that a weight means the
    # same on 50 cases as on 100k and stays comparable with the text cosine (0 to 1).
    scale = math.log(1 + total / 2) if total > 2 else 1.0
    weights = {
        key: min(1.0, math.log(1 + total / count) / scale) * config.weight(key[0])
        for key, count in sorted(df.items())
        if 2 <= count <= cap and config.weight(key[0]) > 0
    }
    column = {key: i for i, key in enumerate(weights)}
    binary = binary_matrix(
        [[column[k] for k in keys if k in column] for keys in labels], len(column)
    )
    counted = [{k: v for k, v in keys.items() if k in weights} for keys in labels]
    return _term_matrices(
        [frozenset(keys) for keys in counted], [_ordered(c) for c in counted], weights, binary
    )


def _term_matrices(
    keysets: Sequence[frozenset[TermKey]] | _PerRow,
    ordered: Sequence[tuple[tuple[TermKey, str], ...]] | _PerRow,
    weights: dict[TermKey, float],
    binary: sp.csr_matrix,
) -> _Terms:
    scale = np.array(list(weights.values()), dtype=np.float64)
    # A term's column count is its number of cases: only rare terms propose candidates.
    rare = np.asarray(binary.getnnz(axis=0)) <= CANDIDATE_DF
    return _Terms(
        keysets,
        ordered,
        weights,
        (binary @ sp.diags(scale)).tocsr(),
        binary,
        (binary @ sp.diags(np.sqrt(scale) * rare)).tocsr(),
    )


def _stored_terms(
    state: GraphState, order: Sequence[Case], term_slugs: Mapping[TermKey, str]
) -> _Terms:
    """The previous build's term features; each row's term names only when read."""
    weights = dict(zip(state.term_keys, np.frombuffer(state.term_weights).tolist(), strict=True))
    binary = _csr(state.terms, len(order), len(weights), ones=True)

    def counted(i: int) -> dict[TermKey, str]:
        return {k: v for k, v in _term_keys(order[i], term_slugs).items() if k in weights}

    return _term_matrices(
        _PerRow(lambda i: frozenset(counted(i))),
        _PerRow(lambda i: _ordered(counted(i))),
        weights,
        binary,
    )


def _csr(parts: Sequence[bytes], rows: int, cols: int, *, ones: bool = False) -> sp.csr_matrix:
    indptr = np.frombuffer(parts[0], dtype=np.int64)
    indices = np.frombuffer(parts[1], dtype=np.int32)
    data = np.ones(len(indices)) if ones else np.frombuffer(parts[2])
    return sp.csr_matrix((data, indices, indptr), shape=(rows, cols))


def _csr_bytes(matrix: sp.csr_matrix) -> tuple[bytes, bytes, bytes]:
    return (
        matrix.indptr.astype(np.int64).tobytes(),
        matrix.indices.astype(np.int32).tobytes(),
        matrix.data.astype(np.float64).tobytes(),
    )


@dataclass(frozen=True, slots=True)
class _Pairs:
    """Scored (case, other case) pairs as parallel arrays of case numbers."""

    rows: np.ndarray
    cols: np.ndarray
    score: np.ndarray
    cosine: np.ndarray
    days: np.ndarray


def _score_pairs(
    rows: np.ndarray,
    cols: np.ndarray,
    terms: _Terms,
    words: TextMatrices,
    ordinals: np.ndarray,
    config: RelatedConfig,
) -> _Pairs:
    cosine = pair_dots(words.text, words.text, rows, cols)
    days = np.abs(ordinals[rows] - ordinals[cols])
    score = (
        pair_dots(terms.weighted, terms.binary, rows, cols)
        + config.weight_text * cosine
        + config.weight_date * np.exp2(-days / config.date_half_life)
    )
    # Rounded so that ranking never depends on the last bits of a floating-point sum.
    return _Pairs(rows, cols, np.round(score, 6), cosine, days)


def _rough(terms: _Terms, words: TextMatrices, config: RelatedConfig) -> sp.csr_matrix:
    """Features whose products propose candidates: rare terms and keywords."""
    return sp.hstack([terms.rare, math.sqrt(config.weight_text) * words.keys]).tocsr()


def _candidate_pairs(
    rough: sp.csr_matrix, editor_keys: np.ndarray, config: RelatedConfig, rows: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shortlisted (row, col) pairs that are not editor links, and candidate counts per row."""
    found = shortlist(rough, max(4 * config.limit, 20), rows)
    n = rough.shape[0]
    fresh = ~np.isin(found.rows * n + found.cols, editor_keys)
    return found.rows[fresh], found.cols[fresh], found.candidates


def compute_graph(
    cases: Sequence[Case],
    config: RelatedConfig,
    term_slugs: Mapping[TermKey, str],
    bags: Mapping[str, Bag] | WordTable | None = None,
    previous: GraphState | None = None,
) -> GraphResult:
    """Deterministic related entries for every case, near-duplicate pairs and candidate counts.

    `term_slugs` maps (taxonomy, spelling) to the merged term slug from `taxonomy`; `bags` may
    carry precomputed `case_tokens` per slug, as `Bag`s or as content loading's `WordTable`
    (missing ones are computed). Cases are numbered in slug order, so input order never
    matters and ties go to the smaller slug.

    `previous` is the state of a graph over the same cases with the same terms, dates, editor
    links and settings, differing at most in case text (the caller checks that): then only
    the rows the changed texts reach are recomputed, with the same result as in full.
    """
    if not cases:
        return GraphResult(RelatedGraph({}), (), ())
    order = sorted(cases, key=lambda c: c.slug)
    with _cyclic_gc_paused():
        if previous is not None and previous.slugs == tuple(c.slug for c in order):
            return _update(order, config, term_slugs, bags or {}, previous)
        return _compute(order, config, term_slugs, bags or {})


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the graph is built, then restore it.

    The graph allocates ~10^5 small objects (entries, tuples, sets) and no reference cycles,
    yet each allocation burst triggers full collections that walk every loaded case: measured
    0.3 of 1.4 s at 10k cases. Nothing is lost; collection resumes on exit.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class _Fixed:
    """What every row's computation reads besides the words: same in full and in part."""

    order: Sequence[Case]
    terms: _Terms
    ordinals: np.ndarray
    e_rows: np.ndarray  # editor links as (row, col), in the writer's order per row
    e_cols: np.ndarray


def _fixed(order: Sequence[Case], terms: _Terms) -> _Fixed:
    index = {c.slug: i for i, c in enumerate(order)}
    editor = _editor_links(order)
    return _Fixed(
        order,
        terms,
        np.array([c.date.toordinal() for c in order], dtype=np.int64),
        np.array([index[s] for s in editor for _ in editor[s]], dtype=np.int64),
        np.array([index[t] for s in editor for t in editor[s]], dtype=np.int64),
    )


@dataclass(frozen=True, slots=True)
class _Rows:
    """The computed part of some rows (all, or those an edit reached)."""

    rows: np.ndarray
    edges: dict[str, tuple[RelatedEntry, ...]]
    candidates: np.ndarray  # per row of `rows`
    duplicates: tuple[np.ndarray, ...]  # from row, i, j, cosine (`_duplicate_pairs`)


def _compute_rows(
    fixed: _Fixed, words: TextMatrices, config: RelatedConfig, rows: np.ndarray | None
) -> _Rows:
    """Related entries of `rows` (None: every row); each row's result depends only on its
    own products, so a part computed alone equals the same rows of the whole."""
    n = len(fixed.order)
    e_rows, e_cols = fixed.e_rows, fixed.e_cols
    if rows is not None:
        mine = np.isin(e_rows, rows)
        e_rows, e_cols = e_rows[mine], e_cols[mine]
    rough = _rough(fixed.terms, words, config)
    c_rows, c_cols, candidates = _candidate_pairs(rough, e_rows * n + e_cols, config, rows)
    picked = _score_pairs(c_rows, c_cols, fixed.terms, words, fixed.ordinals, config)
    edited = _score_pairs(e_rows, e_cols, fixed.terms, words, fixed.ordinals, config)
    every = np.arange(n) if rows is None else rows
    edges = _assemble(fixed.order, edited, _best(picked, config), fixed.terms, config, every)
    duplicates = _duplicate_pairs(words, picked, edited, threshold=config.near_duplicate)
    return _Rows(every, edges, candidates, duplicates)


def _compute(
    order: Sequence[Case],
    config: RelatedConfig,
    term_slugs: Mapping[TermKey, str],
    bags: Mapping[str, Bag] | WordTable,
) -> GraphResult:
    n = len(order)
    terms = _terms(order, config, term_slugs)
    words, stable = _keyword_matrix(order, config, bags)
    part = _compute_rows(_fixed(order, terms), words, config, None)
    candidates = part.candidates if len(part.candidates) else np.zeros(n, dtype=np.int64)
    entries = tuple(_ENCODE(part.edges[c.slug]) for c in order)
    state = GraphState(
        tuple(c.slug for c in order),
        _csr_bytes(stable.keys) if stable is not None else (b"", b"", b""),
        _csr_bytes(stable.text) if stable is not None else (b"", b"", b""),
        _csr_bytes(terms.binary)[:2],
        tuple(terms.weights),
        np.array(list(terms.weights.values()), dtype=np.float64).tobytes(),
        candidates.astype(np.int64).tobytes(),
        tuple(a.tobytes() for a in part.duplicates),  # type: ignore[arg-type]
        entries,
        _neighbours(order, part.edges),
    )
    return _result(order, RelatedGraph(part.edges), part.duplicates, candidates, state, None)


def _result(
    order: Sequence[Case],
    graph: RelatedGraph,
    duplicates: tuple[np.ndarray, ...],
    candidates: np.ndarray,
    state: GraphState,
    moved: frozenset[str] | None,
    relinked: frozenset[str] | None = None,
) -> GraphResult:
    counts = np.diff(np.frombuffer(state.neighbours[0], dtype=np.int64))
    return GraphResult(
        graph,
        _near_duplicates(order, *duplicates),
        tuple(candidates.tolist()),
        tuple(order[i].slug for i in np.flatnonzero(counts == 0).tolist()),
        state,
        moved,
        relinked if relinked is not None else moved,
    )


def _neighbours(
    order: Sequence[Case], edges: Mapping[str, tuple[RelatedEntry, ...]]
) -> tuple[bytes, bytes]:
    index = {c.slug: i for i, c in enumerate(order)}
    lists = [[index[e.slug] for e in edges[c.slug]] for c in order]
    lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    indptr = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    indices = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64)
    return indptr.tobytes(), indices.tobytes()


def _moved_neighbours(
    previous: GraphState,
    order: Sequence[Case],
    fresh: Mapping[str, tuple[RelatedEntry, ...]],
    moved: Sequence[str],
) -> tuple[bytes, bytes]:
    """The previous neighbour lists with the moved rows' lists replaced."""
    indptr = np.frombuffer(previous.neighbours[0], dtype=np.int64)
    indices = np.frombuffer(previous.neighbours[1], dtype=np.int64)
    index = {c.slug: i for i, c in enumerate(order)}
    segments = [indices[indptr[i] : indptr[i + 1]] for i in range(len(order))]
    for slug in moved:
        segments[index[slug]] = np.array([index[e.slug] for e in fresh[slug]], dtype=np.int64)
    lengths = np.fromiter((len(x) for x in segments), dtype=np.int64, count=len(segments))
    joined = np.concatenate(segments) if segments else np.zeros(0, dtype=np.int64)
    return np.r_[0, np.cumsum(lengths)].astype(np.int64).tobytes(), joined.tobytes()


def listing(state: GraphState, slugs: Iterable[str]) -> frozenset[str]:
    """The cases whose related entries list one of `slugs`."""
    index = {s: i for i, s in enumerate(state.slugs)}
    wanted = [index[s] for s in slugs if s in index]
    indptr = np.frombuffer(state.neighbours[0], dtype=np.int64)
    indices = np.frombuffer(state.neighbours[1], dtype=np.int64)
    rows = np.repeat(np.arange(len(state.slugs)), np.diff(indptr))[np.isin(indices, wanted)]
    return frozenset(state.slugs[i] for i in np.unique(rows).tolist())


class _StoredEdges(Mapping[str, tuple[RelatedEntry, ...]]):
    """The previous graph's entries, each row decoded when first read, under the rows that
    were recomputed: a text edit reads a few rows, not 50k entries."""

    def __init__(self, state: GraphState, fresh: dict[str, tuple[RelatedEntry, ...]]) -> None:
        self._index = {slug: i for i, slug in enumerate(state.slugs)}
        self._stored = state.entries
        self._done = dict(fresh)

    def __getitem__(self, slug: str) -> tuple[RelatedEntry, ...]:
        found = self._done.get(slug)
        if found is None:
            found = self._done[slug] = _ENTRIES.decode(self._stored[self._index[slug]])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def _update(
    order: Sequence[Case],
    config: RelatedConfig,
    term_slugs: Mapping[TermKey, str],
    bags: Mapping[str, Bag] | WordTable,
    previous: GraphState,
) -> GraphResult:
    """`_compute` after an edit of case text, recomputing only the rows it reached.

    Terms, dates and editor links are the previous ones. The keyword matrix is computed in
    full (a changed word count can move other cases' keywords) and compared with the last
    one by the table's word ids; rows whose vector changed, and every row sharing a rare term
    or keyword with one of them before or after, may have other candidates or scores. Every
    other row keeps its entries, candidate count and near-duplicate pairs, exactly as a full
    computation would give them.
    """
    n = len(order)
    words, stable = _keyword_matrix(order, config, bags)
    old_ptr = np.frombuffer(previous.words[0], dtype=np.int64)
    old_ids = np.frombuffer(previous.words[1], dtype=np.int32)
    if (
        stable is None
        or len(old_ptr) != n + 1
        or (len(old_ids) and old_ids.max() >= stable.keys.shape[1])
        or len(previous.text[0]) != len(previous.words[0])
    ):
        return _compute(order, config, term_slugs, bags)
    terms = _stored_terms(previous, order, term_slugs)
    width = stable.keys.shape[1]
    old = TextMatrices(_csr(previous.text, n, width), _csr(previous.words, n, width))
    changed = np.union1d(_changed_rows(stable.keys, old.keys), _changed_rows(stable.text, old.text))
    candidates = np.frombuffer(previous.candidates, dtype=np.int64).copy()
    kinds = (np.int64, np.int64, np.int64, np.float64)
    duplicates = tuple(
        np.frombuffer(data, dtype=kind)
        for data, kind in zip(previous.duplicates, kinds, strict=True)
    )
    if len(changed) == 0:
        graph = RelatedGraph(_StoredEdges(previous, {}))
        state = msgspec.structs.replace(
            previous, words=_csr_bytes(stable.keys), text=_csr_bytes(stable.text)
        )
        return _result(order, graph, duplicates, candidates, state, frozenset())
    rows = np.union1d(
        _sharing(_rough(terms, stable, config), changed),
        _sharing(_rough(terms, old, config), changed),
    )
    rows = np.union1d(rows, changed).astype(np.int64)
    part = _compute_rows(_fixed(order, terms), words, config, rows)
    candidates[rows] = part.candidates
    keep = ~np.isin(duplicates[0], rows)
    duplicates = tuple(
        np.concatenate([old_part[keep], new_part])
        for old_part, new_part in zip(duplicates, part.duplicates, strict=True)
    )
    entries = list(previous.entries)
    moved, relinked = [], []
    for i in rows.tolist():
        fresh = part.edges[order[i].slug]
        encoded = _ENCODE(fresh)
        if encoded != entries[i]:
            old = [e.slug for e in _ENTRIES.decode(entries[i])]
            if old != [e.slug for e in fresh]:
                relinked.append(order[i].slug)
            entries[i] = encoded
            moved.append(order[i].slug)
    edges = _StoredEdges(previous, part.edges)
    state = GraphState(
        previous.slugs,
        _csr_bytes(stable.keys),
        _csr_bytes(stable.text),
        previous.terms,
        previous.term_keys,
        previous.term_weights,
        candidates.tobytes(),
        tuple(a.tobytes() for a in duplicates),  # type: ignore[arg-type]
        tuple(entries),
        _moved_neighbours(previous, order, part.edges, moved) if moved else previous.neighbours,
    )
    graph = RelatedGraph(edges)
    return _result(
        order, graph, duplicates, candidates, state, frozenset(moved), frozenset(relinked)
    )


def _changed_rows(new: sp.csr_matrix, old: sp.csr_matrix) -> np.ndarray:
    """Rows whose entries (columns and values) differ between two matrices of one shape."""
    lengths, old_lengths = np.diff(new.indptr), np.diff(old.indptr)
    same = np.flatnonzero(lengths == old_lengths)
    counts = lengths[same]
    row = np.repeat(same, counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    at, old_at = new.indptr[row] + offset, old.indptr[row] + offset
    differ = (new.indices[at] != old.indices[old_at]) | (new.data[at] != old.data[old_at])
    return np.union1d(np.flatnonzero(lengths != old_lengths), row[differ]).astype(np.int64)


def _sharing(rough: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Rows that share a feature with one of `rows`: the rows whose products with them
    are not zero."""
    columns = np.zeros(rough.shape[1])
    columns[np.unique(rough[rows].indices)] = 1.0
    return np.flatnonzero(abs(rough) @ columns)


def _keyword_matrix(
    order: Sequence[Case], config: RelatedConfig, bags: Mapping[str, Bag] | WordTable
) -> tuple[TextMatrices, TextMatrices | None]:
    """Text vectors in `order`: straight from the table's word ids when it has every case.

    Also the same vectors with stable ids as columns (`_stable`: the table's id of the stem's
    first word), which a later build can compare row by row; None without a table.
    """
    options = TextOptions(
        config.keywords, config.max_word_share, CANDIDATE_DF, config.text_terms, config.language
    )
    if isinstance(bags, WordTable):
        slugs = [c.slug for c in order]
        if all(slug in bags.spans for slug in slugs):
            words, ids = table_text_matrices(bags, slugs, options)
            width = len(bags.vocabulary)
            return words, TextMatrices(
                _stable(words.text, ids, width), _stable(words.keys, ids, width)
            )
    return text_matrices([_bag(case, bags) for case in order], options), None


def _stable(words: sp.csr_matrix, ids: np.ndarray, width: int) -> sp.csr_matrix:
    """`words` with each column moved to its stable id, entries sorted per row."""
    coo = words.tocoo()
    stable = sp.csr_matrix((coo.data, (coo.row, ids[coo.col])), shape=(words.shape[0], width))
    stable.sort_indices()
    return stable


def _bag(case: Case, bags: Mapping[str, Bag] | WordTable) -> Bag:
    if isinstance(bags, WordTable):
        found = bags.words(case.slug)
        return Bag(*found) if found is not None else case_tokens(case)
    return bags[case.slug] if case.slug in bags else case_tokens(case)


def build_graph(
    cases: Sequence[Case], config: RelatedConfig, term_slugs: Mapping[TermKey, str]
) -> RelatedGraph:
    """The related-cases graph alone (see `compute_graph`)."""
    return compute_graph(cases, config, term_slugs).graph


def _best(pairs: _Pairs, config: RelatedConfig) -> _Pairs:
    """Each row's computed pairs above `min_score`, best first (ties: smaller slug), at most `limit`."""
    keep = pairs.score >= config.min_score
    rows, cols, score = pairs.rows[keep], pairs.cols[keep], pairs.score[keep]
    order = np.lexsort((cols, -score, rows))
    rows = rows[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    top = order[rank < config.limit]
    return _Pairs(
        *(a[keep][top] for a in (pairs.rows, pairs.cols, pairs.score, pairs.cosine, pairs.days))
    )


def _assemble(
    order: Sequence[Case],
    edited: _Pairs,
    best: _Pairs,
    terms: _Terms,
    config: RelatedConfig,
    every: np.ndarray,
) -> dict[str, tuple[RelatedEntry, ...]]:
    """Editor picks first (their own order), then the best computed pairs, with reasons; for
    the rows in `every` (the pairs' rows are among them)."""
    slugs = [case.slug for case in order]
    rows: dict[int, list[RelatedEntry]] = {i: [] for i in every.tolist()}

    def add(pairs: _Pairs, is_editor: bool) -> None:
        head = (EDITOR_REASON,) if is_editor else ()
        columns = (pairs.rows, pairs.cols, pairs.score, pairs.cosine, pairs.days)
        for i, j, score, cosine, days in zip(*(a.tolist() for a in columns), strict=True):
            row = rows[i]
            if is_editor or len(row) < config.limit:
                reasons = head + _reasons(terms, i, j, cosine, days, config)
                row.append(RelatedEntry(slugs[j], score, reasons, is_editor))

    add(edited, True)
    add(best, False)
    return {slugs[i]: tuple(row) for i, row in rows.items()}


def _reasons(
    terms: _Terms, i: int, j: int, cosine: float, days: int, config: RelatedConfig
) -> tuple[str, ...]:
    """ "shares tags: DNA, mRNA", "same topic: Health", "similar wording", "published within 30 days"."""
    shared = terms.keysets[i] & terms.keysets[j]
    reasons: list[str] = []
    if shared:
        # `ordered` is sorted by taxonomy, then label: one pass groups and orders the names.
        current, names = "", []
        for key, label in terms.ordered[i]:
            if key in shared:
                if key[0] != current:
                    if names:
                        reasons.append(REASON_PREFIX[current] + ", ".join(names))
                    current, names = key[0], []
                names.append(label)
        reasons.append(REASON_PREFIX[current] + ", ".join(names))
    if config.weight_text > 0 and cosine >= WORDING_MIN:
        reasons.append(WORDING_REASON)
    if config.weight_date > 0 and days <= config.date_half_life:
        reasons.append(f"published within {config.date_half_life} days")
    return tuple(reasons)


def _duplicate_pairs(
    words: TextMatrices, *scored: _Pairs, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(from row, i, j, cosine) of the pairs at or above `threshold` cosine, i < j; both texts
    need DUPLICATE_MIN_WORDS keywords, since two one-line stubs ("The claim.") are alike
    without being the same claim. Kept per row that found them, for incremental builds."""
    enough = np.diff(words.text.indptr) >= DUPLICATE_MIN_WORDS
    parts: list[tuple[np.ndarray, ...]] = []
    for pairs in scored:
        alike = (pairs.cosine >= threshold) & enough[pairs.rows] & enough[pairs.cols]
        rows, cols = pairs.rows[alike], pairs.cols[alike]
        parts.append((rows, np.minimum(rows, cols), np.maximum(rows, cols), pairs.cosine[alike]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    return tuple(  # type: ignore[return-value]
        np.concatenate([p[k] for p in parts]).astype(kind)
        for k, kind in enumerate((np.int64, np.int64, np.int64, np.float64))
    )


def _near_duplicates(
    order: Sequence[Case], _: np.ndarray, first: np.ndarray, second: np.ndarray, cosine: np.ndarray
) -> tuple[NearDuplicate, ...]:
    pairs = zip(first.tolist(), second.tolist(), strict=True)
    found = {pair: round(value, 3) for pair, value in zip(pairs, cosine.tolist(), strict=True)}
    result = []
    for (i, j), similarity in sorted(found.items()):
        earlier, later = sorted((order[i], order[j]), key=lambda c: (c.date, c.slug))
        result.append(NearDuplicate(earlier, later, similarity))
    return tuple(result)


def graph_diagnostics(result: GraphResult, cases: Sequence[Case]) -> list[Diagnostic]:
    """Warnings: cases with no related case at all, and pairs that read like the same claim.

    A near-duplicate pair is reported once, on the later case, naming both files. Drafts are
    work in progress and a one-case site has nothing to relate to, so neither is an orphan.
    """
    problems: list[Diagnostic] = []
    lonely = set(result.lonely)
    if len(cases) > 1:
        for case in cases:
            if not case.draft and case.slug in lonely:
                problems.append(
                    warning(
                        case.source_path,
                        None,
                        "case has no related cases (orphan)",
                        "add 'related:' links or more specific tags",
                        rule="orphan-case",
                    )
                )
    for pair in result.near_duplicates:
        problems.append(
            warning(
                pair.later.source_path,
                pair.later.summary_line,
                f"text is nearly the same as '{pair.earlier.slug}' ({pair.earlier.source_path}), "
                f"similarity {pair.similarity:.2f}: probably the same claim twice",
                "merge the two cases, or add 'aliases' to keep the old URL",
                rule="near-duplicate-case",
            )
        )
    return problems
