"""A case body as one CommonMark document shown in two parts, Summary and Response.

Rendered apart, the parts were two documents: a link reference definition or a footnote at
the end of the body stayed a literal `[report]` in the Summary, and heading ids were unique
only within a part. Here the parts are parsed together, with a `## Response` line between
them where the file has its own (the split is at a top-level heading, so every block of the
Summary is closed there and the Summary reads as it did), then the token stream is cut at that
heading and each side rendered with the one environment: references and footnotes resolve
across the parts, footnotes are listed once at the end of the Response, heading ids are unique
on the page. Parts that are both plain text with simple links (`markdown._simple`) hold no
references, footnotes or headings, so they keep the fast path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import markdown
from .heading_ids import SKIP_LINE
from .sanitise import clean

_MARKER = "\n\n## Response\n\n"


@dataclass(frozen=True, slots=True)
class RenderedBody:
    summary_html: str
    response_html: str
    # Every link and image target with its 0-based line in the part it was found in: the
    # part's index (0 Summary, 1 Response) and the line within that part's text.
    link_lines: tuple[tuple[str, int, int], ...]


def render_body(summary: str, response: str, *, link_prefix: str, allow_html: bool) -> RenderedBody:
    """Both parts of a case body rendered as one document (see the module docstring)."""
    if markdown._simple(summary) and markdown._simple(response):
        parts = [markdown._simple_render(part, link_prefix) for part in (summary, response)]
        return _body(parts, allow_html, link_prefix)
    return _render_together(summary, response, link_prefix, allow_html)


def _body(parts: list[markdown.Rendered], sanitise: bool, link_prefix: str) -> RenderedBody:
    html = [clean(p.html, link_prefix) if sanitise else p.html for p in parts]
    located = tuple(
        (target, index, line)
        for index, part in enumerate(parts)
        for target, line in part.link_lines
    )
    return RenderedBody(html[0], html[1], located)


def _render_apart(summary: str, response: str, link_prefix: str, allow_html: bool) -> RenderedBody:
    parts = [
        markdown.render(part, link_prefix=link_prefix, allow_html=allow_html)
        for part in (summary, response)
    ]
    return _body(parts, False, link_prefix)  # `render` has sanitised them


def _render_together(
    summary: str, response: str, link_prefix: str, allow_html: bool
) -> RenderedBody:
    md = markdown._parser(allow_html)
    text = summary + _MARKER + response
    split_line = summary.count("\n") + 2  # the marker heading's 0-based line
    env: dict[str, Any] = {SKIP_LINE: split_line}
    tokens = md.parse(text, env)
    cut = next(
        (
            i
            for i, token in enumerate(tokens)
            if token.type == "heading_open" and token.level == 0 and token.map
            and token.map[0] == split_line
        ),
        None,
    )  # fmt: skip
    if cut is None:  # not expected: the file's own Response heading closed every block
        return _render_apart(summary, response, link_prefix, allow_html)
    lines = text.split("\n")
    first_response_line = split_line + 2
    located = tuple(
        (target, 0, line) if line < split_line else (target, 1, line - first_response_line)
        for target, line in markdown._token_links(tokens, lines)
    )
    markdown._rewrite_links(tokens, link_prefix)
    html = [md.renderer.render(part, md.options, env) for part in (tokens[:cut], tokens[cut + 3 :])]
    if allow_html:
        html = [clean(part, link_prefix) for part in html]
    return RenderedBody(html[0], html[1], located)
