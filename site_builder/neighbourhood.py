"""The per-case neighbourhood picture: the case and its related cases as a labelled star.

Inline SVG, no script: each related case is a link with a short label (its full title in a
tooltip, and in a caption line while it is hovered or focused), and the width of its edge
shows the score. The list below the picture carries the same links and reasons as text,
which is what screen readers get first; the picture is a group of the same links.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from html import escape

from .model import Case, RelatedEntry, SiteModel

WIDTH, HEIGHT = 360, 320
CX, CY, RX, RY = 180, 150, 120, 92
LABEL_CHARS = 17
CAPTION_CHARS = 52


def short_title(title: str, size: int = LABEL_CHARS) -> str:
    """At most `size` characters, cut at a word where one is close, with an ellipsis."""
    if len(title) <= size:
        return title
    cut = title[: size - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space >= size // 3 else cut).rstrip(" ,.;:") + "…"


def _caption(title: str, size: int = CAPTION_CHARS) -> list[str]:
    """A title in up to two lines of `size` characters (a very long one ends in "…")."""
    words, lines, line = title.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > size:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], short_title(" ".join(lines[1:]), size)]
    return [short_title(line, size) for line in lines]


@functools.cache
def spots(count: int) -> tuple[tuple[float, float], ...]:
    """Where `count` neighbours sit around the centre, clockwise from the top."""
    return tuple(
        (
            round(CX + RX * math.cos(-math.pi / 2 + 2 * math.pi * i / count), 1),
            round(CY + RY * math.sin(-math.pi / 2 + 2 * math.pi * i / count), 1),
        )
        for i in range(count)
    )


def _text(x: float, y: float, lines: Sequence[str], kind: str) -> str:
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if i == 0 else 1.2}em">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text class="{kind}" x="{x}" y="{y}">{spans}</text>'


def _node(entry: RelatedEntry, title: str, spot: tuple[float, float], rank: int) -> str:
    x, y = spot
    label = _caption(title, LABEL_CHARS)
    label_y = y + 24 if y >= CY else y - 16 - 15 * (len(label) - 1)
    caption = _text(CX, HEIGHT - 26, _caption(title), "nb-full")
    return (
        f'<a class="nb-link" href="../{escape(entry.slug)}/">'
        f"<title>{rank}. {escape(title)}</title>"
        f'<circle class="nb-node" cx="{x}" cy="{y}" r="11"/>'
        f"{_text(x, label_y, label, 'nb-label')}{caption}</a>"
    )


def neighbourhood_svg(model: SiteModel, case: Case) -> str:
    """The picture of `case` and its related cases; empty without related cases.

    Solid edges are editor's picks, dashed ones computed; an edge's width grows with its
    score (relative to the strongest). Related cases related to each other are joined by
    thin lines.
    """
    entries = model.graph.of(case.slug)
    if not entries:
        return ""
    at = dict(zip((e.slug for e in entries), spots(len(entries)), strict=True))
    top = max(e.score for e in entries) or 1.0
    side = sorted(
        {
            tuple(sorted((e.slug, o.slug)))
            for e in entries
            for o in model.graph.of(e.slug)
            if o.slug in at
        }
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="neighbourhood" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="group" aria-labelledby="nb-title">',
        f'<title id="nb-title">Picture: “{escape(case.title)}” and its '
        f"{len(entries)} related case{'s' * (len(entries) != 1)}; thicker lines mean stronger links</title>",
    ]
    for a, b in side:
        (x1, y1), (x2, y2) = at[a], at[b]
        parts.append(f'<line class="nb-side" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    for e in entries:
        x, y = at[e.slug]
        kind = "nb-editor" if e.editor else "nb-computed"
        width = round(1 + 5 * min(e.score, top) / top, 2)
        parts.append(
            f'<line class="{kind}" x1="{CX}" y1="{CY}" x2="{x}" y2="{y}" stroke-width="{width}"/>'
        )
    parts.append(f'<circle class="nb-self" cx="{CX}" cy="{CY}" r="14"/>')
    parts.append(_text(CX, CY + 30, [short_title(case.title, 24)], "nb-label nb-centre"))
    for rank, e in enumerate(entries, start=1):
        other = model.by_slug.get(e.slug)
        parts.append(_node(e, other.title if other else e.slug, at[e.slug], rank))
    parts.append("</svg>")
    return "".join(parts)
