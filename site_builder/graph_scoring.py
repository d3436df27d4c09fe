"""Scoring the related-cases graph: features of every case, candidates, scores and reasons.

A computed neighbour's score (docs/similar-cases.md) is

- text: `weight_text *` the cosine of the two cases' TF-IDF vectors over their whole text
  (title, claim, Summary, Response), stemmed, each reduced to its `text_terms` strongest stems;
- shared terms: `weight_<taxonomy> * rarity` per shared term, rarity `ln(1 + N / df)` scaled
  to at most 1; terms on more than `max_term_share` of the cases count for nothing;
- date: `weight_date * 0.5 ^ (days apart / date_half_life)`, a small bonus for close dates.

Candidates come from sparse products over rare terms and keywords (`similarity`), never from
all pairs, so the work per case stays bounded as the site grows. Each row's result depends
only on its own products, so a part computed alone equals the same rows of the whole.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .config import RelatedConfig
from .model import TAXONOMIES, Case, RelatedEntry, WordTable
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


# Candidates per case that get an exact score. The rough score that picks them sees only rare
# features; date, topics and countries (too common to propose candidates) can still reorder
# them, so the exact score needs a wide list (metadata generator: a perfect reordering of the
# best 20 reaches P@5 0.922, of the best 60 0.939, of all 0.950). A floor, not a multiple of `limit`, so that a
# case's top 5 are the first 5 of its top 10: the evaluation, which asks for 10, measures
# what the site shows. Measured cost: +0.2 s on 10k cases.
SHORTLIST = 60


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


def _term_keys(case: Case, term_slugs: Mapping[TermKey, str]) -> dict[TermKey, str]:
    """(taxonomy, slug) -> the case's own spelling, for every term the case carries."""
    keys: dict[TermKey, str] = {}
    for taxonomy in TAXONOMIES:
        for label in case.terms(taxonomy):
            slug = term_slugs.get((taxonomy, label))
            if slug:
                keys.setdefault((taxonomy, slug), label)
    return keys


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
    found = shortlist(rough, max(4 * config.limit, SHORTLIST), rows)
    n = rough.shape[0]
    fresh = ~np.isin(found.rows * n + found.cols, editor_keys)
    return found.rows[fresh], found.cols[fresh], found.candidates


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
