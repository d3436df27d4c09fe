"""Sparse-matrix arithmetic behind the related-cases graph: word bags, keyword vectors, shortlists.

Comparing every pair of cases is quadratic (5·10⁹ pairs at 100k cases), so candidates come from
sparse products restricted to *rare* features: a term or keyword shared by a few cases links
those cases, while features on more than `max_df` cases generate no candidates at all. Text is
reduced to each case's strongest TF-IDF keywords before the product; a measured 10k-case corpus
goes from ~5,000 candidates per case (all words) to ~250 (20 keywords), and the count no longer
grows with the site. Exact scores are then computed for the short list only.

Everything here is pure and deterministic: ties are broken by row/column index, and callers
number cases in slug order, so the same cases always give the same numbers.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .model import WordTable
from .word_stems import stem_ids
from .words import STOP_WORDS, Bag

_CHUNK_ROWS = 2048
# Keyword weights share one tie-breaking scale per block of cases (see `_top_per_row`), but are
# computed a span at a time: memory follows the span, the chosen keywords follow the block.
_KEYWORD_BLOCK = _CHUNK_ROWS * 4
_KEYWORD_SPAN = 512
_ID_CHUNK = 1 << 20  # word occurrences per step when renumbering a `WordTable`'s ids
_PAIR_CHUNK = 100_000
_MERGE_SPAN = 4096  # cases per step when merging words into stems


def usable_word(word: str) -> bool:
    """Words that may become keywords: 3+ letters and not an English stop word."""
    return len(word) > 2 and word not in STOP_WORDS


@dataclass(frozen=True, slots=True)
class TextMatrices:
    """Two views of every case's weighted stems, rows L2-normalised.

    `text`: each case's `text_terms` strongest stems, what scores compare (a cosine over the
    strongest few dozen stems is within a few hundredths of the full one, at a fraction of the
    work). `keys`: the `keywords` strongest of those, less the stems that are a keyword of
    more than `max_df` cases: the rare features that propose candidates.
    """

    text: sp.csr_matrix
    keys: sp.csr_matrix


@dataclass(frozen=True, slots=True)
class TextOptions:
    keywords: int
    max_share: float
    max_df: int
    text_terms: int = 0  # 0: as many as `keywords`
    language: str = ""  # "" or a language without a Snowball stemmer: whole words


def keyword_matrix(
    bags: Sequence[Bag], *, keywords: int, max_share: float, max_df: int
) -> sp.csr_matrix:
    """Rows: L2-normalised TF-IDF vectors over each case's `keywords` strongest words.

    Stop words, short words, words on one case only (they match nothing) and words on more
    than `max_share` of the cases are dropped first; words that are a keyword of more than
    `max_df` cases are dropped after, so no single word links hundreds of cases.
    """
    return text_matrices(bags, TextOptions(keywords, max_share, max_df)).keys


def text_matrices(bags: Sequence[Bag], options: TextOptions) -> TextMatrices:
    """`TextMatrices` of word bags, numbered in first-seen order."""
    n = len(bags)
    # Ids in first-seen order, assigned during the one pass that maps words to ids.
    vocab: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    lengths = np.fromiter((len(b.words) for b in bags), dtype=np.int64, count=n)
    total = int(lengths.sum())
    cols = np.fromiter(
        map(vocab.__getitem__, itertools.chain.from_iterable(b.words for b in bags)),
        dtype=np.int32,
        count=total,
    )
    counts = np.fromiter(
        itertools.chain.from_iterable(b.counts for b in bags), dtype=np.int32, count=total
    )
    return _text_matrices(cols, counts, lengths, list(vocab), options)


def table_keyword_matrix(
    table: WordTable, slugs: Sequence[str], *, keywords: int, max_share: float, max_df: int
) -> sp.csr_matrix:
    """`keyword_matrix` of the bags of `slugs` (all in `table`), without a string per word."""
    options = TextOptions(keywords, max_share, max_df)
    return table_text_matrices(table, slugs, options)[0].keys


def table_text_matrices(
    table: WordTable, slugs: Sequence[str], options: TextOptions
) -> tuple[TextMatrices, np.ndarray]:
    """`text_matrices` of the bags of `slugs`, and a stable id for each column: the table's
    id of the first word (by table id) with that stem.

    The table numbers words in loading order; here they are renumbered in first-seen order
    over `slugs`, exactly as `text_matrices` numbers them, because the numbering breaks ties
    between equally strong keywords. The table's ids stay the same from build to build.
    """
    spans = [table.spans[slug] for slug in slugs]
    lengths = np.fromiter((length for _, length in spans), dtype=np.int64, count=len(spans))
    table_ids = np.frombuffer(table.ids, dtype=np.int32)
    table_counts = np.frombuffer(table.counts, dtype=np.int32)
    cols = _gather(table_ids, spans)
    counts = _gather(table_counts, spans)
    total, size = len(cols), len(table.vocabulary)
    # Position of each word's first occurrence; a chunk at a time, as positions are int64.
    first = np.full(size, total, dtype=np.int64)
    for start in range(0, total, _ID_CHUNK):
        part = cols[start : start + _ID_CHUNK]
        np.minimum.at(first, part, np.arange(start, start + len(part)))
    seen = np.flatnonzero(first < total)
    by_first = seen[np.argsort(first[seen])]
    renumber = np.zeros(size, dtype=np.int32)
    renumber[by_first] = np.arange(len(by_first), dtype=np.int32)
    for start in range(0, total, _ID_CHUNK):
        cols[start : start + _ID_CHUNK] = renumber[cols[start : start + _ID_CHUNK]]
    words = [table.vocabulary[i] for i in by_first.tolist()]
    stems = stem_ids(words, options.language) if options.language else None
    stable = by_first
    if stems is not None:
        stable = np.full(len(stems[1]), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(stable, stems[0], by_first)
    return _text_matrices(cols, counts, lengths, words, options, stems), stable


def _merge_stems(
    cols: np.ndarray, counts: np.ndarray, lengths: np.ndarray, stems: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word ids to stem ids, adding up the counts of a case's words with one stem.

    A span of cases at a time goes through scipy's sparse constructor, which sums duplicate
    (case, stem) entries in C; within a case, stems end up in ascending order.
    """
    out_cols, out_counts, out_lengths = [], [], []
    offsets = np.r_[0, np.cumsum(lengths)]
    width = int(stems.max(initial=0)) + 1
    for first in range(0, len(lengths), _MERGE_SPAN):
        last = min(len(lengths), first + _MERGE_SPAN)
        part = sp.csr_matrix(
            (
                counts[offsets[first] : offsets[last]],
                stems[cols[offsets[first] : offsets[last]]],
                offsets[first : last + 1] - offsets[first],
            ),
            shape=(last - first, width),
        )
        part.sum_duplicates()
        out_cols.append(part.indices.astype(np.int32))
        out_counts.append(part.data.astype(np.int32))
        out_lengths.append(np.diff(part.indptr).astype(np.int64))
    if not out_cols:
        return cols, counts, lengths
    return np.concatenate(out_cols), np.concatenate(out_counts), np.concatenate(out_lengths)


