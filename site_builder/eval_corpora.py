"""Independent planted-story corpora: evaluation the related-cases weights cannot be tuned to.

`corpus.py` plants stories one way, and a scorer tuned on it learns that way (the old weights
scored 0.671 of 0.700 there and 0.704 of 0.967 on someone else's corpus). These generators
share no code or vocabulary with it and each makes a different assumption about where a
story's signal lives, so a weight that wins on average has to work on all of them:

- `issue`: the corpus of issue 24 — 3,000 cases in stories of about 8, a quarter of the body
  words from the story, story tags on ~60% of cases, noisy extra tags;
- `body`: the signal is in the body words; tags are mostly noise;
- `metadata`: generic bodies, the signal is in tags, outlets, countries and dates;
- `republished`: one claim re-published by several outlets, near-duplicate texts, while
  stories of one topic share much of their wording;
- `sizes-hubs`: stories of 2 to 40 cases and hub terms ("Ukraine") on 30% of cases.

Cases are built in memory (no files): the scorer sees exactly what content loading gives it.
Words carry English inflections ("-s", "-ed", "-ing") so stemming is measured too. Each
corpus is a pure function of its seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .model import Case, Outlet

_ONSETS = ("b", "br", "d", "dr", "f", "g", "gr", "k", "kl", "m", "n", "p", "pl", "s", "st", "t")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
_CODAS = ("", "", "n", "r", "l", "m", "st", "nd", "x")
_SUFFIXES = ("s", "ed", "ing", "er", "ation")
INFLECTED = 0.3  # share of story and topic words written with a suffix
_FUNCTION = (
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "on",
    "by", "this", "are", "from", "at", "which", "but", "have", "an", "they", "not", "has",
)  # fmt: skip
HUB_WORDS = ("ukraine", "russia", "war", "west")
TOPICS = tuple(f"Topic {c}" for c in "ABCDEFGHIJKLMNOPQRST")
COUNTRIES = tuple(f"Country {i}" for i in range(40))
START = dt.date(2016, 1, 1)
SPAN_DAYS = 3000


@dataclass(frozen=True, slots=True)
class Profile:
    """Where a generator puts the signal. Shares are of body words or of cases."""

    name: str
    sizes: Callable[[random.Random], int]
    story_words: float  # share of body words drawn from the story's own words
    story_tags: float  # share of cases carrying some of the story's tags
    noise_tags: tuple[int, int]  # extra random tags per case
    story_outlets: float  # share of cases published by one of the story's outlets
    story_countries: float
    story_dates: float  # share of cases dated within the story's window (else anywhere)
    hubs: float = 0.0  # share of cases with the hub tag, country and words
    copies: float = 0.0  # >0: cases re-publish one text, changing this share of its words
    topic_words: float = 0.0  # share of body words from the topic's shared vocabulary


def _around(mean: int, spread: int) -> Callable[[random.Random], int]:
    return lambda rng: max(2, rng.randint(mean - spread, mean + spread))


def _log_uniform(low: int, high: int) -> Callable[[random.Random], int]:
    return lambda rng: round(math.exp(rng.uniform(math.log(low), math.log(high))))


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("issue", _around(8, 4), 0.25, 0.6, (1, 3), 0.5, 0.6, 0.7),
        Profile("body", _around(8, 4), 0.3, 0.25, (2, 4), 0.2, 0.3, 0.4),
        Profile("metadata", _around(8, 5), 0.04, 0.85, (0, 2), 0.8, 0.8, 0.85),
        Profile("republished", _around(7, 3), 0.0, 0.4, (1, 3), 0.2, 0.4, 0.8, copies=0.3,
                topic_words=0.35),
        Profile("sizes-hubs", _log_uniform(2, 40), 0.15, 0.6, (1, 3), 0.5, 0.5, 0.6, hubs=0.3),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Story:
    number: int
    words: tuple[str, ...]
    tags: tuple[str, ...]
    topic: int
    countries: tuple[str, ...]
    outlets: tuple[str, ...]
    start: int
    base: tuple[str, ...]  # the re-published text (`copies` profiles only)


@dataclass(frozen=True, slots=True)
class _Pools:
    background: tuple[str, ...]  # Zipf-distributed draws, function words included
    distinct: tuple[str, ...]  # words stories pick from
    topic_words: tuple[tuple[str, ...], ...]
    tags: tuple[str, ...]
    outlets: tuple[str, ...]


def _word(rng: random.Random) -> str:
    syllables = rng.randint(2, 3)
    stem = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
    return stem + rng.choice(_CODAS)


def _words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    found: list[str] = []
    while len(found) < count:
        word = _word(rng)
        if word not in taken:
            taken.add(word)
            found.append(word)
    return found


def _pools(rng: random.Random, n: int) -> _Pools:
    taken: set[str] = set(HUB_WORDS)
    common = [*_FUNCTION, *_words(rng, 5000, taken)]
    weights = [1 / (rank + 1) for rank in range(len(common))]
    topic = tuple(tuple(_words(rng, 150, taken)) for _ in TOPICS)
    return _Pools(
        tuple(rng.choices(common, weights=weights, k=1 << 16)),
        tuple(_words(rng, max(3000, n * 2), taken)),
        topic,
        tuple(w.capitalize() for w in _words(rng, max(200, n // 3), taken)),
        tuple(f"{w.capitalize()} Times" for w in _words(rng, max(40, n // 15), taken)),
    )


def _inflect(rng: random.Random, word: str) -> str:
    return word + rng.choice(_SUFFIXES) if rng.random() < INFLECTED else word


def _story(rng: random.Random, number: int, pools: _Pools, profile: Profile) -> _Story:
    words = tuple(rng.sample(pools.distinct, 30))
    topic = rng.randrange(len(TOPICS))
    base: tuple[str, ...] = ()
    if profile.copies:
        base = tuple(_body_words(rng, words, topic, pools, profile, rng.randint(120, 300)))
    return _Story(
        number,
        words,
        tuple(rng.sample(pools.tags, 4)),
        topic,
        tuple(rng.sample(COUNTRIES, 2)),
        tuple(rng.sample(pools.outlets, 3)),
        rng.randrange(SPAN_DAYS - 90),
        base,
    )


def _body_words(
    rng: random.Random,
    story_words: Sequence[str],
    topic: int,
    pools: _Pools,
    profile: Profile,
    count: int,
) -> list[str]:
    words = []
    for _ in range(count):
        draw = rng.random()
        if draw < profile.story_words:
            words.append(_inflect(rng, rng.choice(story_words)))
        elif draw < profile.story_words + profile.topic_words:
            words.append(_inflect(rng, rng.choice(pools.topic_words[topic])))
        else:
            words.append(rng.choice(pools.background))
    return words


def _copy(rng: random.Random, story: _Story, pools: _Pools, share: float) -> list[str]:
    """The story's text with `share` of its words replaced by other words."""
    return [rng.choice(pools.background) if rng.random() < share else w for w in story.base]


