"""Per-file limits: what one case may hold, so that no file costs more than its share.

Without them one file with 10,000 distinct tags made 8 GB of output (each term page and feed
repeated every tag), a 1 MB title was copied into every listing, and 1 MB of `*a* ` took the
Markdown stage 5-8 s and 450 MB. Each limit is an error with the file's line, and each can be
raised in `site.toml`'s `[limits]` (docs/reliability.md gives the figures behind them).
"""

from __future__ import annotations

from collections.abc import Mapping

from .config import LimitsConfig
from .diagnostics import Diagnostic, error
from .model import FrontMatter

# What the Markdown stage spends its time on: emphasis, links, images, tables, code spans,
# raw HTML, entities, escapes, headings; and lines. Each costs ~2-20 us in markdown-it-py.
MARKUP = frozenset("*_[]!|<>&`\\~#\n")
_MARKUP_TABLE = {ord(c): None for c in MARKUP}


def _line(fm: FrontMatter, key: str) -> int:
    return fm.key_lines.get(key) or 2


def term_problems(
    fm: FrontMatter, terms: Mapping[str, tuple[str, ...]], limits: LimitsConfig
) -> list[Diagnostic]:
    """Each taxonomy (`terms`: name -> distinct values) holds at most `limits.terms` values,
    and all together at most `limits.total_terms`."""
    total = sum(map(len, terms.values()))
    first = min((_line(fm, name) for name, values in terms.items() if values), default=2)
    overall = [
        error(
            fm.path,
            first,
            f"the case has {total} terms in all taxonomies; the limit is {limits.total_terms}",
            "each term is a page and a feed: keep the terms a reader would browse by "
            "([limits] total_terms in site.toml)",
        )
    ]
    return (overall if total > limits.total_terms else []) + [
        error(
            fm.path,
            _line(fm, name),
            f"'{name}' has {len(values)} distinct values; the limit is {limits.terms} per taxonomy",
            "keep the terms a reader would browse by ([limits] terms in site.toml)",
        )
        for name, values in terms.items()
        if len(values) > limits.terms
    ]


def alias_problem(fm: FrontMatter, count: int, limits: LimitsConfig) -> Diagnostic | None:
    """Each alias is a page of its own: a case has a few old URLs, never thousands."""
    if count <= limits.aliases:
        return None
    return error(
        fm.path,
        _line(fm, "aliases"),
        f"'aliases' has {count} entries; the limit is {limits.aliases}",
        "each alias is a redirect page: keep the old URLs readers really used "
        "([limits] aliases in site.toml)",
    )


def length_problems(
    fm: FrontMatter, values: Mapping[str, str | None], limits: LimitsConfig
) -> list[Diagnostic]:
    """`title` and `claim` are copied onto every listing, feed and index: keep them short."""
    caps = {"title": limits.title_chars, "claim": limits.claim_chars}
    return [
        error(
            fm.path,
            _line(fm, name),
            f"'{name}' is {len(value)} characters long; the limit is {caps[name]}",
            f"shorten it; the full text belongs in the body ([limits] {name}_chars in site.toml)",
        )
        for name, value in values.items()
        if value is not None and len(value) > caps[name]
    ]


def markup_problem(fm: FrontMatter, limits: LimitsConfig) -> Diagnostic | None:
    """Refuse a body with more Markdown markup than a real case has by far, before the
    Markdown stage spends seconds on it. Free for ordinary files: a body shorter than the
    limit cannot exceed it."""
    body = fm.body
    if len(body) <= limits.markup:
        return None
    count = len(body) - len(body.translate(_MARKUP_TABLE))
    if count <= limits.markup:
        return None
    return error(
        fm.path,
        fm.body_line + _line_of_nth_markup(body, limits.markup),
        f"the body has {count} Markdown markup characters (*_[]!|<>&`\\~#) and line breaks; "
        f"the limit is {limits.markup}, passed on this line",
        "simplify the markup or split the case ([limits] markup in site.toml)",
    )


def _line_of_nth_markup(body: str, n: int) -> int:
    """0-based line of the body where the `n`-th markup character (counting from 0) is."""
    seen = 0
    for offset, line in enumerate(body.split("\n")):
        seen += sum(1 for c in line if c in MARKUP) + 1  # + its line break
        if seen > n:
            return offset
    return body.count("\n")
