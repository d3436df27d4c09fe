"""How good are the computed related cases? Measured on data the weights were not tuned to.

1. Leave-one-out on a real site: editors' `related` links are the ground truth. Hide them and
   count how many the computed top-k recovers (recall@k). Computed scores never read `related`,
   so one graph built with every editor link removed answers for all cases at once.
2. Planted stories: synthetic corpora whose cases come from known stories — the project's own
   generator (`corpus`) and five independent ones (`eval_corpora`), each putting the signal
   somewhere else. A neighbour is relevant when it comes from the same story. For each
   generator and scorer: P@5 (relevant share of the 5 slots; an empty slot counts as a
   miss), MAP@5 (average precision at the relevant ranks, over min(5, story size - 1)) and
   recall@10 (the share of the story found in the top 10); a perfect ranking is shown too.

Ours is compared with a Hugo-like shared-tag ranking and a TF-IDF cosine (`graph_baselines`).
Weights are chosen on the mean over the generators (docs/similar-cases.md), never on one.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import RelatedConfig, load_config
from .content import load_content
from .corpus import generate_site, stories
from .eval_corpora import PROFILES, generate
from .graph import build_graph
from .graph_baselines import Neighbours, shared_tags, tfidf_cosine
from .model import Case
from .taxonomy import build_terms

Ranker = Callable[[Sequence[Case], RelatedConfig, int], Neighbours]
INDEPENDENT_CASES = 3000


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the leave-one-out table: a scorer and its counts."""

    scorer: str
    hits: int
    total: int
    shown: int

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Scores:
    """Ranking quality of one scorer on one planted-story corpus (means over all cases)."""

    p5: float
    map5: float
    recall10: float


def ours(cases: Sequence[Case], config: RelatedConfig, k: int) -> Neighbours:
    """Computed top-k of the site's scorer, with every editor link hidden."""
    bare = tuple(dataclasses.replace(c, related=(), related_lines=()) for c in cases)
    graph = build_graph(bare, dataclasses.replace(config, limit=k), build_terms(bare)[1])
    return {c.slug: [e.slug for e in graph.of(c.slug)] for c in bare}


def tag_count(cases: Sequence[Case], config: RelatedConfig, k: int) -> Neighbours:
    """Baseline: most shared tags first; ties go to the newer case, then the smaller slug."""
    return shared_tags(sorted(cases, key=lambda c: c.slug), k)


def tfidf(cases: Sequence[Case], config: RelatedConfig, k: int) -> Neighbours:
    return tfidf_cosine(sorted(cases, key=lambda c: c.slug), k)


RANKERS: dict[str, Ranker] = {
    "ours": ours,
    "shared tags (Hugo-like)": tag_count,
    "TF-IDF cosine": tfidf,
}


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


def score(found: Neighbours, story: Mapping[str, int]) -> Scores:
    """P@5, MAP@5 and recall@10 of ranked neighbours (at least 10 per case asked for)."""
    sizes = Counter(story.values())
    p5 = ap5 = r10 = 0.0
    for slug, ranked in found.items():
        relevant = [story[o] == story[slug] for o in ranked[:10]]
        others = sizes[story[slug]] - 1
        p5 += sum(relevant[:5]) / 5
        hits, ap = 0, 0.0
        for rank, hit in enumerate(relevant[:5], start=1):
            if hit:
                hits += 1
                ap += hits / rank
        ap5 += ap / min(5, others) if others else 0.0
        r10 += sum(relevant) / others if others else 0.0
    n = len(found) or 1
    return Scores(p5 / n, ap5 / n, r10 / n)


def best_possible(story: Mapping[str, int], k: int = 5) -> float:
    """Precision@k of a perfect scorer that always shows k cases: small stories cap it."""
    sizes = Counter(story.values())
    return sum(min(k, sizes[s] - 1) for s in story.values()) / (k * len(story)) if story else 0.0


def perfect(story: Mapping[str, int]) -> Scores:
    sizes = Counter(story.values())
    recall = sum(min(10, sizes[s] - 1) / (sizes[s] - 1) for s in story.values() if sizes[s] > 1)
    return Scores(best_possible(story), 1.0, recall / len(story) if story else 0.0)


def planted(
    cases: Sequence[Case], story: Mapping[str, int], config: RelatedConfig
) -> dict[str, Scores]:
    """Every scorer's `Scores` on one corpus, plus the perfect ranking's."""
    result = {name: score(ranker(cases, config, 10), story) for name, ranker in RANKERS.items()}
    result["perfect ranking"] = perfect(story)
    return result


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


def corpora(n: int, seed: int) -> Iterator[tuple[str, Sequence[Case], dict[str, int]]]:
    """(name, cases, story per slug) of every generator: the project's, then the independent."""
    with tempfile.TemporaryDirectory(prefix="graph-eval-") as temp:
        generate_site(Path(temp), n, seed=seed)
        cases, _ = _load(Path(temp))
    yield f"project ({n})", cases, stories(n, seed=seed)
    for name, profile in PROFILES.items():
        cases, story = generate(profile, INDEPENDENT_CASES, seed)
        yield f"{name} ({INDEPENDENT_CASES})", cases, story


def evaluate(config: RelatedConfig, n: int, seed: int) -> dict[str, dict[str, Scores]]:
    """generator -> scorer -> scores, every generator in `corpora` order."""
    return {name: planted(cases, story, config) for name, cases, story in corpora(n, seed)}


def run(root: Path, *, n: int = 2000, seed: int = 0) -> str:
    """Both tables as text: leave-one-out on the site at `root`, then every generator."""
    cases, config = _load(root)
    cutoffs = (1, 3, 5)
    by_k = {k: leave_one_out(cases, config, k) for k in cutoffs}
    lines = [f"Leave-one-out on {root} ({len(cases)} cases): hidden editor links found in top k"]
    lines += _table(
        [r.scorer for r in by_k[5]],
        {f"recall@{k}": [r.rate for r in rows] for k, rows in by_k.items()},
        {"links": [r.total for r in by_k[5]]},
    )
    results = evaluate(config, n, seed)
    lines += ["", f"Planted stories (seed {seed}): generator x scorer"]
    lines += generator_table(results)
    return "\n".join(lines)


def generator_table(results: Mapping[str, Mapping[str, Scores]]) -> list[str]:
    """A Markdown table, one row per (generator, scorer), and the mean over the independent."""
    lines = ["| generator | scorer | P@5 | MAP@5 | recall@10 |", "|---|---|---:|---:|---:|"]
    for generator, by_scorer in results.items():
        for scorer, s in by_scorer.items():
            lines.append(
                f"| {generator} | {scorer} | {s.p5:.3f} | {s.map5:.3f} | {s.recall10:.3f} |"
            )
    independent = [r for name, r in results.items() if not name.startswith("project")]
    for scorer in RANKERS:
        values = [r[scorer] for r in independent]
        if values:
            mean = [sum(getattr(v, f) for v in values) / len(values) for f in Scores.__slots__]
            cells = " | ".join(f"{m:.3f}" for m in mean)
            lines.append(f"| mean of independent | {scorer} | {cells} |")
    return lines


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
