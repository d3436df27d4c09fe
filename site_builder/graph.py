"""Related cases: editor links (both directions) first, then neighbours scored by shared terms.

Candidates come from an inverted index (term -> cases), never from all pairs. Each shared term
counts by its rarity (IDF) times its taxonomy's weight; terms carried by more than
`max_term_share` of all cases are ignored so that "Ukraine" does not relate everything.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

from .config import RelatedConfig
from .diagnostics import Diagnostic, error, warning
from .model import TAXONOMIES, Case, RelatedEntry, RelatedGraph

EDITOR_REASON = "editor's pick"
REASON_LABELS = {
    "tags": "tags",
    "topics": "topic",
    "countries": "country",
    "languages": "language",
    "outlets": "outlet",
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


def _editor_links(cases: tuple[Case, ...]) -> dict[str, list[str]]:
    """A case's own `related` list in the writer's order, then incoming links sorted by slug."""
    present = {c.slug for c in cases}
    own = {c.slug: [t for t in c.related if t in present and t != c.slug] for c in cases}
    incoming: dict[str, set[str]] = defaultdict(set)
    for slug, targets in own.items():
        for target in targets:
            incoming[target].add(slug)
    links: dict[str, list[str]] = {}
    for slug, targets in own.items():
        links[slug] = list(dict.fromkeys([*targets, *sorted(incoming[slug])]))
    return links


def _reasons(shared: list[tuple[TermKey, str]]) -> tuple[str, ...]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for (taxonomy, _), label in shared:
        grouped[taxonomy].append(label)
    reasons = []
    for taxonomy in TAXONOMIES:
        if grouped[taxonomy]:
            noun = REASON_LABELS[taxonomy]
            verb = "shares" if taxonomy == "tags" else "same"
            reasons.append(f"{verb} {noun}: {', '.join(sorted(grouped[taxonomy], key=str.lower))}")
    return tuple(reasons)


def build_graph(
    cases: tuple[Case, ...], config: RelatedConfig, term_slugs: Mapping[TermKey, str]
) -> RelatedGraph:
    """Deterministic top-k related entries for every case in `cases`.

    `term_slugs` maps (taxonomy, spelling) to the merged term slug from `taxonomy`.
    """
    keys = {case.slug: _term_keys(case, term_slugs) for case in cases}
    postings: dict[TermKey, list[str]] = defaultdict(list)
    for case in cases:
        for key in keys[case.slug]:
            postings[key].append(case.slug)
    total = len(cases)
    cap = max(2, int(config.max_term_share * total))
    idf = {
        key: math.log(1 + total / len(slugs))
        for key, slugs in postings.items()
        if 2 <= len(slugs) <= cap
    }
    editor = _editor_links(cases)
    edges: dict[str, tuple[RelatedEntry, ...]] = {}
    for case in cases:
        scores: dict[str, float] = defaultdict(float)
        shared: dict[str, list[tuple[TermKey, str]]] = defaultdict(list)
        for key, label in keys[case.slug].items():
            weight = idf.get(key, 0.0) * config.weight(key[0])
            if weight <= 0:
                continue
            for other in postings[key]:
                if other != case.slug:
                    scores[other] += weight
                    shared[other].append((key, label))
        entries = [
            RelatedEntry(
                slug,
                round(scores.get(slug, 0.0), 6),
                (EDITOR_REASON, *_reasons(shared.get(slug, []))),
                True,
            )
            for slug in editor.get(case.slug, [])
        ]
        taken = {e.slug for e in entries}
        ranked = sorted(
            (s for s in scores if s not in taken and scores[s] >= config.min_score),
            key=lambda s: (-scores[s], s),
        )
        room = max(0, config.limit - len(entries))
        entries += [
            RelatedEntry(s, round(scores[s], 6), _reasons(shared[s]), False) for s in ranked[:room]
        ]
        edges[case.slug] = tuple(entries)
    return RelatedGraph(edges)
