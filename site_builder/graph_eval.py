"""How good are the computed related cases? Two measurements, ours against a baseline.

1. Leave-one-out on a real site: editors' `related` links are the ground truth. Hide them and
   count how many the computed top-k recovers (recall@k). Computed scores never read `related`,
   so one graph built with every editor link removed answers for all cases at once.
2. Planted stories: a synthetic corpus (`corpus`) whose cases come from known stories;
   precision@k is the share of shown neighbours that come from the case's own story.

The baseline is what Hugo and most generators do: rank other cases by the number of shared tags
(ties: newer first, then slug).
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import RelatedConfig, load_config
from .content import load_content
from .corpus import generate_site, stories
from .graph import build_graph
from .model import Case
from .taxonomy import build_terms

Neighbours = dict[str, list[str]]
Ranker = Callable[[Sequence[Case], RelatedConfig, int], Neighbours]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a results table: a scorer and its counts."""

    scorer: str
    hits: int
    total: int
    shown: int

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0


def ours(cases: Sequence[Case], config: RelatedConfig, k: int) -> Neighbours:
    """Computed top-k of the site's scorer, with every editor link hidden."""
    bare = tuple(dataclasses.replace(c, related=(), related_lines=()) for c in cases)
    graph = build_graph(bare, dataclasses.replace(config, limit=k), build_terms(bare)[1])
    return {c.slug: [e.slug for e in graph.of(c.slug)] for c in bare}


def tag_count(cases: Sequence[Case], config: RelatedConfig, k: int) -> Neighbours:
    """Baseline: most shared tags first; ties go to the newer case, then the smaller slug."""
    _, term_slugs, _ = build_terms(tuple(cases))
    tags = {c.slug: {term_slugs.get(("tags", t)) for t in c.tags} - {None, ""} for c in cases}
    holders: dict[str | None, list[Case]] = defaultdict(list)
    for case in cases:
        for tag in tags[case.slug]:
            holders[tag].append(case)
    result: Neighbours = {}
    for case in cases:
        shared: dict[str, int] = defaultdict(int)
        others: dict[str, Case] = {}
        for tag in tags[case.slug]:
            for other in holders[tag]:
                if other.slug != case.slug:
                    shared[other.slug] += 1
                    others[other.slug] = other
        ranked = sorted(shared, key=lambda s: (-shared[s], -others[s].date.toordinal(), s))
        result[case.slug] = ranked[:k]
    return result


RANKERS: dict[str, Ranker] = {"ours": ours, "shared tags (baseline)": tag_count}


def leave_one_out(cases: Sequence[Case], config: RelatedConfig, k: int = 5) -> list[Row]:
    """Recall@k of editor links (both directions) when they are hidden from the scorer."""
    present = {c.slug for c in cases}
    truth: dict[str, set[str]] = defaultdict(set)
    for case in cases:
        for target in case.related:
            if target in present and target != case.slug:
                truth[case.slug].add(target)
                truth[target].add(case.slug)
    rows = []
    for name, ranker in RANKERS.items():
        found = ranker(cases, config, k)
        hits = sum(len(truth[s] & set(found[s])) for s in truth)
        total = sum(len(t) for t in truth.values())
        rows.append(Row(name, hits, total, sum(len(found[s]) for s in truth)))
    return rows


def planted_precision(
    cases: Sequence[Case], story: Mapping[str, int], config: RelatedConfig, k: int = 5
) -> list[Row]:
    """Precision@k against planted stories: shown neighbours from the same story / all shown."""
    rows = []
    for name, ranker in RANKERS.items():
        found = ranker(cases, config, k)
        hits = sum(story[o] == story[s] for s, others in found.items() for o in others)
        shown = sum(len(others) for others in found.values())
        rows.append(Row(name, hits, shown, shown))
    return rows


def _load(root: Path) -> tuple[tuple[Case, ...], RelatedConfig]:
    config = load_config(root)
    content = load_content(root, config)
    return tuple(c for c in content.cases if not c.draft), config.related


def best_possible(story: Mapping[str, int], k: int = 5) -> float:
    """Precision@k of a perfect scorer that always shows k cases: small stories cap it."""
    sizes = Counter(story.values())
    return sum(min(k, sizes[s] - 1) for s in story.values()) / (k * len(story)) if story else 0.0


def run(root: Path, *, n: int = 2000, seed: int = 0) -> str:
    """Both tables as text: leave-one-out on the site at `root`, precision on a fresh corpus."""
    cases, config = _load(root)
    cutoffs = (1, 3, 5)
    by_k = {k: leave_one_out(cases, config, k) for k in cutoffs}
    lines = [f"Leave-one-out on {root} ({len(cases)} cases): hidden editor links found in top k"]
    lines += _table(
        [r.scorer for r in by_k[5]],
        {f"recall@{k}": [r.rate for r in rows] for k, rows in by_k.items()},
        {"links": [r.total for r in by_k[5]]},
    )
    with tempfile.TemporaryDirectory(prefix="graph-eval-") as temp:
        generate_site(Path(temp), n, seed=seed)
        corpus, _ = _load(Path(temp))
    story = stories(n, seed=seed)
    rows = planted_precision(corpus, story, config, 5)
    lines += ["", f"Planted stories ({n} synthetic cases, seed {seed}): same-story share of top 5"]
    lines += _table(
        [r.scorer for r in rows],
        {"precision@5": [r.rate for r in rows]},
        {"hits": [r.hits for r in rows], "shown": [r.total for r in rows]},
    )
    lines.append(f"  (a perfect scorer showing 5 cases would reach {best_possible(story):.3f})")
    return "\n".join(lines)


def _table(
    names: Sequence[str], rates: Mapping[str, Sequence[float]], counts: Mapping[str, Sequence[int]]
) -> list[str]:
    width = max(len(n) for n in names)
    header = "".join(f"  {h:>11}" for h in [*rates, *counts])
    lines = [f"  {'scorer':<{width}}{header}"]
    for i, name in enumerate(names):
        cells = [f"{v[i]:.3f}" for v in rates.values()] + [str(v[i]) for v in counts.values()]
        lines.append(f"  {name:<{width}}" + "".join(f"  {c:>11}" for c in cells))
    return lines
