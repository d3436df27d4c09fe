"""Markdown -> HTML and plain text, as pure functions over markdown-it-py.

CommonMark plus tables, footnotes and heading anchors. Raw HTML is escaped unless the site
allows it, in which case the output goes through nh3 (ammonia) so no script survives.
Root-relative links (`/cases/x/`) are rewritten with a prefix so they keep working when the
site is served from a sub-path or opened from disk.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

# markdown-it-py, its plugins and nh3 are imported where a text needs them: most case texts
# take the simple path below, and a one-edit rebuild would pay 20 ms to import them.
if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

from .sanitise import clean

SECTION_NAMES = ("summary", "response")


def _escape_html(raw: str) -> str:
    """markdown-it-py's `escapeHtml` (& < > and double quotes), without importing markdown-it
    for texts that never reach its tokenizer; a test holds the two equal."""
    return (
        raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    text: str
    links: tuple[str, ...]
    # Each link and image target with its 0-based line in `text`, for the link checker.
    link_lines: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Sections:
    """The two required parts of a case body, each with its 1-based line in the file."""

    summary: str
    summary_line: int
    response: str
    response_line: int


@lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    from .heading_ids import heading_ids

    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable("table")
    md.use(footnote_plugin)
    md.core.ruler.push("heading_ids", heading_ids)  # h2-h4, unique beside the template's ids
    return md


@lru_cache(maxsize=1)
def _section_parser() -> MarkdownIt:
    """Block structure only: finding the two headings needs no inline parsing (half the cost)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    md.disable("inline")
    return md


def _rewrite_links(tokens: Sequence[Token], prefix: str) -> list[str]:
    links: list[str] = []
    for token in tokens:
        if token.children:
            links += _rewrite_links(token.children, prefix)
        attr = "href" if token.type == "link_open" else "src" if token.type == "image" else None
        if attr is None:
            continue
        target = str(token.attrGet(attr) or "")
        links.append(target)
        if target.startswith("/") and not target.startswith("//"):
            token.attrSet(attr, prefix + target.lstrip("/"))
    return links


