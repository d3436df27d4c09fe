"""The related-cases graph for readers and tools: clusters, the `/graph/` page, graph.json, SVG.

Clusters come from label propagation over the graph's links (weighted by score, editor links
doubled), run in slug order with ties to the smallest label, so they are deterministic. It
finds groups of cases that link mostly among themselves; connected components would not,
because top-k links chain almost every case into one component.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["clusters", "graph_json", "graph_overview", "neighbourhood_svg"]

import msgspec

from .config import SiteConfig
from .model import TAXONOMIES, RelatedGraph, SiteModel
from .neighbourhood import neighbourhood_svg
from .views import TAXONOMY_SINGULAR, Link, case_url, term_url

GRAPH_JSON_VERSION = 1
# The overview lists this many clusters; graph.json always has all of them.
MAX_CLUSTERS = 200
CLUSTER_TERMS = 6
_ROUNDS = 30


def clusters(graph: RelatedGraph, slugs: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Groups of two or more cases, largest first (ties: smallest slug); members sorted."""
    order = sorted(slugs)
    index = {slug: i for i, slug in enumerate(order)}
    weights: list[dict[int, float]] = [defaultdict(float) for _ in order]
    for slug in order:
        for entry in graph.of(slug):
            if entry.slug in index:
                w = 2 * max(entry.score, 1.0) if entry.editor else entry.score
                a, b = index[slug], index[entry.slug]
                weights[a][b] += w
                weights[b][a] += w
    labels = list(range(len(order)))
    for _ in range(_ROUNDS):
        if not _propagate(labels, weights):
            break
    groups: dict[int, list[str]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(order[i])
    found = [tuple(members) for members in groups.values() if len(members) > 1]
    return tuple(sorted(found, key=lambda g: (-len(g), g[0])))


def _propagate(labels: list[int], weights: list[dict[int, float]]) -> int:
    """One round in node order; a node keeps its label when it is among the best. Returns changes."""
    changes = 0
    for node, neighbours in enumerate(weights):
        if not neighbours:
            continue
        tally: dict[int, float] = defaultdict(float)
        for other, w in neighbours.items():
            tally[labels[other]] += w
        best = max(tally.values())
        winners = [label for label, w in tally.items() if w >= best - 1e-9]
        if labels[node] not in winners:
            labels[node] = min(winners)
            changes += 1
    return changes


@dataclass(frozen=True, slots=True)
class ClusterView:
    number: int
    terms: tuple[Link, ...]
    cases: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class GraphOverview:
    clusters: tuple[ClusterView, ...]
    cases: int
    clustered: int
    more_clusters: int


def _term_labels(model: SiteModel) -> dict[tuple[str, str], str]:
    return {(t.taxonomy, t.slug): t.label for ts in model.terms.values() for t in ts}


def _shared_terms(
    model: SiteModel, members: Sequence[str], labels: dict[tuple[str, str], str]
) -> list[tuple[str, str]]:
    """Terms carried by at least two members (and a third of them), most common first."""
    counts: Counter[tuple[str, str]] = Counter()
    for slug in members:
        case = model.by_slug[slug]
        keys = {
            (t, model.term_slugs.get((t, label), ""))
            for t in TAXONOMIES
            if t != "languages"
            for label in case.terms(t)
        }
        counts.update(k for k in keys if k[1] and k in labels)
    floor = max(2, math.ceil(len(members) / 3))
    rank = {t: i for i, t in enumerate(TAXONOMIES)}
    common = [k for k, c in counts.items() if c >= floor]
    common.sort(key=lambda k: (-counts[k], rank[k[0]], labels[k].lower()))
    return common[:CLUSTER_TERMS]


def graph_overview(model: SiteModel, groups: Sequence[tuple[str, ...]]) -> GraphOverview:
    """What `/graph/` shows: the largest clusters with their cases (newest first) and terms."""
    labels = _term_labels(model)
    views = []
    for number, members in enumerate(groups[:MAX_CLUSTERS], start=1):
        cases = sorted(
            (model.by_slug[s] for s in members), key=lambda c: (-c.date.toordinal(), c.slug)
        )
        terms = tuple(
            Link(term_url(t, slug), f"{TAXONOMY_SINGULAR[t]}: {labels[(t, slug)]}")
            for t, slug in _shared_terms(model, members, labels)
        )
        views.append(
            ClusterView(number, terms, tuple(Link(case_url(c.slug), c.title) for c in cases))
        )
    return GraphOverview(
        tuple(views),
        len(model.cases),
        sum(len(g) for g in groups),
        max(0, len(groups) - MAX_CLUSTERS),
    )


def graph_json(model: SiteModel, config: SiteConfig, groups: Sequence[tuple[str, ...]]) -> bytes:
    """`/data/graph.json` (schema in README "graph.json"); compact, keys in a fixed order."""
    labels = _term_labels(model)
    member = {slug: n for n, g in enumerate(groups, start=1) for slug in g}
    order = sorted(model.cases, key=lambda c: c.slug)
    nodes = [
        {
            "slug": c.slug,
            "title": c.title,
            "url": f"{config.base_url}{case_url(c.slug)}",
            "date": c.date.isoformat(),
            "cluster": member.get(c.slug),
            "terms": {t: list(dict.fromkeys(v)) for t in TAXONOMIES if (v := c.terms(t))},
        }
        for c in order
    ]
    edges = [
        {
            "source": c.slug,
            "target": e.slug,
            "rank": rank,
            "score": e.score,
            "editor": e.editor,
            "reasons": list(e.reasons),
        }
        for c in order
        for rank, e in enumerate(model.graph.of(c.slug), start=1)
    ]
    clusters_out = [
        {
            "id": n,
            "size": len(g),
            "cases": list(g),
            "terms": [
                {"taxonomy": t, "slug": s, "label": labels[(t, s)]}
                for t, s in _shared_terms(model, g, labels)
            ],
        }
        for n, g in enumerate(groups, start=1)
    ]
    document = {
        "version": GRAPH_JSON_VERSION,
        "nodes": nodes,
        "edges": edges,
        "clusters": clusters_out,
    }
    # msgspec writes what `json.dumps(ensure_ascii=False, separators=(",", ":"))` writes, but
    # for exponents ("1e-7", not "1e-07"), at a tenth of the time.
    return msgspec.json.encode(document) + b"\n"
