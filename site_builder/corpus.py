"""Synthetic debunk corpus for benchmarks and for measuring the related-cases graph.

Real content is small (the starter site has ~50 cases) and we cannot publish a big real database
in the repository, so scale and quality are measured on generated sites. The generator plants
*stories*: groups of cases about the same narrative that share wording, a topic and some terms,
with noise (stray tags, off-story topics, unrelated dates). `stories()` returns which story each
case came from, so a graph's precision can be measured against the planted truth.

Everything comes from one `random.Random(seed)`: the plan (stories, metadata) is drawn first and
the texts after it, so `stories()` can replay the plan without generating any text. Pseudo-words
keep the text free of accidental real-world meaning; common English stop words are mixed in at
Zipf-like frequencies so tokenisers and stop-word lists are exercised as on real text.

    python -m site_builder.corpus DIR --n 10000 [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

STOP_WORDS = (
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by",
    "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an",
    "they", "you", "were", "her", "she", "there", "been", "one", "all", "we", "their", "has",
    "would", "when", "if", "so", "no", "will", "more", "out", "up", "into", "do", "any", "who",
    "what", "its", "than", "about", "can", "only", "other", "also", "these", "some", "could", "them",
)  # fmt: skip
COMMON_TAGS = ("Ukraine", "NATO", "EU", "elections", "war", "sanctions", "vaccines", "migration")
TOPICS = (
    "Elections", "Health", "Climate", "Energy", "Migration", "Security", "Economy", "Science",
    "History", "Media", "Religion", "Food", "Technology", "Finance", "Transport", "Education",
)  # fmt: skip
COUNTRIES = (
    "Ukraine", "Germany", "Poland", "France", "Italy", "Spain", "Lithuania", "Latvia", "Estonia",
    "Finland", "Sweden", "Moldova", "Georgia", "Armenia", "Hungary", "Slovakia", "Czechia",
    "Romania", "Bulgaria", "Serbia", "Austria", "Belgium", "Netherlands", "Norway", "Denmark",
    "Greece", "Portugal", "Ireland", "Croatia", "Slovenia", "United Kingdom", "United States",
)  # fmt: skip
LANGUAGES = (
    "Russian", "English", "German", "French", "Polish", "Spanish", "Italian", "Ukrainian",
    "Lithuanian", "Latvian", "Estonian", "Romanian", "Hungarian", "Czech", "Slovak", "Bulgarian",
    "Serbian", "Georgian", "Armenian", "Arabic",
)  # fmt: skip
SYLLABLES = (
    "ka", "ri", "to", "mu", "le", "sa", "no", "vi", "de", "ra", "lo", "mi", "ta", "be", "ko", "si",
    "pa", "ne", "du", "ve", "ga", "ro", "fi", "zu", "la", "ma", "te", "bo", "ni", "po", "ru", "se",
    "ly", "da", "ke", "vo", "ha",
)  # fmt: skip
START = dt.date(2015, 1, 1)
SPAN_DAYS = 3650
STORY_WORDS = 40
BACKGROUND_WORDS = 6000
SENTENCE_LENGTHS = tuple(range(6, 19))
PARAGRAPH_SIZES = (3, 4, 5, 6)


@dataclass(frozen=True, slots=True)
class Story:
    """A narrative that several cases repeat: its own words, terms and time window."""

    number: int
    words: tuple[str, ...]
    tags: tuple[str, ...]
    topic: str
    countries: tuple[str, ...]
    outlets: tuple[str, ...]
    start: int


@dataclass(frozen=True, slots=True)
class CaseSpec:
    """Everything about one generated case except its text."""

    slug: str
    story: int
    title: str
    claim: str
    date: dt.date
    tags: tuple[str, ...]
    topics: tuple[str, ...]
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    outlets: tuple[str, ...]
    related: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Vocab:
    """Zipf-weighted pools; cumulative weights make `rng.choices` O(log n) per draw."""

    words: tuple[str, ...]
    # Distinctive words (names, places, jargon) that stories pick from; grows with the site so a
    # story word stays rare, as real vocabularies do (Heaps' law).
    story_pool: tuple[str, ...]
    # Zipf draws made once; uniform picks from it are Zipf too and skip a bisect per word.
    word_table: tuple[str, ...]
    tags: tuple[str, ...]
    tag_cum: tuple[float, ...]
    outlets: tuple[str, ...]
    outlet_cum: tuple[float, ...]


def _zipf_cum(size: int, exponent: float = 1.0) -> tuple[float, ...]:
    return tuple(itertools.accumulate(1 / (rank**exponent) for rank in range(1, size + 1)))


def _pseudo_words(rng: random.Random, count: int, syllables: tuple[int, int]) -> list[str]:
    """`count` distinct pronounceable lowercase words (letters only, so slugs stay clean)."""
    seen: set[str] = set()
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choices(SYLLABLES, k=rng.randint(*syllables)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _vocab(rng: random.Random, n: int) -> _Vocab:
    """Pools that grow with the site, like a real database's tag list does."""
    words = [*STOP_WORDS, *_pseudo_words(rng, BACKGROUND_WORDS + n // 4, (2, 4))]
    story_pool = _pseudo_words(rng, max(2000, n), (3, 4))
    tag_words = _pseudo_words(rng, min(30_000, max(60, n // 4)), (2, 3))
    tags = [*COMMON_TAGS, *(w if i % 3 else f"{w} plan" for i, w in enumerate(tag_words))]
    outlet_words = _pseudo_words(rng, min(10_000, max(20, n // 20)), (2, 3))
    outlets = [
        f"{w.capitalize()} {rng.choice(('News', 'Daily', 'Post', 'TV'))}" for w in outlet_words
    ]
    return _Vocab(
        tuple(words),
        tuple(story_pool),
        tuple(rng.choices(words, cum_weights=_zipf_cum(len(words)), k=1 << 17)),
        tuple(tags),
        _zipf_cum(len(tags), 0.9),
        tuple(outlets),
        _zipf_cum(len(outlets), 0.8),
    )


def _distinct(rng: random.Random, pool: Sequence[str], cum: Sequence[float], k: int) -> list[str]:
    """Up to `k` distinct Zipf draws, in draw order (a few retries, never an endless loop)."""
    picked = rng.choices(pool, cum_weights=cum, k=k * 3)
    return list(dict.fromkeys(picked))[:k]


def _story(rng: random.Random, number: int, vocab: _Vocab, used: set[str]) -> Story:
    words = tuple(rng.sample(vocab.story_pool, STORY_WORDS))
    tags = _distinct(rng, vocab.tags[len(COMMON_TAGS) :], vocab.tag_cum[: -len(COMMON_TAGS)], 3)
    own = next(w for w in words if w not in used)
    used.add(own)
    return Story(
        number,
        words,
        (*tags, own),
        rng.choice(TOPICS),
        tuple(rng.sample(COUNTRIES, rng.randint(1, 2))),
        tuple(_distinct(rng, vocab.outlets, vocab.outlet_cum, 2)),
        rng.randrange(SPAN_DAYS - 120),
    )


def _story_sizes(rng: random.Random, n: int) -> list[int]:
    """Stories of 2 to 12 cases (mostly small), filling exactly `n` cases."""
    sizes: list[int] = []
    left = n
    while left > 0:
        size = min(left, max(2, min(12, int(rng.paretovariate(1.3) * 2))))
        sizes.append(size)
        left -= size
    return sizes


def _mix(rng: random.Random, own: Sequence[str], pool: Sequence[str], k: int) -> tuple[str, ...]:
    """Mostly the story's terms, sometimes a stray one: noise that a scorer must survive."""
    picked = rng.sample(list(own), min(len(own), k))
    if rng.random() < 0.5:
        picked[-1] = rng.choice(pool)
    return tuple(dict.fromkeys(picked))


def _case_spec(
    rng: random.Random, index: int, story: Story, vocab: _Vocab, earlier: list[str]
) -> CaseSpec:
    words = rng.sample(story.words, 4)
    slug = f"{words[0]}-{words[1]}-{words[2]}-{index}"
    noise_tags = _distinct(rng, vocab.tags, vocab.tag_cum, 6)
    own_tags = rng.sample(story.tags, rng.randint(2, 4))
    tags = tuple(dict.fromkeys([*own_tags, *noise_tags]))[: len(own_tags) + rng.randint(1, 4)]
    topic = story.topic if rng.random() < 0.85 else rng.choice(TOPICS)
    topics = (topic,) if rng.random() < 0.7 else tuple(dict.fromkeys((topic, rng.choice(TOPICS))))
    countries = _mix(rng, story.countries, COUNTRIES, rng.randint(1, 3))
    outlets = _mix(rng, story.outlets, vocab.outlets, rng.randint(1, 3))
    languages = tuple(dict.fromkeys(rng.choices(LANGUAGES[:8], k=rng.randint(1, 3))))
    offset = story.start + rng.randrange(120) if rng.random() < 0.8 else rng.randrange(SPAN_DAYS)
    related = tuple(rng.sample(earlier, min(len(earlier), rng.randint(1, 2))))
    return CaseSpec(
        slug,
        story.number,
        f"{' '.join(words).capitalize()} claim number {index}",
        f"A claim that {words[0]} {words[1]} caused {words[2]} and {words[3]}.",
        START + dt.timedelta(days=offset),
        tags,
        topics,
        countries,
        languages,
        outlets,
        related if earlier and rng.random() < 0.3 else (),
    )


def _plan(rng: random.Random, n: int) -> tuple[_Vocab, dict[int, Story], list[CaseSpec]]:
    """Stories and case metadata; cases of one story are spread through the sequence."""
    vocab = _vocab(rng, n)
    sizes = _story_sizes(rng, n)
    used: set[str] = set()
    stories = {i: _story(rng, i, vocab, used) for i in range(len(sizes))}
    order = [i for i, size in enumerate(sizes) for _ in range(size)]
    rng.shuffle(order)
    specs: list[CaseSpec] = []
    earlier: dict[int, list[str]] = {i: [] for i in stories}
    for index, number in enumerate(order):
        spec = _case_spec(rng, index, stories[number], vocab, earlier[number])
        earlier[number].append(spec.slug)
        specs.append(spec)
    return vocab, stories, specs


def _sentences(rng: random.Random, words: list[str]) -> str:
    """Words into sentences of 6-18 words, in paragraphs of 3-6 sentences.

    Lengths are drawn in one batch: a call per sentence would dominate the generator's time.
    """
    lengths = rng.choices(SENTENCE_LENGTHS, k=len(words) // 6 + 1)
    sentences: list[str] = []
    at = 0
    for length in lengths:
        if at >= len(words):
            break
        sentences.append(" ".join(words[at : at + length]).capitalize() + ".")
        at += length
    sizes = rng.choices(PARAGRAPH_SIZES, k=len(sentences) // 3 + 1)
    starts = list(itertools.accumulate(sizes, initial=0))
    return "\n\n".join(
        " ".join(sentences[a:b]) for a, b in itertools.pairwise(starts) if a < len(sentences)
    )


def _text(rng: random.Random, story: Story, vocab: _Vocab, count: int) -> str:
    """A quarter story words (every fourth word), the rest Zipf background with stop words."""
    own = rng.choices(story.words, k=count // 4)
    background = rng.choices(vocab.word_table, k=3 * len(own))
    mixed = itertools.chain.from_iterable(
        zip(background[0::3], background[1::3], background[2::3], own, strict=True)
    )
    return _sentences(rng, list(mixed))


def _yaml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _sources(spec: CaseSpec) -> str:
    """Real responses cite their sources: links (one internal when there is an editor link)
    and some emphasis, so the benchmark pays for inline Markdown like a real site does."""
    first = spec.outlets[0].split()[0].lower() if spec.outlets else "outlet"
    line = (
        f"Sources: [the *original* article](https://{first}.example/{spec.slug}) and "
        f"[an archived copy](https://archive.example/{spec.slug}-0)."
    )
    if spec.related:
        line += f" See also [an earlier case](/cases/{spec.related[0]}/)."
    return line


def _render(rng: random.Random, spec: CaseSpec, story: Story, vocab: _Vocab) -> str:
    sources = _sources(spec)
    # 410, not 400: each text rounds its word count down to a multiple of four.
    total = rng.randint(410, 700) - len(re.findall(r"\w+", sources))
    summary = _text(rng, story, vocab, total * 2 // 5)
    response = _text(rng, story, vocab, total - total * 2 // 5) + "\n\n" + sources
    outlets = "".join(
        f"  - name: {name}\n"
        f"    url: https://{name.split()[0].lower()}.example/{spec.slug}\n"
        f"    archived: https://archive.example/{spec.slug}-{i}\n"
        for i, name in enumerate(spec.outlets)
    )
    related = f"related: {_yaml_list(spec.related)}\n" if spec.related else ""
    return (
        f'---\ntitle: "{spec.title}"\ndate: {spec.date.isoformat()}\nclaim: "{spec.claim}"\n'
        f"tags: {_yaml_list(spec.tags)}\ntopics: {_yaml_list(spec.topics)}\n"
        f"countries: {_yaml_list(spec.countries)}\nlanguages: {_yaml_list(spec.languages)}\n"
        f"outlets:\n{outlets}{related}---\n\n## Summary\n\n{summary}\n\n## Response\n\n{response}\n"
    )


SITE_TOML = 'title = "Synthetic Debunks"\nbase_url = "https://example.org/"\n'


def generate_site(root: Path, n: int, *, seed: int = 0) -> None:
    """Write a complete site (site.toml + content/cases/<year>/<slug>.md) with `n` cases.

    The same (n, seed) always gives byte-identical files. Existing files are overwritten;
    `root` is created if needed.
    """
    rng = random.Random(seed)
    vocab, stories, specs = _plan(rng, n)
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    made: set[Path] = set()
    for spec in specs:
        folder = root / "content" / "cases" / str(spec.date.year)
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        text = _render(rng, spec, stories[spec.story], vocab)
        (folder / f"{spec.slug}.md").write_text(text, encoding="utf-8")


def stories(n: int, *, seed: int = 0) -> dict[str, int]:
    """slug -> planted story number for `generate_site(root, n, seed=seed)`, without any I/O."""
    _, _, specs = _plan(random.Random(seed), n)
    return {spec.slug: spec.story for spec in specs}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m site_builder.corpus",
        description="Write a synthetic site with planted story clusters (for benchmarks).",
    )
    parser.add_argument("root", type=Path, metavar="DIR", help="site root to create")
    parser.add_argument("--n", type=int, default=1000, help="number of cases (default: 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    generate_site(args.root, args.n, seed=args.seed)
    print(f"wrote {args.n} cases into {args.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
