"""The graph's kept state, and the incremental update that recomputes only reached rows.

A full computation (`compute_full`) records per row what a later build needs; when only case
text changed since, `update_rows` recomputes the rows whose text vectors changed and those sharing
a rare feature with them before or after, with the same result as in full.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import msgspec
import numpy as np
import scipy.sparse as sp

from .cache import decode_or_none
from .config import RelatedConfig
from .graph_scoring import (
    TermKey,
    _compute_rows,
    _fixed,
    _keyword_matrix,
    _ordered,
    _PerRow,
    _rough,
    _term_keys,
    _term_matrices,
    _Terms,
    _terms,
)
from .model import Case, RelatedEntry, RelatedGraph, WordTable
from .similarity import TextMatrices
from .words import Bag


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


def compute_full(
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


def update_rows(
    order: Sequence[Case],
    config: RelatedConfig,
    term_slugs: Mapping[TermKey, str],
    bags: Mapping[str, Bag] | WordTable,
    previous: GraphState,
) -> GraphResult:
    """`compute_full` after an edit of case text, recomputing only the rows it reached.

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
        return compute_full(order, config, term_slugs, bags)
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
