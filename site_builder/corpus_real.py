"""A benchmark corpus shaped like the real EUvsDisinfo database, with invented names and text.

The synthetic corpus (`corpus.py`) plants tidy stories with a handful of terms each; real debunk
databases are lumpier, and that is where build time goes: a few hub terms sit on thousands of
cases (their term pages and feeds are large, and they link most cases to each other in the
related graph), while thousands of outlets have one to three cases (many tiny pages). Measuring
only the tidy corpus hid a one-edit rebuild four times slower than on real data (issue 17).

So this module copies *distributions only* from the real database: how many cases each term has
(as a histogram "count -> how many terms"), how many terms each case has, and how many cases each
month has. Names, titles and texts are pseudo-words. The distributions come from
`../shared/data/euvsdisinfo-posts.csv` when it is present (`measure`), otherwise from
`corpus_real_shape.json` beside this module, measured from that file once
(`python -m site_builder.corpus_real --measure CSV --write-shape`). The file has no bodies;
body lengths follow EUvsDisinfo's published pages (a short summary, a longer response).

Terms are dealt to cases at random, each term exactly its (scaled) number of times, so term
counts and terms per case match the database while co-occurrence is random: a costlier graph
than real stories would give, never a cheaper one.

    python -m site_builder.corpus_real DIR [--seed 0] [--csv FILE]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .corpus import STOP_WORDS, _pseudo_words, _sentences, _yaml_list, _zipf_cum

# Front matter key -> column of the real database's export.
TAXONOMIES = {"tags": "keywords", "countries": "countries", "languages": "languages",
              "outlets": "outlets"}  # fmt: skip
SHAPE_FILE = Path(__file__).with_name("corpus_real_shape.json")
SHARED_CSV = Path("../shared/data/euvsdisinfo-posts.csv")
# Words per section (triangular low, high, mode): EUvsDisinfo summaries are one or two short
# paragraphs, responses two to five. Estimated from the public pages; the CSV has no bodies.
SUMMARY_WORDS = (50, 260, 110)
RESPONSE_WORDS = (80, 650, 230)
WORDS_PER_TERM = 8  # characteristic words per keyword, so texts of shared keywords look alike
SITE_TOML = 'title = "Real-shaped Debunks"\nbase_url = "https://example.org/"\n'


@dataclass(frozen=True, slots=True)
class Shape:
    """The distributions the corpus copies; histograms keep no names, only counts."""

    cases: int
    # taxonomy -> {cases a term has: how many terms have that many}
    term_counts: dict[str, dict[int, int]]
    # taxonomy -> {terms on a case: how many cases have that many}
    per_case: dict[str, dict[int, int]]
    months: dict[str, int]  # "YYYY-MM" -> cases
    source: str  # where the shape came from, said in the bench's output


def measure(path: Path) -> Shape:
    """Histograms of the real export at `path` (names are counted, never kept)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    term_counts: dict[str, dict[int, int]] = {}
    per_case: dict[str, dict[int, int]] = {}
    for key, column in TAXONOMIES.items():
        terms: Counter[str] = Counter()
        sizes: Counter[int] = Counter()
        for row in rows:
            values = {v.strip() for v in (row[column] or "").split("+") if v.strip()}
            terms.update(values)
            sizes[len(values)] += 1
        term_counts[key] = dict(sorted(Counter(terms.values()).items()))
        per_case[key] = dict(sorted(sizes.items()))
    months = dict(sorted(Counter(row["date"][:7] for row in rows).items()))
    return Shape(len(rows), term_counts, per_case, months, f"measured from {path}")


def _int_keys(table: dict[str, dict[str, int]]) -> dict[str, dict[int, int]]:
    return {key: {int(k): v for k, v in hist.items()} for key, hist in table.items()}


