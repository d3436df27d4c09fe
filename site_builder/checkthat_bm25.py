"""The BM25 reference of the CheckThat! table: Okapi BM25 (k1 = 1.2, b = 0.75) over each
fact-check's title + claim + subtitle, English stop words removed, with and without the Snowball
English stemmer. Written out here (40 lines) rather than taken from a library so that the
reference is exactly what the table says it is."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import snowballstemmer

from .tokens import STOP_WORDS

if TYPE_CHECKING:
    from .checkthat import Data

WORD = re.compile(r"[^\W_]+")
K1, B = 1.2, 0.75


def _tokens(text: str, stem: bool) -> list[str]:
    words = [w for w in WORD.findall(text.lower()) if w not in STOP_WORDS]
    return snowballstemmer.stemmer("english").stemWords(words) if stem else words


def rank(data: Data, *, stem: bool, k: int) -> dict[str, dict[str, list[str]]]:
    """Split -> tweet id -> the ids of the top-k fact-checks."""
    ids = [c["vclaim_id"] for c in data.claims]
    docs = [
        Counter(_tokens(f"{c['title']} {c['vclaim']} {c['subtitle']}", stem)) for c in data.claims
    ]
    lengths = [sum(d.values()) for d in docs]
    average = sum(lengths) / len(docs)
    postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for number, doc in enumerate(docs):
        for term, tf in doc.items():
            postings[term].append((number, tf))
    n = len(docs)
    ranked: dict[str, dict[str, list[str]]] = {}
    for split, queries in data.queries.items():
        ranked[split] = {}
        for qid, text in queries:
            scores: dict[int, float] = defaultdict(float)
            for term in set(_tokens(text, stem)):
                found = postings.get(term, [])
                idf = math.log(1 + (n - len(found) + 0.5) / (len(found) + 0.5))
                for number, tf in found:
                    norm = K1 * (1 - B + B * lengths[number] / average)
                    scores[number] += idf * tf * (K1 + 1) / (tf + norm)
            best = sorted(scores, key=lambda d: (-scores[d], d))[:k]
            ranked[split][qid] = [ids[d] for d in best]
    return ranked
