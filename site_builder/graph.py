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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .config import RelatedConfig
from .diagnostics import Diagnostic, error, warning
from .model import TAXONOMIES, Case, RelatedEntry, RelatedGraph, WordTable
from .similarity import binary_matrix, keyword_matrix, pair_dots, shortlist, table_keyword_matrix
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


@dataclass(frozen=True, slots=True)
class GraphResult:
    graph: RelatedGraph
    near_duplicates: tuple[NearDuplicate, ...]
    # Per case, in slug order: how many other cases the sparse product proposed before ranking.
    candidates: tuple[int, ...]


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


@dataclass(frozen=True, slots=True)
class _Terms:
    """Term features: who carries what, and what each counted term is worth."""

    keysets: list[frozenset[TermKey]]  # per case: the terms that count, for intersections
    ordered: list[tuple[tuple[TermKey, str], ...]]  # the same with the case's spelling, sorted
    weights: dict[TermKey, float]
    weighted: sp.csr_matrix  # case x term, the term's weight where the case carries it
    binary: sp.csr_matrix  # case x term, 1 where the case carries it
    rare: sp.csr_matrix  # like `weighted` with sqrt weights, only terms that make candidates


def _terms(
    order: Sequence[Case], config: RelatedConfig, term_slugs: Mapping[TermKey, str]
) -> _Terms:
    labels = [_term_keys(case, term_slugs) for case in order]
    df = Counter(itertools.chain.from_iterable(labels))
    total = len(order)
    cap = max(2, int(config.max_term_share * total))
    weights = {
        key: math.log(1 + total / count) * config.weight(key[0])
        for key, count in sorted(df.items())
        if 2 <= count <= cap and config.weight(key[0]) > 0
    }
    column = {key: i for i, key in enumerate(weights)}
    binary = binary_matrix(
        [[column[k] for k in keys if k in column] for keys in labels], len(column)
    )
    scale = np.array(list(weights.values()))
    rare = np.array([df[key] <= CANDIDATE_DF for key in weights], dtype=bool)
    counted = [{k: v for k, v in keys.items() if k in weights} for keys in labels]
    rank = {taxonomy: i for i, taxonomy in enumerate(TAXONOMIES)}
    return _Terms(
        [frozenset(keys) for keys in counted],
        [tuple(sorted(c.items(), key=lambda kv: (rank[kv[0][0]], kv[1].lower()))) for c in counted],
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
    words: sp.csr_matrix,
    ordinals: np.ndarray,
    config: RelatedConfig,
) -> _Pairs:
    cosine = pair_dots(words, words, rows, cols)
    days = np.abs(ordinals[rows] - ordinals[cols])
    score = (
        pair_dots(terms.weighted, terms.binary, rows, cols)
        + config.weight_text * cosine
        + config.weight_date * np.exp2(-days / config.date_half_life)
    )
    # Rounded so that ranking never depends on the last bits of a floating-point sum.
    return _Pairs(rows, cols, np.round(score, 6), cosine, days)