def _gather(values: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """The `(start, length)` slices of `values`, one after the other, in a new array."""
    if not spans:
        return np.zeros(0, dtype=values.dtype)
    return np.concatenate([values[start : start + length] for start, length in spans])


def _text_matrices(
    cols: np.ndarray,
    counts: np.ndarray,
    lengths: np.ndarray,
    vocab: Sequence[str],
    options: TextOptions,
    stems: tuple[np.ndarray, list[str]] | None = None,
) -> TextMatrices:
    """Both matrices from every case's word ids (first-seen order) and counts, in rows."""
    if stems is None and options.language:
        stems = stem_ids(vocab, options.language)
    usable = np.fromiter(map(usable_word, vocab), dtype=bool, count=len(vocab))
    if stems is not None:
        # A stem is usable when one of its words is ("was" is a stop word, "wa" is not).
        stem_usable = np.zeros(len(stems[1]), dtype=bool)
        np.logical_or.at(stem_usable, stems[0], usable)
        cols, counts, lengths = _merge_stems(cols, counts, lengths, stems[0])
        usable, vocab = stem_usable, stems[1]
    n = len(lengths)
    df = np.bincount(cols, minlength=len(vocab))
    df[~usable] = 0
    offsets = np.r_[0, np.cumsum(lengths)]
    # The logarithms once per word and per count, not once per occurrence: the same inputs,
    # so the same bits, at a fraction of the cost (2.8M occurrences at 10k cases).
    ratio = np.zeros(len(df))
    np.divide(n, df, out=ratio, where=df > 0)
    idf = np.log1p(ratio)
    tf = 1 + np.log(np.maximum(np.arange(int(counts.max(initial=1)) + 1, dtype=np.float64), 1))
    text_terms = max(options.text_terms, options.keywords)
    text: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    keys: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, n, _KEYWORD_BLOCK):
        stop = min(n, start + _KEYWORD_BLOCK)
        parts = [
            _weights(
                cols,
                counts,
                offsets,
                df,
                (first, min(stop, first + _KEYWORD_SPAN)),
                options.max_share,
                (idf, tf),
            )
            for first in range(start, stop, _KEYWORD_SPAN)
        ]
        # One tie-breaking scale per block, exactly as if the block were cut in one piece.
        scale = max(float(np.abs(part[2]).max(initial=1.0)) for part in parts)
        for part in parts:
            strongest = _top_per_row(*part, text_terms, scale)
            text.append(strongest)
            keys.append(_top_per_row(*strongest, options.keywords, scale))
        del parts
    shape = (n, len(vocab))
    rows, kept, weights = _joined(keys)
    postings = np.bincount(kept, minlength=len(vocab))
    mask = postings[kept] <= options.max_df
    return TextMatrices(
        _normalised(*_joined(text), shape),
        _normalised(rows[mask], kept[mask], weights[mask], shape),
    )


