"""Taxonomy indexes: tags, topics, countries, languages and outlets.

Spellings that transliterate to the same slug ("Kraków", "krakow ") merge into one term shown
with its most common spelling. Slugs come from python-slugify (Unicode transliteration).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from operator import attrgetter

from slugify import slugify

from .diagnostics import Diagnostic, error
from .model import TAXONOMIES, Case, SiteModel, Term

MAX_SLUG = 80


# ASCII words separated by single spaces: slugify's answer is the words, lowercased, joined
# by '-' (a test compares the two). 5k labels at 10k cases took 0.06 s through slugify.
_ASCII_WORDS = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")


def term_slug(label: str) -> str:
    """URL-safe, idempotent slug; empty when the label has no usable characters."""
    if len(label) <= MAX_SLUG and _ASCII_WORDS.fullmatch(label):
        return label.lower().replace(" ", "-")
    return slugify(label, max_length=MAX_SLUG, word_boundary=True)


def _label(spellings: Counter[str]) -> str:
    """Most common spelling; ties go to the alphabetically first, for determinism."""
    return min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]


TermSlugs = dict[tuple[str, str], str]


def build_terms(
    cases: tuple[Case, ...],
) -> tuple[dict[str, tuple[Term, ...]], TermSlugs, list[Diagnostic]]:
    """Index `cases` (already sorted newest first) by every taxonomy.

    Also returns (taxonomy, spelling) -> term slug, so later stages never slugify again.
    Each spelling is handled once with the numbers of the cases that carry it, not once per
    case and label (120k label occurrences at 10k cases).
    """
    terms: dict[str, tuple[Term, ...]] = {}
    slugs: TermSlugs = {}
    problems: list[Diagnostic] = []
    case_slugs = [case.slug for case in cases]
    for taxonomy in TAXONOMIES:
        carriers: defaultdict[str, list[int]] = defaultdict(list)
        labelled = (
            map(attrgetter(taxonomy), cases)
            if taxonomy != "outlets"
            else ([o.name for o in case.outlets] for case in cases)
        )
        for number, labels in enumerate(labelled):
            for label in labels:
                carriers[label].append(number)
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        members: dict[str, list[int]] = defaultdict(list)
        for label, numbers in carriers.items():
            slug = slugs[(taxonomy, label)] = term_slug(label)
            if not slug:
                problems += [
                    error(
                        cases[n].source_path,
                        None,
                        f"{taxonomy} term '{label}' has no letters or digits usable in a URL",
                    )
                    for n in numbers
                ]
                continue
            spellings[slug][label] += len(numbers)
            members[slug] += numbers
        terms[taxonomy] = tuple(
            Term(
                taxonomy,
                _label(spellings[slug]),
                slug,
                tuple(map(case_slugs.__getitem__, sorted(set(members[slug])))),
            )
            for slug in sorted(spellings)
        )
    return terms, {k: v for k, v in slugs.items() if v}, problems


MergedTerms = dict[str, dict[str, tuple[str, str]]]


def merged_terms(model: SiteModel) -> MergedTerms:
    """taxonomy -> spelling as written -> (term slug, merged label), computed once per build.

    Machine-readable outputs (feeds, open data) use the merged label, so "Kraków" and
    "krakow" are one value there just as they share one page.
    """
    labels = {(t.taxonomy, t.slug): t.label for terms in model.terms.values() for t in terms}
    merged: MergedTerms = {taxonomy: {} for taxonomy in TAXONOMIES}
    for (taxonomy, spelling), slug in model.term_slugs.items():
        if (taxonomy, slug) in labels:
            merged[taxonomy][spelling] = (slug, labels[(taxonomy, slug)])
    return merged


def case_terms(merged: MergedTerms, case: Case, taxonomy: str) -> list[tuple[str, str]]:
    """A case's (slug, merged label) pairs in one taxonomy, deduplicated, in written order."""
    table = merged[taxonomy]
    return list(dict.fromkeys([table[s] for s in case.terms(taxonomy) if s in table]))
