"""The data of "Has this been debunked?" (`/check/`): static files that `static/check.js`
ranks in the reader's browser, with no server and nothing fetched before the page is used.

A pasted post is long (tens of words), so unlike search it needs every word's statistics at
once: one file holds the stemmed vocabulary with per-field term frequencies, every case's
field lengths and date; what results show (slug, title, rating) lives in chunks fetched only
for the cases shown. How cases are ranked: docs/check-and-search.md.

- `check/index.json`: format version, tokeniser configuration, number of cases, average field
  lengths, per case its date (yyyymmdd) and field lengths, and per stem its postings as one
  flat list of numbers, `gap * 512 + title_tf * 64 + claim_tf * 8 + body_tf` (each tf capped
  at 7), gaps between case numbers (cases in date order, newest first).
- `check/docs/<k>.json`: [slug, title, date, rating] of cases k*256 ... k*256+255.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator

from .model import Case, DataFile, SiteModel
from .search_index import encode, searchable_text
from .tokens import Tokeniser, tokeniser

VERSION = 1
DOCS_PER_CHUNK = 256
FIELDS = ("title", "claim", "body")
TF_CAP = 7


def case_fields(case: Case) -> tuple[str, str, str]:
    """The text of each field, in FIELDS order."""
    body = searchable_text(f"{case.summary}\n\n{case.response}")
    return case.title, case.claim or "", body


def _counts(tok: Tokeniser, cases: tuple[Case, ...]) -> list[list[Counter[str]]]:
    return [[Counter(tok.tokens(text)) for text in case_fields(case)] for case in cases]


def _postings(counts: list[list[Counter[str]]]) -> dict[str, list[int]]:
    """Stem -> flat list of gap-and-tf codes, in case order."""
    postings: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    for number, fields in enumerate(counts):
        title, claim, body = fields
        for stem in sorted(set(title) | set(claim) | set(body)):
            code = (
                min(title[stem], TF_CAP) * 64
                + min(claim[stem], TF_CAP) * 8
                + min(body[stem], TF_CAP)
            )
            gap = number - last.get(stem, -1)
            last[stem] = number
            postings.setdefault(stem, []).append(gap * 512 + code)
    return dict(sorted(postings.items()))


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


def check_outputs(cases: int) -> Iterator[str]:
    """Every output path of these files for a site of `cases` cases (for collision checks)."""
    yield "check/index.json"
    yield from (f"check/docs/{k}.json" for k in range(-(-max(1, cases) // DOCS_PER_CHUNK)))


def plan_check(model: SiteModel) -> Iterator[DataFile]:
    """The files as outputs of the plan (the page itself is a template page)."""
    for path, data in check_files(model).items():
        yield DataFile(f"check/{path}", data, "content/cases")