def load_shape(csv_path: Path | None = None) -> Shape:
    """The real export's shape when it is there, else the built-in one measured from it."""
    path = csv_path if csv_path is not None else SHARED_CSV
    if path.is_file():
        return measure(path)
    data = json.loads(SHAPE_FILE.read_text(encoding="utf-8"))
    return Shape(
        data["cases"],
        _int_keys(data["term_counts"]),
        _int_keys(data["per_case"]),
        data["months"],
        f"built-in parameters ({SHAPE_FILE.name}, measured from {SHARED_CSV.name}; "
        f"{path} is absent)",
    )


def write_shape(shape: Shape, path: Path = SHAPE_FILE) -> None:
    data = {"cases": shape.cases, "term_counts": shape.term_counts,
            "per_case": shape.per_case, "months": shape.months}  # fmt: skip
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _expand(hist: dict[int, int], scale: float) -> list[int]:
    """Histogram -> one value per item, largest first; scaled so a smaller corpus keeps its
    long tail (every term keeps at least one case) and its hubs stay a share of all cases."""
    values = [value for value, many in sorted(hist.items(), reverse=True) for _ in range(many)]
    if scale == 1.0:
        return values
    keep = max(1, round(len(values) * min(1.0, scale)))
    return [max(1, round(v * scale)) for v in values[:keep]]


def _names(rng: random.Random, key: str, count: int) -> list[str]:
    """Invented names: keywords lowercase, places and languages capitalised, outlets branded."""
    words = _pseudo_words(rng, count, (2, 4))
    if key == "tags":
        return [w if i % 4 else f"{w} {words[(i * 7 + 1) % count]}" for i, w in enumerate(words)]
    if key == "outlets":
        suffixes = ("News", "Daily", "TV", "Today", "Post", "Info", "24")
        return [f"{w.capitalize()} {suffixes[i % len(suffixes)]}" for i, w in enumerate(words)]
    return [w.capitalize() for w in words]


def _deal(
    rng: random.Random, names: list[str], counts: list[int], sizes: list[int]
) -> list[list[str]]:
    """Each term exactly its count of times (a shuffled deck), `sizes[i]` cards to case i.

    The sizes are drawn, so their sum misses the deck's by about a percent: a few terms keep
    a card or two, or the deck is reshuffled for the last cases. A case never holds a term twice.
    """
    deck = [name for name, count in zip(names, counts, strict=True) for _ in range(count)]
    rng.shuffle(deck)
    hands: list[list[str]] = []
    at = 0
    for size in sizes:
        hand = list(dict.fromkeys(deck[at : at + size]))
        at += size
        if at > len(deck):
            rng.shuffle(deck)
            at = 0
        hands.append(hand)
    return hands


def _sizes(rng: random.Random, hist: dict[int, int], n: int) -> list[int]:
    """`n` terms-per-case values drawn in the histogram's proportions."""
    return rng.choices(list(hist), weights=list(hist.values()), k=n)


def _dates(rng: random.Random, months: dict[str, int], n: int) -> list[dt.date]:
    picked = rng.choices(list(months), weights=list(months.values()), k=n)
    return [dt.date(int(m[:4]), int(m[5:7]), rng.randint(1, 28)) for m in picked]


@dataclass(frozen=True, slots=True)
class _Plan:
    terms: dict[str, list[list[str]]]  # taxonomy -> per case
    dates: list[dt.date]
    term_words: dict[str, tuple[str, ...]]  # keyword -> its characteristic words
    words: tuple[str, ...]  # Zipf-weighted background draws
    slug_words: list[str]


