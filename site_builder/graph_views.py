"""The related-cases graph for readers and tools: clusters, the `/graph/` page, graph.json, SVG.

Clusters come from label propagation over the graph's links (weighted by score, editor links
doubled), run in slug order with ties to the smallest label, so they are deterministic. It
finds groups of cases that link mostly among themselves; connected components would not,
because top-k links chain almost every case into one component.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import msgspec

from .config import SiteConfig
from .model import TAXONOMIES, Case, RelatedEntry, RelatedGraph, SiteModel
from .views import TAXONOMY_SINGULAR, Link, case_url, term_url

GRAPH_JSON_VERSION = 1
# The overview lists this many clusters; graph.json always has all of them.
MAX_CLUSTERS = 200
CLUSTER_TERMS = 6
_ROUNDS = 30
_SVG_WIDTH, _SVG_HEIGHT, _RADIUS = 360, 240, 90


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


def neighbourhood_svg(model: SiteModel, case: Case) -> str:
    """An inline SVG star of the case and its related cases, numbered like the list below it.

    Solid lines are editor's picks, dashed ones computed; width grows with the score. Related
    cases that are related to each other are joined by thin lines. Empty without neighbours.
    """
    entries = model.graph.of(case.slug)
    if not entries:
        return ""
    cx, cy = _SVG_WIDTH / 2, _SVG_HEIGHT / 2
    spots = dict(zip((e.slug for e in entries), _star(len(entries)), strict=True))
    top = max(e.score for e in entries) or 1.0
    side = sorted(
        {
            tuple(sorted((e.slug, o.slug)))
            for e in entries
            for o in model.graph.of(e.slug)
            if o.slug in spots
        }
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="neighbourhood" viewBox="0 0 {_SVG_WIDTH} {_SVG_HEIGHT}" '
        f'width="{_SVG_WIDTH}" height="{_SVG_HEIGHT}" role="img" aria-labelledby="nb-title nb-desc">',
        f'<title id="nb-title">Related cases of “{escape(case.title)}”</title>',
        f'<desc id="nb-desc">{escape(_describe(entries, len(side)))}</desc>',
    ]
    for a, b in side:
        (x1, y1), (x2, y2) = spots[a], spots[b]
        parts.append(f'<line class="nb-side" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    for e in entries:
        x, y = spots[e.slug]
        kind = "nb-editor" if e.editor else "nb-computed"
        width = round(1.5 + 3 * min(e.score, top) / top, 2)
        parts.append(
            f'<line class="{kind}" x1="{cx}" y1="{cy}" x2="{x}" y2="{y}" stroke-width="{width}"/>'
        )
    parts.append(f'<circle class="nb-self" cx="{cx}" cy="{cy}" r="18"/>')
    for number, e in enumerate(entries, start=1):
        x, y = spots[e.slug]
        parts.append(f'<circle class="nb-node" cx="{x}" cy="{y}" r="14"/>')
        parts.append(f'<text class="nb-label" x="{x}" y="{y}" dy="0.35em">{number}</text>')
    parts.append("</svg>")
    return "".join(parts)


@functools.cache
def _star(count: int) -> tuple[tuple[float, float], ...]:
    """The spots of `count` neighbours around the centre, clockwise from the top: the same
    for every case with as many related cases (10k pages, a handful of shapes)."""
    cx, cy = _SVG_WIDTH / 2, _SVG_HEIGHT / 2
    return tuple(
        (
            round(cx + _RADIUS * 1.6 * math.cos(-math.pi / 2 + 2 * math.pi * i / count), 1),
            round(cy + _RADIUS * math.sin(-math.pi / 2 + 2 * math.pi * i / count), 1),
        )
        for i in range(count)
    )


def _describe(entries: Sequence[RelatedEntry], side_links: int) -> str:
    count = len(entries)
    editor = sum(1 for e in entries if e.editor)
    kinds = []
    if editor:
        picks = _plural(editor, "editor's pick")
        kinds.append(f"{picks} (solid lines)")
    if count - editor:
        kinds.append(f"{count - editor} computed (dashed lines)")
    text = (
        f"This case in the centre, linked to {_plural(count, 'related case')} numbered as in the "
        f"list below: {' and '.join(kinds)}; thicker lines mean stronger links."
    )
    if side_links:
        verb = "joins" if side_links == 1 else "join"
        text += f" {_plural(side_links, 'thin line')} {verb} related cases that are related to each other."
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"
