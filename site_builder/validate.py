"""`FrontMatter` -> `Case` (or `Page`) plus diagnostics. Pure: no I/O.

Every field is checked and every problem reported, each with the line of its key, so a writer
fixes a file in one pass. Unknown keys are warnings (typo protection), not errors.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .case_rating import case_rating
from .config import LimitsConfig, SiteConfig
from .diagnostics import Diagnostic, error, warning
from .field_checker import FieldChecker, type_name
from .limits import alias_problem, length_problems, markup_problem, term_problems
from .markdown import Sections, split_sections
from .model import Case, FrontMatter, Outlet, Page
from .placeholders import placeholder_text
from .rules import RULE_IDS, unknown_rule_hint

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Markdown links, autolinks and raw href/src attributes whose URL would run code.
UNSAFE_LINK_RE = re.compile(
    r"""(?:\]\(\s*<?|<|(?:href|src)\s*=\s*["']?)\s*(javascript|vbscript|data):""", re.IGNORECASE
)
# Every UNSAFE_LINK_RE match ends in one of these right before a ':' (same pattern, same flags).
_SCHEME_BEFORE_COLON = re.compile(r"(?:javascript|vbscript|data)\Z", re.IGNORECASE)
_LONGEST_SCHEME = len("javascript")
LIST_FIELDS = ("tags", "topics", "countries", "languages")
CASE_KEYS = frozenset(
    {
        "title",
        "date",
        "updated",
        "claim",
        "rating",
        "draft",
        "outlets",
        "related",
        "aliases",
        "lint_ignore",
        *LIST_FIELDS,
    }
)
PAGE_KEYS = frozenset({"title", "menu", "draft", "lint_ignore"})


# Printable ASCII without '[', '\\' or ']': urlsplit neither strips, drops nor rejects any of it.
_SIMPLE_HTTP_URL = re.compile(r"https?://([!-Z^-~])[!-Z^-~]*")


def is_http_url(value: str) -> bool:
    """Whether `value` is an http(s) URL with a host and no space.

    Each outlet has two URLs, and urlsplit was most of validating front matter. For a simple
    URL its answer is known without it: the host runs up to the first '/', '?' or '#'.
    """
    if simple := _SIMPLE_HTTP_URL.fullmatch(value):
        return simple[1] not in "/?#"
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _outlet(check: FieldChecker, index: int, raw: Any) -> Outlet | None:
    key = f"outlets[{index}]"
    if not isinstance(raw, dict):
        check.fail(
            key,
            f"outlet {index + 1} must be a mapping with name, url and archived, got {type_name(raw)}",
        )
        return None
    unknown = sorted(set(map(str, raw)) - {"name", "url", "archived"})
    if unknown:
        check.fail(key, f"outlet {index + 1} has unknown keys: {', '.join(unknown)}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        check.fail(key, f"outlet {index + 1} needs a 'name'")
        return None
    urls: dict[str, str | None] = {}
    for field in ("url", "archived"):
        value = raw.get(field)
        if value is not None and (not isinstance(value, str) or not is_http_url(value)):
            check.fail(key, f"outlet '{name}': '{field}' must be an http(s) URL, got {value!r}")
            value = None
        urls[field] = value
    if urls["url"] is None:
        if raw.get("url") is None:
            check.fail(key, f"outlet '{name}' needs a 'url'")
        return None
    return Outlet(" ".join(name.split()), urls["url"] or "", urls["archived"])


def _outlets(check: FieldChecker) -> tuple[Outlet, ...]:
    raw = check.fm.data.get("outlets")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        check.fail("outlets", f"'outlets' must be a list of mappings, got {type_name(raw)}")
        return ()
    outlets = [_outlet(check, i, item) for i, item in enumerate(raw)]
    return tuple(o for o in outlets if o is not None)


def _related(check: FieldChecker, slug: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    slugs = check.string_list("related")
    lines: list[int] = []
    raw = check.fm.data.get("related")
    for index, target in enumerate(slugs):
        line = check.line(f"related[{index}]") if isinstance(raw, list) else check.line("related")
        lines.append(line)
        if target == slug:
            check.diagnostics.append(
                error(check.fm.path, line, f"case lists itself in 'related' ('{slug}')")
            )
        elif not SLUG_RE.fullmatch(target):
            check.diagnostics.append(
                error(check.fm.path, line, f"'related' entry '{target}' is not a case slug")
            )
    keep = [(s, n) for s, n in zip(slugs, lines, strict=True) if s != slug and SLUG_RE.fullmatch(s)]
    return tuple(s for s, _ in keep), tuple(n for _, n in keep)


def _aliases(check: FieldChecker) -> tuple[str, ...]:
    result: list[str] = []
    for index, alias in enumerate(check.string_list("aliases")):
        parts = urlsplit(alias)
        segments = alias.strip("/").split("/")
        if parts.scheme or parts.netloc or alias.startswith("//") or not alias.startswith("/"):
            check.fail(
                f"aliases[{index}]",
                f"alias '{alias}' must be a site path starting with '/', without scheme or host",
            )
        elif any(s in ("", ".", "..") for s in segments) or "\\" in alias or "\0" in alias:
            check.fail(
                f"aliases[{index}]", f"alias '{alias}' contains an empty, '.' or '..' segment"
            )
        else:
            result.append("/" + alias.strip("/") + ("/" if not alias.endswith(".html") else ""))
    return tuple(result)


def _unknown_keys(check: FieldChecker, known: frozenset[str]) -> None:
    for key in sorted(set(check.fm.data) - known):
        check.diagnostics.append(
            warning(
                check.fm.path,
                check.line(key),
                f"unknown front matter key '{key}'",
                f"known keys: {', '.join(sorted(known))}",
                rule="unknown-key",
            )
        )


def _may_have_unsafe_link(body: str) -> bool:
    """Whether some ':' in `body` follows an unsafe scheme name, as every unsafe link's does.

    A case-insensitive scan of the whole body with UNSAFE_LINK_RE was a third of validating a
    case; looking only behind each ':' (a few per body) is hundreds of times cheaper.
    """
    colon = body.find(":")
    while colon != -1:
        if _SCHEME_BEFORE_COLON.search(body, max(0, colon - _LONGEST_SCHEME), colon):
            return True
        colon = body.find(":", colon + 1)
    return False


def _unsafe_links(check: FieldChecker) -> None:
    """Renderers drop these links already; the warning tells the writer why a link vanished."""
    if not _may_have_unsafe_link(check.fm.body) or not UNSAFE_LINK_RE.search(check.fm.body):
        return
    for offset, line in enumerate(check.fm.body.split("\n")):
        for found in UNSAFE_LINK_RE.finditer(line):
            check.diagnostics.append(
                warning(
                    check.fm.path,
                    check.fm.body_line + offset,
                    f"link with a '{found[1].lower()}:' URL removed; only http(s), mailto and site links are kept",
                    rule="unsafe-link",
                )
            )


def _lint_ignore(check: FieldChecker) -> tuple[str, ...]:
    """Rule ids this file opts out of; an unknown id is an error so a typo never hides nothing."""
    ids = check.string_list("lint_ignore")
    for index, rule_id in enumerate(ids):
        if rule_id not in RULE_IDS:
            check.fail(
                f"lint_ignore[{index}]",
                f"'lint_ignore' names unknown rule '{rule_id}'",
                unknown_rule_hint(rule_id),
            )
    return tuple(i for i in ids if i in RULE_IDS)


def _sections(check: FieldChecker, limits: LimitsConfig) -> Sections | None:
    too_much = markup_problem(check.fm, limits)
    if too_much is not None:
        check.diagnostics.append(too_much)
        return None
    sections, problems = split_sections(check.fm.body, check.fm.body_line)
    for line, message in problems:
        check.diagnostics.append(
            error(check.fm.path, line, message, "the body needs '## Summary' then '## Response'")
        )
    return sections


def _limits(
    check: FieldChecker,
    config: SiteConfig,
    texts: dict[str, str | None],
    terms: dict[str, tuple[str, ...]],
    outlets: tuple[Outlet, ...],
    aliases: tuple[str, ...],
) -> None:
    """The per-file limits (`limits.py`); the Markdown budget is checked before the body is
    split, which is the first Markdown work on it."""
    limits = config.limits
    check.diagnostics += length_problems(check.fm, texts, limits)
    names = {**terms, "outlets": tuple(dict.fromkeys(o.name for o in outlets))}
    check.diagnostics += term_problems(check.fm, names, limits)
    too_many = alias_problem(check.fm, len(aliases), limits)
    check.diagnostics += [too_many] if too_many else []


def validate_case(
    fm: FrontMatter, slug: str, config: SiteConfig
) -> tuple[Case | None, list[Diagnostic]]:
    check = FieldChecker(fm)
    _unknown_keys(check, CASE_KEYS)
    title = check.string("title", required=True)
    date = check.date("date", required=True)
    updated = check.date("updated")
    if date and updated and updated < date:
        check.fail("updated", f"'updated' ({updated}) is before 'date' ({date})")
    claim = check.string("claim")
    rating = case_rating(check, config)
    terms = {key: check.string_list(key) for key in LIST_FIELDS}
    outlets, (related, related_lines), aliases = (
        _outlets(check),
        _related(check, slug),
        _aliases(check),
    )
    draft = check.boolean("draft")
    lint_ignore = _lint_ignore(check)
    _limits(check, config, {"title": title, "claim": claim}, terms, outlets, aliases)
    sections = _sections(check, config.limits)
    _unsafe_links(check)
    if not draft:
        check.diagnostics += placeholder_text(fm)
    if any(d.is_error for d in check.diagnostics) or not (title and date and sections and rating):
        return None, check.diagnostics
    case = Case(
        slug=slug,
        title=title,
        date=date,
        updated=updated,
        claim=claim,
        rating=rating,
        summary=sections.summary,
        response=sections.response,
        source_path=fm.path,
        outlets=outlets,
        related=related,
        related_lines=related_lines,
        aliases=aliases,
        draft=draft,
        summary_line=sections.summary_line,
        response_line=sections.response_line,
        lines=tuple(sorted(fm.key_lines.items())),
        lint_ignore=lint_ignore,
        **terms,
    )
    return case, check.diagnostics


def validate_page(
    fm: FrontMatter, slug: str, limits: LimitsConfig | None = None
) -> tuple[Page | None, list[Diagnostic]]:
    check = FieldChecker(fm)
    too_much = markup_problem(fm, limits or LimitsConfig())
    check.diagnostics += [too_much] if too_much else []
    _unknown_keys(check, PAGE_KEYS)
    title = check.string("title", required=True)
    menu = fm.data.get("menu")
    if menu is not None and (isinstance(menu, bool) or not isinstance(menu, int)):
        check.fail("menu", f"'menu' must be a whole number (menu order), got {menu!r}")
        menu = None
    draft = check.boolean("draft")
    lint_ignore = _lint_ignore(check)
    if any(d.is_error for d in check.diagnostics) or not title or draft:
        return None, check.diagnostics
    return Page(slug, title, fm.body, fm.path, menu, fm.body_line, lint_ignore), check.diagnostics