def _candidate_pairs(
    terms: _Terms, words: sp.csr_matrix, editor_keys: np.ndarray, config: RelatedConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shortlisted (row, col) pairs that are not editor links, and candidate counts per row."""
    rough = sp.hstack([terms.rare, math.sqrt(config.weight_text) * words]).tocsr()
    found = shortlist(rough, max(4 * config.limit, 20))
    n = words.shape[0]
    fresh = ~np.isin(found.rows * n + found.cols, editor_keys)
    return found.rows[fresh], found.cols[fresh], found.candidates


def compute_graph(
    cases: Sequence[Case],
    config: RelatedConfig,
    term_slugs: Mapping[TermKey, str],
    bags: Mapping[str, Bag] | WordTable | None = None,
) -> GraphResult:
    """Deterministic related entries for every case, near-duplicate pairs and candidate counts.

    `term_slugs` maps (taxonomy, spelling) to the merged term slug from `taxonomy`; `bags` may
    carry precomputed `case_tokens` per slug, as `Bag`s or as content loading's `WordTable`
    (missing ones are computed). Cases are numbered in slug order, so input order never
    matters and ties go to the smaller slug.
    """
    if not cases:
        return GraphResult(RelatedGraph({}), (), ())
    with _cyclic_gc_paused():
        return _compute(sorted(cases, key=lambda c: c.slug), config, term_slugs, bags or {})


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


def _compute(
    order: Sequence[Case],
    config: RelatedConfig,
    term_slugs: Mapping[TermKey, str],
    bags: Mapping[str, Bag] | WordTable,
) -> GraphResult:
    n = len(order)
    terms = _terms(order, config, term_slugs)
    words = _keyword_matrix(order, config, bags)
    ordinals = np.array([c.date.toordinal() for c in order], dtype=np.int64)
    index = {c.slug: i for i, c in enumerate(order)}
    editor = _editor_links(order)
    e_rows = np.array([index[s] for s in editor for _ in editor[s]], dtype=np.int64)
    e_cols = np.array([index[t] for s in editor for t in editor[s]], dtype=np.int64)
    c_rows, c_cols, candidates = _candidate_pairs(terms, words, e_rows * n + e_cols, config)
    picked = _score_pairs(c_rows, c_cols, terms, words, ordinals, config)
    edited = _score_pairs(e_rows, e_cols, terms, words, ordinals, config)
    edges = _assemble(order, edited, _best(picked, config), terms, config)
    return GraphResult(
        RelatedGraph(edges),
        _near_duplicates(order, words, picked, edited, threshold=config.near_duplicate),
        tuple(int(c) for c in candidates) if len(candidates) else (0,) * n,
    )


def _keyword_matrix(
    order: Sequence[Case], config: RelatedConfig, bags: Mapping[str, Bag] | WordTable
) -> sp.csr_matrix:
    """Keyword vectors in `order`: straight from the table's word ids when it has every case."""
    keywords, share = config.keywords, config.max_word_share
    if isinstance(bags, WordTable):
        slugs = [c.slug for c in order]
        if all(slug in bags.spans for slug in slugs):
            return table_keyword_matrix(
                bags, slugs, keywords=keywords, max_share=share, max_df=CANDIDATE_DF
            )
    return keyword_matrix(
        [_bag(case, bags) for case in order],
        keywords=keywords,
        max_share=share,
        max_df=CANDIDATE_DF,
    )


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
    order: Sequence[Case], edited: _Pairs, best: _Pairs, terms: _Terms, config: RelatedConfig
) -> dict[str, tuple[RelatedEntry, ...]]:
    """Editor picks first (their own order), then the best computed pairs, with reasons."""
    slugs = [case.slug for case in order]
    rows: list[list[RelatedEntry]] = [[] for _ in order]

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
    return {slug: tuple(row) for slug, row in zip(slugs, rows, strict=True)}


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


def _near_duplicates(
    order: Sequence[Case], words: sp.csr_matrix, *scored: _Pairs, threshold: float
) -> tuple[NearDuplicate, ...]:
    """Pairs at or above `threshold` cosine; both texts need DUPLICATE_MIN_WORDS keywords,
    since two one-line stubs ("The claim.") are alike without being the same claim."""
    enough = np.diff(words.indptr) >= DUPLICATE_MIN_WORDS
    found: dict[tuple[int, int], float] = {}
    for pairs in scored:
        alike = (pairs.cosine >= threshold) & enough[pairs.rows] & enough[pairs.cols]
        for p in np.flatnonzero(alike):
            i, j = sorted((int(pairs.rows[p]), int(pairs.cols[p])))
            found[(i, j)] = round(float(pairs.cosine[p]), 3)
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
    if len(cases) > 1:
        for case in cases:
            if not case.draft and not result.graph.of(case.slug):
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
