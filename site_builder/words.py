"""Words of a case's text: the per-case, cacheable half of the related-cases graph.

Pure functions without numpy, so content loading can tokenise each file once (in the worker
that compiles it) and the build cache can keep the result next to the compiled case.
"""

from __future__ import annotations

import re
import string
import sys
from collections import Counter
from dataclasses import dataclass

from .model import Case

# English function words of 3+ letters (shorter words are dropped anyway). Kept small on purpose:
# IDF already discounts common words; this list only keeps them out of keyword slots.
_STOP_WORDS = (
    "about", "above", "after", "again", "against", "all", "also", "among", "and", "another", "any",
    "are", "around", "because", "been", "before", "being", "below", "between", "both", "but", "can",
    "cannot", "could", "did", "does", "doing", "down", "during", "each", "either", "even", "every",
    "few", "for", "from", "further", "had", "has", "have", "having", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "however", "into", "its", "itself", "just", "least",
    "less", "many", "may", "might", "more", "most", "much", "must", "neither", "nor", "not", "now",
    "off", "once", "one", "only", "other", "ought", "our", "ours", "ourselves", "out", "over",
    "own", "per", "same", "shall", "she", "should", "since", "some", "still", "such", "than",
    "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
    "this", "those", "though", "through", "thus", "too", "under", "until", "upon", "very", "was",
    "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why",
    "will", "with", "within", "without", "would", "yet", "you", "your", "yours", "yourself",
    "yourselves",
)  # fmt: skip
STOP_WORDS = frozenset(_STOP_WORDS)
# ASCII punctuation and digits, plus the typographic quotes and dashes common in articles.
_SEPARATORS = str.maketrans(
    dict.fromkeys(
        string.punctuation
        + string.digits
        + "\u201c\u201d\u2018\u2019\u00ab\u00bb\u2014\u2013\u2026\u201e",
        " ",
    )
)
# Every branch starts with a literal, so the engine skips to candidates (3x the speed of
# `<?https?://...`, which tries every position).
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^\s>)]*>?|https?://[^\s>)]*>?")


@dataclass(frozen=True, slots=True)
class Bag:
    """A text's lowercase words and their counts, in first-seen order.

    Stop words and words under 3 letters stay in: `keyword_matrix` drops them once per distinct
    word, which is several times cheaper than filtering every case's words. A plain value, so
    a build cache can store it per case and skip tokenising unchanged files.
    """

    words: tuple[str, ...]
    counts: tuple[int, ...]


def text_bag(text: str, *, shared: bool = True) -> Bag:
    """Split on punctuation, digits and whitespace; `str.translate` + `split` run in C and are
    several times faster than a Unicode word regex over a big site.

    `shared`: intern the words, so that every case kept in memory shares one copy of each
    (100k cases hold 28M words, ~200k distinct). A compile worker, which turns the words into
    numbers at once and keeps none, skips it: a sixth of tokenising.
    """
    counts = Counter(text.lower().translate(_SEPARATORS).split())
    words = tuple(map(sys.intern, counts)) if shared else tuple(counts)
    return Bag(words, tuple(counts.values()))


def case_tokens(case: Case, *, shared: bool = True) -> Bag:
    """The words of a case's whole text (title, claim, Summary, Response), link targets
    (URLs) left out: a title or claim often names the story in words the body never repeats.

    Pure and per case, so a cache can keep it for files that did not change.
    """
    text = f"{case.title}\n{case.claim or ''}\n{case.summary}\n{case.response}"
    if "://" in text or "](" in text:
        text = _LINK_TARGET.sub(" ", text)
    return text_bag(text, shared=shared)
