"""Heading ids for a rendered body: unique on the page, never one the theme's templates use.

mdit-py-plugins' anchors plugin keeps its set of taken ids to itself, so a body heading
"Main" became `id="main"`, the skip link's target, and two parts rendered apart could both
hold `id="sources"`. This core rule does the same slugging (GitHub's, through the plugin's
`slugify`) over the whole document, with the template ids and the footnote ids taken in
advance; a clash gets `-1`, `-2` ... as duplicates always did. A body link to a heading's
natural slug (`[see](#main)` next to a "Main" heading) follows the heading to its new id.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

# Every literal id in templates/ (a test greps them); a body heading must not take any.
TEMPLATE_IDS = frozenset(
    {
        "main",
        "list-heading",
        "summary-heading",
        "response-heading",
        "outlets-heading",
        "terms-heading",
        "related-heading",
        "browse-heading",
        "filters-active",
        "filters-details",
        "filters-heading",
        "results-heading",
        "search-app",
        "search-facets",
        "search-fallback",
        "search-filters",
        "search-form",
        "search-hint",
        "search-list",
        "search-pages",
        "search-q",
        "search-results",
        "search-status",
        "search-suggest",
        "check-claim",
        "check-form",
        "check-heading",
        "check-hint",
        "check-results",
        "check-seen",
        "check-status",
    }
)
# Ids made from a template expression (`cluster-{{ n }}`) or by the footnote renderer.
_GENERATED = re.compile(r"cluster-\d+|fn(?:ref)?\d+(?::\d+)?|fn(?:ref)?-.+-\d+(?::\d+)?")
LEVELS = ("h2", "h3", "h4")
SKIP_LINE = "heading_ids_skip_line"  # env key: a heading line that gets no id (a split marker)


def _taken(slug: str, used: set[str]) -> bool:
    return slug in used or slug in TEMPLATE_IDS or _GENERATED.fullmatch(slug) is not None


def unique_id(slug: str, used: set[str], tried: dict[str, int] | None = None) -> str:
    """`slug`, or `slug-1`, `slug-2` ... : the first that nothing on the page holds yet.

    `tried` remembers, per slug, the last number found taken: `used` only grows, so the
    search resumes there. Without it 5,000 headings of one text (two short lines each, well
    within the markup limit) cost 12 million look-ups, seconds for one file.
    """
    base = slug or "section"  # a heading of punctuation only; id="" is not valid HTML
    number = tried.get(base, 0) if tried is not None else 0
    candidate = f"{base}-{number}" if number else base
    while _taken(candidate, used):
        number += 1
        candidate = f"{base}-{number}"
    if tried is not None:
        tried[base] = number
    used.add(candidate)
    return candidate


def _title(inline: Token) -> str:
    return "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))


def heading_ids(state: StateCore) -> None:
    """markdown-it core rule: set the id of every h2-h4, then repoint fragment links."""
    from mdit_py_plugins.anchors.index import slugify

    tokens = state.tokens
    used = _raw_html_ids(tokens)
    tried: dict[str, int] = {}
    moved: dict[str, str] = {}
    skip = state.env.get(SKIP_LINE)
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag not in LEVELS:
            continue
        if skip is not None and token.map and token.map[0] == skip:
            continue
        slug = slugify(_title(tokens[index + 1]))
        found = unique_id(slug, used, tried)
        token.attrSet("id", found)
        if found != slug and slug in TEMPLATE_IDS:
            moved.setdefault(slug, found)
    if moved:
        _repoint(tokens, moved)


# A start tag in raw HTML, and an id attribute in it (the sanitiser parses it all again later).
_START_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_ID_ATTRIBUTE = re.compile(r"""(\s)id\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""", re.IGNORECASE)


def _raw_html_ids(tokens: list[Token]) -> set[str]:
    """The ids raw HTML (allow_html) keeps, which headings must then avoid.

    A raw id that a footnote or the graph generates, or that raw HTML already used, is
    dropped: it would be a second element with that id and take the footnote links.
    """
    used: set[str] = set()

    def keep(match: re.Match[str]) -> str:
        value = match[2].strip("\"'")
        if value in used or _GENERATED.fullmatch(value) or value in TEMPLATE_IDS:
            return match[1]
        used.add(value)
        return match[0]

    def tag(match: re.Match[str]) -> str:
        return _ID_ATTRIBUTE.sub(keep, match[0])

    for token in tokens:
        for raw in (token, *(token.children or ())):
            if raw.type in ("html_block", "html_inline") and "id" in raw.content.lower():
                raw.content = _START_TAG.sub(tag, raw.content)
    return used


def _repoint(tokens: list[Token], moved: dict[str, str]) -> None:
    for token in tokens:
        for child in token.children or ():
            href = child.attrGet("href") if child.type == "link_open" else None
            if isinstance(href, str) and href.startswith("#") and href[1:] in moved:
                child.attrSet("href", "#" + moved[href[1:]])
