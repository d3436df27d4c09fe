"""Stems for the related-cases graph: "vaccines", "vaccinated" and "vaccination" are one word.

Snowball stemmers (the `snowballstemmer` package, pure Python, the same algorithms as the
Snowball JavaScript port) exist for most European languages; a site language without one is
compared on whole words. Stemming runs once per distinct word of the site, never per
occurrence: 100k cases hold ~28M words but a few hundred thousand distinct ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import snowballstemmer

from .tokens import LANGUAGES  # one language -> algorithm table for search, /check/, graph


def algorithm(language: str) -> str | None:
    """The Snowball algorithm for a site language such as "en" or "pt-BR", or None."""
    found = LANGUAGES.get(language.lower().replace("_", "-").split("-")[0])
    return found[0] if found and found[0] in snowballstemmer.algorithms() else None


def stem_ids(vocabulary: Sequence[str], language: str) -> tuple[np.ndarray, list[str]] | None:
    """Per word, the number of its stem, and the stems; None when stemming changes nothing.

    Stems are numbered by their first word, so words numbered in first-seen order give
    stems in first-seen order (the graph breaks ties by that order).
    """
    name = algorithm(language)
    if name is None or not vocabulary:
        return None
    stems = snowballstemmer.stemmer(name).stemWords(list(vocabulary))
    numbers: dict[str, int] = {}
    ids = np.fromiter(
        (numbers.setdefault(s, len(numbers)) for s in stems), dtype=np.int32, count=len(stems)
    )
    if len(numbers) == len(vocabulary):
        return None
    return ids, list(numbers)
