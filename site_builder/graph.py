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
# Terms on more cases than this still add to scores but do not generate candidates.
CANDIDATE_DF = 200
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


def _score(
    mine: dict[TermKey, str], theirs: dict[TermKey, str], weights: dict[TermKey, float]
) -> tuple[float, list[tuple[TermKey, str]]]:
    shared = [(key, label) for key, label in mine.items() if key in theirs and key in weights]
    return sum(weights[key] for key, _ in shared), shared


def build_graph(
    cases: tuple[Case, ...], config: RelatedConfig, term_slugs: Mapping[TermKey, str]
) -> RelatedGraph:
    """Deterministic top-k related entries for every case in `cases`.

    `term_slugs` maps (taxonomy, spelling) to the merged term slug from `taxonomy`.
    Candidates come only from terms carried by at most CANDIDATE_DF cases, so the work per case
    stays bounded as the site grows; the shortlist is then scored exactly on all shared terms.
    """
    keys = {case.slug: _term_keys(case, term_slugs) for case in cases}
    postings: dict[TermKey, list[str]] = defaultdict(list)
    for case in cases:
        for key in keys[case.slug]:
            postings[key].append(case.slug)
    total = len(cases)
    cap = max(2, int(config.max_term_share * total))
    weights = {
        key: math.log(1 + total / len(slugs)) * config.weight(key[0])
        for key, slugs in postings.items()
        if 2 <= len(slugs) <= cap and config.weight(key[0]) > 0
    }
    editor = _editor_links(cases)
    shortlist_size = max(4 * config.limit, 20)
    edges: dict[str, tuple[RelatedEntry, ...]] = {}
    for case in cases:
        mine = keys[case.slug]
        rough: dict[str, float] = defaultdict(float)
        for key in mine:
            if key in weights and len(postings[key]) <= CANDIDATE_DF:
                for other in postings[key]:
                    rough[other] += weights[key]
        rough.pop(case.slug, None)
        picks = editor.get(case.slug, [])
        shortlist = sorted(rough, key=lambda s: (-rough[s], s))[:shortlist_size]
        exact = {s: _score(mine, keys[s], weights) for s in dict.fromkeys([*picks, *shortlist])}
        entries = [
            RelatedEntry(s, round(exact[s][0], 6), (EDITOR_REASON, *_reasons(exact[s][1])), True)
            for s in picks
        ]
        ranked = sorted(
            (s for s in shortlist if s not in picks and exact[s][0] >= config.min_score),
            key=lambda s: (-exact[s][0], s),
        )
        room = max(0, config.limit - len(entries))
        entries += [
            RelatedEntry(s, round(exact[s][0], 6), _reasons(exact[s][1]), False)
            for s in ranked[:room]
        ]
        edges[case.slug] = tuple(entries)
    return RelatedGraph(edges)