def _joined(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    rows, cols, weights = (np.concatenate([p[i] for p in [empty, *parts]]) for i in range(3))
    return rows, cols, weights


def _weights(
    cols: np.ndarray,
    counts: np.ndarray,
    offsets: np.ndarray,
    df: np.ndarray,
    span: tuple[int, int],
    max_share: float,
    logs: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, TF-IDF weight) of the usable words of the cases in `span`; `logs` are
    each word's `log1p(n / df)` and each count's `1 + log(count)`.

    A short span at a time: its temporaries (every word occurrence, 8 bytes each, several
    arrays at once) were the peak of the whole build when cut 8,192 cases at a time.
    """
    first, last = span
    n = len(offsets) - 1
    idf, tf_weight = logs
    cols = cols[offsets[first] : offsets[last]]
    tf = counts[offsets[first] : offsets[last]]
    rows = np.repeat(np.arange(first, last, dtype=np.int64), np.diff(offsets[first : last + 1]))
    found = df[cols]
    mask = (found >= 2) & (found <= max(2, max_share * n))
    rows, cols, tf = rows[mask], cols[mask].astype(np.int64), tf[mask]
    weights = tf_weight[tf] * idf[cols]
    return rows, cols, weights


def _top_per_row(
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    size: int,
    scale: float | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The `size` largest entries of every row (ties: lower column first), in input order.

    `rows` must be grouped (equal rows adjacent). Nothing is sorted: a tiny tie-breaking nudge
    by column makes values distinct, then a linear partition per row finds each row's cut-off.
    The nudge is relative to `scale` (default: the largest value here; or one per entry), so a
    caller that splits rows into pieces passes the scale of the whole to keep the same cut-offs.
    """
    if scale is None:
        scale = float(np.abs(values).max(initial=1.0))
    nudged = values - cols * (scale * 1e-12)
    keep = nudged >= _row_threshold(rows, nudged, size)
    return rows[keep], cols[keep], values[keep]


def _rank_in_row(rows: np.ndarray) -> np.ndarray:
    """Position of each entry within its run of equal `rows` (0 for the first)."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return np.arange(len(rows)) - np.repeat(first, np.diff(np.r_[first, len(rows)]))


def _row_threshold(rows: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Per entry, the `size`-th largest value of its row (-inf for rows with fewer entries).

    Rows are padded into dense blocks and partitioned: linear time, bounded memory. Rows are
    grouped by length (powers of two) so that short rows are not padded to the longest one.
    """
    threshold = np.full(len(values), -np.inf)
    rank = _rank_in_row(rows)
    starts = np.flatnonzero(rank == 0)
    lengths = np.diff(np.r_[starts, len(rows)])
    long = lengths > size
    widths = 2 ** np.ceil(np.log2(np.maximum(lengths, 1))).astype(np.int64)
    for width in np.unique(widths[long]).tolist():
        chosen = np.flatnonzero(long & (widths == width))
        for block in range(0, len(chosen), max(1, (1 << 22) // width)):
            picked = chosen[block : block + max(1, (1 << 22) // width)]
            counts = lengths[picked]
            local = np.repeat(np.arange(len(picked)), counts)
            entry = np.repeat(starts[picked], counts) + _rank_in_row(local)
            dense = np.full((len(picked), width), -np.inf)
            dense[local, rank[entry]] = values[entry]
            cut = np.partition(dense, width - size, axis=1)[:, width - size]
            threshold[entry] = cut[local]
    return threshold


def _normalised(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=shape[0]))
    values = values / np.where(norms > 0, norms, 1.0)[rows]
    return sp.csr_matrix((values, (rows, cols)), shape=shape)


def binary_matrix(features: Sequence[Sequence[int]], width: int) -> sp.csr_matrix:
    """Row i has a 1 in each column listed in `features[i]` (columns must be distinct per row)."""
    lengths = np.fromiter((len(f) for f in features), dtype=np.int64, count=len(features))
    cols = np.fromiter(
        itertools.chain.from_iterable(features), dtype=np.int64, count=int(lengths.sum())
    )
    rows = np.repeat(np.arange(len(features), dtype=np.int64), lengths)
    return sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(features), width))


@dataclass(frozen=True, slots=True)
class Shortlist:
    """Each row's best other rows under a rough score, plus how many candidates it had."""

    rows: np.ndarray
    cols: np.ndarray
    candidates: np.ndarray


def shortlist(features: sp.csr_matrix, size: int, rows: np.ndarray | None = None) -> Shortlist:
    """Top `size` other rows per row by `features · featuresᵀ`, computed in row chunks, for
    `rows` (ascending; default: all).

    Chunking bounds memory: only one block of the (sparse) product exists at a time. Ties are
    broken within each row alone (see `_row_scale`), so a row's short list depends only on
    its own products: an incremental build recomputes the rows an edit reached, nothing else.
    """
    transposed = features.T.tocsr()
    wanted = np.arange(features.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
    found_rows, found_cols, counts = [], [], []
    for start in range(0, len(wanted), _CHUNK_ROWS):
        part = wanted[start : start + _CHUNK_ROWS]
        chunk = features[start : start + len(part)] if rows is None else features[part]
        block = (chunk @ transposed).tocsr()
        local, cols, values = _entries(block, part)
        counts.append(np.bincount(local, minlength=len(part)))
        local, cols, values = _top_per_row(local, cols, values, size, _row_scale(local, values))
        found_rows.append(part[local])
        found_cols.append(cols)
    if not found_rows:
        empty = np.zeros(0, dtype=np.int64)
        return Shortlist(empty, empty, empty)
    return Shortlist(np.concatenate(found_rows), np.concatenate(found_cols), np.concatenate(counts))


def _row_scale(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per entry, the largest value of its row (`rows` grouped): the tie-breaking scale."""
    if len(rows) == 0:
        return values
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return np.repeat(np.maximum.reduceat(values, starts), np.diff(np.r_[starts, len(rows)]))


def _entries(block: sp.csr_matrix, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(local row, col, value) of the positive entries of a block of rows, leaving out each
    row's product with itself (row k of the block is row `ids[k]` of the whole)."""
    local = np.repeat(np.arange(block.shape[0], dtype=np.int64), np.diff(block.indptr))
    cols = block.indices.astype(np.int64)
    values = block.data
    keep = (ids[local] != cols) & (values > 0)
    return local[keep], cols[keep], values[keep]


def pair_dots(
    left: sp.csr_matrix, right: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """`left[rows[p]] · right[cols[p]]` for every pair p, in chunks to bound memory."""
    out = np.zeros(len(rows))
    for start in range(0, len(rows), _PAIR_CHUNK):
        stop = start + _PAIR_CHUNK
        product = left[rows[start:stop]].multiply(right[cols[start:stop]])
        out[start:stop] = np.asarray(product.sum(axis=1)).ravel()
    return out
