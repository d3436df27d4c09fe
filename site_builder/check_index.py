"""The data of "Has this been debunked?" (`/check/`): static files that `static/check.js`
ranks in the reader's browser, with no server and nothing fetched before the page is used.

A pasted post is long (tens of words), so unlike search it needs every word's statistics at
once: one file holds the stemmed vocabulary with per-field term frequencies, every case's
field lengths and date; what results show (slug, title, rating) lives in chunks fetched only
for the cases shown. How cases are ranked: docs/check-and-search.md.

- `check/index.json`: format version, tokeniser configuration, number of cases, average field
  lengths, per case its date (yyyymmdd) and field lengths, and per stem its postings as one
  string (`_postings`: case-number gaps and field term frequencies, 6 bits a character);
  cases are numbered in date order, newest first.
- `check/docs/<k>.json`: [slug, title, date, rating] of cases k*256 ... k*256+255.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from .model import Case, DataFile, SiteModel
from .search_index import encode, searchable_text
from .tokens import TOKEN_RE, Tokeniser, normalise, tokeniser, valid

VERSION = 2
DOCS_PER_CHUNK = 256
FIELDS = ("title", "claim", "body")
TF_CAP = 3
BODY_CHARS = 300


def case_fields(case: Case) -> tuple[str, str, str]:
    """The text of each field, in FIELDS order. The body is the start of Summary + Response
    (BODY_CHARS): what a post resembles is the claim as the Summary states it, not the whole
    debunk, and the whole text would make the file ten times larger (14 MB at 10k cases of
    550 words) and its build a second slower."""
    markdown = f"{case.summary}\n\n{case.response}"
    body = searchable_text(markdown[: 4 * BODY_CHARS])
    if len(body) > BODY_CHARS:
        body = body[:BODY_CHARS].rsplit(" ", 1)[0]
    return case.title, case.claim or "", body


def _field_counts(clean: Callable[[str], str], text: str) -> dict[str, int]:
    """Stem -> count; words are counted first (in C), then each distinct one is cleaned."""
    stems: dict[str, int] = {}
    for word, n in Counter(TOKEN_RE.findall(normalise(text))).items():
        stem = clean(word)
        if stem:
            stems[stem] = stems.get(stem, 0) + n
    return stems


def _counts(tok: Tokeniser, cases: tuple[Case, ...]) -> list[list[dict[str, int]]]:
    cache: dict[str, str] = {}

    def clean(word: str) -> str:
        """The word's stem, "" for a stop word or a fragment; once per distinct word."""
        found = cache.get(word)
        if found is None:
            found = cache[word] = tok.stem(word) if valid(word) else ""
        return found

    return [[_field_counts(clean, text) for text in case_fields(case)] for case in cases]


# 64 characters that JSON strings hold unescaped: a digit is 6 bits.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


def _varint(value: int) -> str:
    """5 bits a character, low bits first; characters 32-63 say that more follow."""
    out = []
    while value >= 32:
        out.append(ALPHABET[32 + (value & 31)])
        value >>= 5
    out.append(ALPHABET[value])
    return "".join(out)


GAPS = [_varint(gap) for gap in range(1024)]


def _postings(counts: list[list[dict[str, int]]]) -> dict[str, str]:
    """Stem -> its postings as one string: per case, the gap since the last case holding the
    stem (`_varint`) and one character `title_tf * 16 + claim_tf * 4 + body_tf` (each tf
    capped at 3: BM25 saturates long before)."""
    postings: dict[str, list[str]] = {}
    last: dict[str, int] = {}
    cap = [0, 1, 2, 3] + [TF_CAP] * 4096
    for number, (title, claim, body) in enumerate(counts):
        for stem in title.keys() | claim.keys() | body.keys():
            code = (
                cap[title.get(stem, 0)] * 16 + cap[claim.get(stem, 0)] * 4 + cap[body.get(stem, 0)]
            )
            gap = number - last.get(stem, -1)
            last[stem] = number
            text = GAPS[gap] if gap < 1024 else _varint(gap)
            postings.setdefault(stem, []).append(text + ALPHABET[code])
    return {stem: "".join(postings[stem]) for stem in sorted(postings)}


def check_order(model: SiteModel) -> tuple[Case, ...]:
    """Newest first, then by slug: the order of the list pages, and of case numbers here."""
    return tuple(sorted(model.cases, key=lambda c: (-c.date.toordinal(), c.slug)))


def check_files(model: SiteModel) -> dict[str, bytes]:
    """Path under `check/` -> bytes."""
    tok = tokeniser(model.language)
    cases = check_order(model)
    counts = _counts(tok, cases)
    lengths = [sum(field.values()) for fields in counts for field in fields]
    n = max(1, len(cases))
    averages = [round(sum(lengths[i::3]) / n, 3) for i in range(3)]
    files: dict[str, bytes] = {}
    for k in range(0, max(1, len(cases)), DOCS_PER_CHUNK):
        rows = [
            [c.slug, c.title, c.date.isoformat(), c.rating] for c in cases[k : k + DOCS_PER_CHUNK]
        ]
        files[f"docs/{k // DOCS_PER_CHUNK}.json"] = encode(rows)
    index = {
        "version": VERSION,
        "tokens": tok.config(),
        "cases": len(cases),
        "chunk": DOCS_PER_CHUNK,
        "digest": check_digest(files),
        "fields": list(FIELDS),
        "averages": averages,
        "dates": [int(c.date.strftime("%Y%m%d")) for c in cases],
        "lengths": lengths,
        "terms": _postings(counts),
    }
    files["index.json"] = encode(index)
    return dict(sorted(files.items()))


def check_digest(files: dict[str, bytes]) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for path, data in sorted(files.items()):
        digest.update(path.encode() + b"\0" + data)
    return digest.hexdigest()


def field_digests(model: SiteModel, slugs: Iterable[str] | None = None) -> dict[str, str]:
    """Slug -> digest of the case's check fields (of every case, or of `slugs`)."""
    cases = model.cases if slugs is None else [model.by_slug[s] for s in slugs]
    return {
        case.slug: hashlib.blake2b(
            "\0".join(case_fields(case)).encode(), digest_size=12
        ).hexdigest()
        for case in cases
    }


def check_outputs(cases: int) -> Iterator[str]:
    """Every output path of these files for a site of `cases` cases (for collision checks)."""
    yield "check/index.json"
    yield from (f"check/docs/{k}.json" for k in range(-(-max(1, cases) // DOCS_PER_CHUNK)))


def plan_check(model: SiteModel) -> Iterator[DataFile]:
    """The files as outputs of the plan (the page itself is a template page)."""
    for path, data in check_files(model).items():
        yield DataFile(f"check/{path}", data, "content/cases")