def _plan(rng: random.Random, shape: Shape, n: int) -> _Plan:
    scale = n / shape.cases
    terms: dict[str, list[list[str]]] = {}
    for key in TAXONOMIES:
        counts = _expand(shape.term_counts[key], scale)
        names = _names(rng, key, len(counts))
        sizes = _sizes(rng, shape.per_case[key], n)
        terms[key] = _deal(rng, names, counts, sizes)
    background = [*STOP_WORDS, *_pseudo_words(rng, 8000, (2, 4))]
    table = rng.choices(background, cum_weights=_zipf_cum(len(background)), k=1 << 17)
    pool = _pseudo_words(rng, 20_000, (3, 4))
    keywords = sorted({t for hand in terms["tags"] for t in hand})
    term_words = {k: tuple(rng.sample(pool, WORDS_PER_TERM)) for k in keywords}
    return _Plan(terms, _dates(rng, shape.months, n), term_words, tuple(table),
                 _pseudo_words(rng, n, (2, 3)))  # fmt: skip


def _text(rng: random.Random, plan: _Plan, keywords: list[str], spec: tuple[int, int, int]) -> str:
    """Background words with every fifth word from the case's keywords' own words."""
    count = int(rng.triangular(*spec))
    own = [w for k in keywords for w in plan.term_words[k]] or list(rng.sample(plan.words, 8))
    words = rng.choices(plan.words, k=count)
    for i in range(4, count, 5):
        words[i] = rng.choice(own)
    return _sentences(rng, words)


def _outlets(slug: str, names: Sequence[str]) -> str:
    if not names:
        return "outlets: []\n"
    return "outlets:\n" + "".join(
        f"  - name: {name}\n    url: https://{name.split()[0].lower()}.example/{slug}\n"
        for name in names
    )


def _case(rng: random.Random, plan: _Plan, i: int) -> tuple[str, str]:
    """(relative path, file text) of case `i`."""
    hand = {key: plan.terms[key][i] for key in TAXONOMIES}
    date = plan.dates[i]
    word = plan.slug_words[i]
    slug = f"{word}-{i}"
    title = f"{word.capitalize()} " + " ".join(rng.sample(plan.words, 6))
    summary = _text(rng, plan, hand["tags"], SUMMARY_WORDS)
    response = _text(rng, plan, hand["tags"], RESPONSE_WORDS)
    text = (
        f'---\ntitle: "{title}"\ndate: {date.isoformat()}\nclaim: "{title}."\n'
        f"tags: {_yaml_list(hand['tags'])}\ncountries: {_yaml_list(hand['countries'])}\n"
        f"languages: {_yaml_list(hand['languages'])}\n{_outlets(slug, hand['outlets'])}"
        f"---\n\n## Summary\n\n{summary}\n\n## Response\n\n{response}\n"
    )
    return f"{date.year}/{slug}.md", text


def generate_site(root: Path, *, n: int | None = None, seed: int = 0,
                  shape: Shape | None = None) -> Shape:  # fmt: skip
    """Write site.toml and content/cases/<year>/<slug>.md; `n` defaults to the real size.

    The same (shape, n, seed) always gives byte-identical files. Returns the shape used, so
    the caller can say where its distributions came from.
    """
    shape = shape or load_shape()
    n = n or shape.cases
    rng = random.Random(seed)
    plan = _plan(rng, shape, n)
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    cases = root / "content" / "cases"
    for i in range(n):
        relative, text = _case(rng, plan, i)
        path = cases / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return shape


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m site_builder.corpus_real",
        description="Write a site shaped like the real EUvsDisinfo database (invented text).",
    )
    parser.add_argument("root", type=Path, nargs="?", metavar="DIR", help="site root to create")
    parser.add_argument("--n", type=int, help="number of cases (default: the real database's)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--csv", type=Path, help=f"real export to fit (default: {SHARED_CSV})")
    parser.add_argument("--write-shape", action="store_true",
                        help=f"measure --csv and rewrite the built-in {SHAPE_FILE.name}")  # fmt: skip
    args = parser.parse_args(argv)
    if args.write_shape:
        write_shape(measure(args.csv or SHARED_CSV))
    if args.root is not None:
        shape = generate_site(args.root, n=args.n, seed=args.seed, shape=load_shape(args.csv))
        print(f"wrote {args.n or shape.cases} cases into {args.root} ({shape.source})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