def _plain_text(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            parts.append(" ")
        elif token.type in ("code_block", "fence"):
            parts.append(token.content)
    return " ".join("".join(parts).split())


# Text that is only paragraphs of words: every line is empty or starts with a letter, has no
# trailing space, and holds letters, digits, spaces and punctuation that is markup only at the
# start of a line (where a letter stands) or not at all. No block or inline rule can fire on it.
# Markup (*_[]<>&`\|~), tabs, CR, NUL and other spaces are outside the set; '_' is in \w.
_PLAIN_CHARS = re.compile(r"[\w\n ,.;:'\"?!()%/$+=@#-]*")
_PLAIN_ASCII = (string.ascii_letters + string.digits + "\n ,.;:'\"?!()%/$+=@#-").encode()
_BAD_LINE_START = re.compile(r"\n(?![^\W\d_]|\n|\Z)")  # after a '\n': a letter, '\n' or the end


def _is_plain(text: str) -> bool:
    """Whether `text` is plain paragraphs (see above); checks that run in C, the first by a
    byte table when the text is ASCII (ten times the regular expression's speed)."""
    if text.isascii():
        chars = not text.encode().translate(None, _PLAIN_ASCII)
    else:
        chars = _PLAIN_CHARS.fullmatch(text) is not None and "_" not in text
    return (
        chars
        and " \n" not in text  # a trailing space; two make a hard break
        and not text.endswith(" ")
        and _BAD_LINE_START.search("\n" + text) is None
    )


# Within such paragraphs, the two inline constructs that real responses use most: a link
# `[label](target)` and emphasis `*words*`. The grammar is narrow enough that markdown-it reads
# it one way only: a label is plain characters on one line (with emphasis), a target is an
# http(s) URL (a host as `_HOST` says, a port, then '/', '?' or '#') or a root-relative path
# of characters that markdown-it neither decodes nor percent-encodes, emphasis holds letters,
# digits and single-line spaces, starts and ends with a letter or digit (so its stars are
# flanking) and is not next to another star. Any '*', '[', ']' or '![' left over once these are
# taken out sends the text to markdown-it. Both branches start with a literal, so the regular
# expression engine skips to candidates.
_EM_TEXT = r"[^\W_](?:(?:[^\W_]| )*[^\W_])?"
_EM = r"\*(?<!\*\*)(" + _EM_TEXT + r")\*(?!\*)"
_LABEL = r"(?:[^\W_]|[ ,.;:'\"?!()%/$+=@#-]|\*(?<!\*\*)" + _EM_TEXT + r"\*(?!\*))+"
# A host mdurl keeps as written: at most 255 characters, no label longer than 63 (it empties
# a longer host, and moves the rest of a long label behind the port).
_HOST = r"(?=[A-Za-z0-9.-]{1,255}(?![A-Za-z0-9.-]))(?:[A-Za-z0-9-]{0,63}\.)*[A-Za-z0-9-]{0,63}"
_INLINE = re.compile(
    r"\[("
    + _LABEL
    + r")\]\(((?:https?://"
    + _HOST
    + r"(?::[0-9]+)?(?=[/?#)])|/(?!/))[A-Za-z0-9._~/:?=#-]*)\)|"
    + _EM
)
_EMPHASIS = re.compile(_EM)


def _marked_from(text: str) -> int:
    """Where the paragraph holding the first '[' or '*' starts (len(text) if none): the part
    before it is words only."""
    first = min((i for i in (text.find("["), text.find("*")) if i >= 0), default=-1)
    return len(text) if first < 0 else text.rfind("\n", 0, first) + 1


def _simple(text: str) -> bool:
    """Whether `text` is plain paragraphs (see `_is_plain`) apart from simple links and
    emphasis (see `_INLINE`)."""
    start = _marked_from(text)
    return "![" not in text and _is_plain(text[:start] + _INLINE.sub("x", text[start:]))


def _inline(block: str, prefix: str, links: list[str], words: list[str]) -> str:
    """A paragraph's HTML; its link targets go to `links`, its words as read to `words`."""
    parts: list[str] = []
    start = 0
    for match in _INLINE.finditer(block):
        label, target, emphasis = match.groups()
        before = block[start : match.start()]
        parts.append(_escape_html(before))
        if emphasis is not None:
            parts.append("<em>" + _escape_html(emphasis) + "</em>")
            words += (before, emphasis)
        else:
            links.append(target)
            href = prefix + target[1:] if target.startswith("/") else target
            inner = _EMPHASIS.sub(r"<em>\1</em>", _escape_html(label))
            parts.append('<a href="' + _escape_html(href) + '">' + inner + "</a>")
            words += (before, _EMPHASIS.sub(r"\1", label))
        start = match.end()
    parts.append(_escape_html(block[start:]))
    words += (block[start:], " ")
    return "".join(parts)


def _simple_render(text: str, prefix: str) -> Rendered:
    """markdown-it's result for text that is `_simple`: <p> blocks, soft breaks as newlines,
    links rewritten as `_rewrite_links` does and located as `_token_links` does. Tokenising
    such text was most of compiling a case; a property test checks the two agree."""
    lines = text.split("\n")
    html: list[str] = []
    links: list[str] = []
    words: list[str] = []
    located: list[tuple[str, int]] = []
    start: int | None = None  # first line of the paragraph being read
    for number, line in enumerate([*lines, ""]):
        if line or start is None:
            start = number if line and start is None else start
            continue
        block = "\n".join(lines[start:number])
        if "[" in block or "*" in block:
            found = len(links)
            html += ("<p>", _inline(block, prefix, links, words), "</p>\n")
            for target in links[found:]:
                located.append(
                    (target, next(n for n in range(start, number) if target in lines[n]))
                )
        else:
            html += ("<p>", _escape_html(block), "</p>\n")
            words += (block, " ")
        start = None
    return Rendered("".join(html), " ".join("".join(words).split()), tuple(links), tuple(located))


def render(
    text: str, *, link_prefix: str = "/", allow_html: bool = False, doc_id: str = ""
) -> Rendered:
    """Render Markdown; `link_prefix` replaces the leading '/' of root-relative links."""
    if _simple(text):  # paragraphs of words, simple links and emphasis: skip the tokenizer
        rendered = _simple_render(text, link_prefix)
        if allow_html:
            rendered = replace(rendered, html=clean(rendered.html, link_prefix))
        return rendered
    md = _parser(allow_html)
    env: dict[str, Any] = {"docId": doc_id} if doc_id else {}
    tokens = md.parse(text, env)
    located = tuple(_token_links(tokens, text.split("\n")))  # before targets are rewritten
    links = _rewrite_links(tokens, link_prefix)
    html = md.renderer.render(tokens, md.options, env)
    if allow_html:
        html = clean(html, link_prefix)
    return Rendered(html, _plain_text(tokens), tuple(links), located)


def _token_links(tokens: Sequence[Token], lines: list[str]) -> list[tuple[str, int]]:
    """(target, 0-based line) of every link and image. The line is the first line of the
    link's block that holds the target, else the first line anywhere that does (a reference
    definition), else the block's first line."""
    found: list[tuple[str, int]] = []
    for token in tokens:
        if token.type != "inline" or not token.children or not token.map:
            continue
        start, end = token.map
        for child in token.children:
            attr = "href" if child.type == "link_open" else "src" if child.type == "image" else None
            if attr is None:
                continue
            target = str(child.attrGet(attr) or "")
            line = next((n for n in range(start, end) if target in lines[n]), None)
            if line is None:
                line = next((n for n, text in enumerate(lines) if target in text), start)
            found.append((target, line))
    return found


def link_lines(text: str, *, allow_html: bool = False) -> tuple[tuple[str, int], ...]:
    """Every link and image target in `text` with its 0-based line, for link checking.

    Parses exactly as `render` does (so a link in a code block is not a link) but skips the
    HTML rendering.
    """
    return tuple(_token_links(_parser(allow_html).parse(text, {}), text.split("\n")))


# A column-0 ATX h2 ("## Name", optional closing #s). In a body without any of the constructs
# below, every such line is a top-level h2 and no other line is an h2.
_ATX_H2 = re.compile(r"##[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$|##[ \t]*$")
_NEEDS_PARSER = re.compile(
    r"^(?: {0,3}(?:```|~~~|<|=+[ \t]*$|-+[ \t]*$)"  # fences, HTML blocks, setext underlines
    r"|(?!#)[ \t>*+\-0-9.)]+#)",  # a '#' after indentation or quote/list markers
    re.MULTILINE,
)


def _scan_headings(body: str) -> list[tuple[str, int]] | None:
    """(name, 0-based line) of every h2 by a line scan, or None when only a parser can tell.

    Finding the two sections was a quarter of compiling a case; most bodies are plain
    paragraphs, links and lists, where a line scan gives exactly the parser's answer (a
    property test compares both).
    """
    if "\0" in body or _NEEDS_PARSER.search(body):
        return None
    found = []
    for number, line in enumerate(body.split("\n")):
        if line.startswith("##") and (match := _ATX_H2.match(line)):
            found.append(((match.group(1) or "").strip(), number))
    return found


def _parsed_headings(body: str) -> list[tuple[str, int]]:
    tokens = _section_parser().parse(body)
    return [
        (tokens[index + 1].content.strip(), token.map[0])
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2" and token.map
    ]


def h2_headings(body: str) -> list[tuple[str, int]]:
    """(text, 0-based line) of every level-2 heading in `body`."""
    scanned = _scan_headings(body)
    return _parsed_headings(body) if scanned is None else scanned


def split_sections(body: str, body_line: int) -> tuple[Sections | None, list[tuple[int, str]]]:
    """Find `## Summary` then `## Response` (case-insensitive); return problems as (line, msg)."""
    found: dict[str, int] = {}
    order: list[str] = []
    for text, line in h2_headings(body):
        name = text.lower().rstrip(":")
        if name in SECTION_NAMES and name not in found:
            found[name] = line
            order.append(name)
    problems: list[tuple[int, str]] = []
    for name in SECTION_NAMES:
        if name not in found:
            problems.append((body_line, f"missing '## {name.title()}' section"))
    if not problems and order != list(SECTION_NAMES):
        line = body_line + found["response"]
        problems.append((line, "'## Response' comes before '## Summary'; put the claim first"))
    if problems:
        return None, problems
    lines = body.split("\n")
    start_s, start_r = found["summary"], found["response"]
    summary = "\n".join(lines[start_s + 1 : start_r]).strip()
    response = "\n".join(lines[start_r + 1 :]).strip()
    for name, part, start in (("Summary", summary, start_s), ("Response", response, start_r)):
        if not part:
            problems.append((body_line + start, f"'## {name}' section is empty"))
    if problems:
        return None, problems
    return Sections(summary, body_line + start_s, response, body_line + start_r), []
