"""The scorers ours is measured against, written independently of it (no shared code).

- shared terms, Hugo-like: rank other cases by how many tags they share (Hugo's default
  `related` index is tags and keywords; most generators do no more). Ties: newer, then slug.
- TF-IDF cosine: the textbook text scorer, all pairs, with a bonus for rare shared terms:
  body words (Summary and Response, lowercase, 3+ letters, no stemming), `1 + log tf`,
  `log(N / df)`, unit length; plus 0.05 * `log(N / df)` per shared term on at most 1% of
  the cases. It is what a competent engineer writes in 40 lines, and the bar to beat.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .model import TAXONOMIES, Case

Neighbours = dict[str, list[str]]
_WORD = re.compile(r"[^\W\d_]{3,}")
RARE_SHARE = 0.01
RARE_WEIGHT = 0.05


def shared_tags(cases: Sequence[Case], k: int) -> Neighbours:
    """Most shared tags first; ties go to the newer case, then the smaller slug."""
    holders: dict[str, list[int]] = defaultdict(list)
    tags = [{t.casefold() for t in c.tags} for c in cases]
    for i, own in enumerate(tags):
        for tag in own:
            holders[tag].append(i)
    result: Neighbours = {}
    for i, case in enumerate(cases):
        shared: Counter[int] = Counter(j for t in tags[i] for j in holders[t] if j != i)
        ranked = sorted(
            shared, key=lambda j: (-shared[j], -cases[j].date.toordinal(), cases[j].slug)
        )
        result[case.slug] = [cases[j].slug for j in ranked[:k]]
    return result


def _tfidf(cases: Sequence[Case]) -> sp.csr_matrix:
    vocab: dict[str, int] = {}
    rows, cols, tfs = [], [], []
    for i, case in enumerate(cases):
        counts = Counter(_WORD.findall(f"{case.summary}\n{case.response}".lower()))
        for word, count in counts.items():
            rows.append(i)
            cols.append(vocab.setdefault(word, len(vocab)))
            tfs.append(1 + math.log(count))
    matrix = sp.csr_matrix((tfs, (rows, cols)), shape=(len(cases), len(vocab)))
    df = np.bincount(matrix.indices, minlength=len(vocab))
    matrix = matrix @ sp.diags(np.log(len(cases) / np.maximum(df, 1)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1 / np.where(norms > 0, norms, 1)) @ matrix)


def _rare_terms(cases: Sequence[Case]) -> sp.csr_matrix:
    keys = [{(t, v.casefold()) for t in TAXONOMIES for v in c.terms(t)} for c in cases]
    df = Counter(k for own in keys for k in own)
    cap = max(2, RARE_SHARE * len(cases))
    column = {k: i for i, k in enumerate(sorted(k for k, d in df.items() if 2 <= d <= cap))}
    rows = [i for i, own in enumerate(keys) for k in own if k in column]
    cols = [column[k] for own in keys for k in own if k in column]
    weight = np.array([math.sqrt(RARE_WEIGHT * math.log(len(cases) / df[k])) for k in column])
    values = weight[cols] if cols else np.zeros(0)
    return sp.csr_matrix((values, (rows, cols)), shape=(len(cases), len(column)))


def tfidf_cosine(cases: Sequence[Case], k: int) -> Neighbours:
    """All-pairs cosine plus the rare-term bonus; ties go to the smaller slug."""
    features = sp.hstack([_tfidf(cases), _rare_terms(cases)]).tocsr()
    scores = (features @ features.T).toarray()
    np.fill_diagonal(scores, -np.inf)
    slugs = [c.slug for c in cases]
    result: Neighbours = {}
    for i, slug in enumerate(slugs):
        top = np.lexsort((np.arange(len(slugs)), -np.round(scores[i], 9)))[:k]
        result[slug] = [slugs[j] for j in top.tolist()]
    return result