def _sentences(words: Sequence[str]) -> str:
    parts = [" ".join(words[i : i + 12]).capitalize() + "." for i in range(0, len(words), 12)]
    return " ".join(parts)


def _terms(rng: random.Random, story: _Story, pools: _Pools, profile: Profile) -> dict:
    tags = (
        list(rng.sample(story.tags, rng.randint(1, 3))) if rng.random() < profile.story_tags else []
    )
    tags += rng.sample(pools.tags, rng.randint(*profile.noise_tags))
    countries = [rng.choice(story.countries)] if rng.random() < profile.story_countries else []
    countries += [rng.choice(COUNTRIES)] if not countries or rng.random() < 0.3 else []
    outlet = rng.choice(story.outlets) if rng.random() < profile.story_outlets else None
    outlets = [outlet or rng.choice(pools.outlets)]
    if rng.random() < profile.hubs:
        tags.append("Ukraine")
        countries.append("Ukraine")
    topic = story.topic if rng.random() < 0.7 else rng.randrange(len(TOPICS))
    return {
        "tags": tuple(dict.fromkeys(tags)),
        "topics": (TOPICS[topic],),
        "countries": tuple(dict.fromkeys(countries)),
        "outlets": tuple(
            Outlet(o, f"https://example.org/{i}", None) for i, o in enumerate(outlets)
        ),
    }


def _case(rng: random.Random, index: int, story: _Story, pools: _Pools, profile: Profile) -> Case:
    if profile.copies:
        body = _copy(rng, story, pools, profile.copies)
    else:
        body = _body_words(rng, story.words, story.topic, pools, profile, rng.randint(150, 400))
    if rng.random() < profile.hubs:
        body += rng.choices(HUB_WORDS, k=6)
        rng.shuffle(body)
    cut = len(body) * 2 // 5
    title_words = [*rng.sample(story.words, 2), rng.choice(pools.background)]
    # Titles name the story as often as bodies do (at most 60% of them).
    if rng.random() >= 0.6 * min(1.0, profile.story_words / 0.15 + profile.copies):
        title_words = rng.sample(pools.background, 3)
    in_window = rng.random() < profile.story_dates
    days = story.start + rng.randrange(90) if in_window else rng.randrange(SPAN_DAYS)
    return Case(
        slug=f"case-{index:05d}",
        title=" ".join(title_words).capitalize() + f" (case {index})",
        date=START + dt.timedelta(days=days),
        summary=_sentences(body[:cut]),
        response=_sentences(body[cut:]),
        source_path=f"content/cases/case-{index:05d}.md",
        claim=_sentences(body[:10]),
        languages=("English",),
        **_terms(rng, story, pools, profile),
    )


def generate(
    profile: Profile, n: int = 3000, seed: int = 0
) -> tuple[tuple[Case, ...], dict[str, int]]:
    """`n` cases of `profile` with slug -> planted story number; the same seed, the same cases."""
    rng = random.Random(f"{profile.name}:{seed}")
    pools = _pools(rng, n)
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(min(profile.sizes(rng), n - sum(sizes)))
    if sizes[-1] < 2 and len(sizes) > 1:
        last = sizes.pop()
        sizes[-1] += last
    stories = [_story(rng, i, pools, profile) for i in range(len(sizes))]
    order = [i for i, size in enumerate(sizes) for _ in range(size)]
    rng.shuffle(order)
    cases = tuple(_case(rng, i, stories[s], pools, profile) for i, s in enumerate(order))
    return cases, {c.slug: s for c, s in zip(cases, order, strict=True)}
