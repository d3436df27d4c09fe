"""`site.toml` -> a frozen, validated `SiteConfig`, reporting every problem in one go.

Each option is declared once with a small validator (MkDocs' config_options idea); unknown keys
are errors so that a typo in the config never silently falls back to a default.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config_tables import RatingsConfig, ThemeConfig, ratings_table, theme_table
from .diagnostics import Diagnostic, UserError, error
from .model import TAXONOMIES
from .rules import RULE_IDS
from .stats import NotRegularFile, read_regular

CONFIG_NAME = "site.toml"


@dataclass(frozen=True, slots=True)
class RelatedConfig:
    """Weights of the related-cases scorer (see README "Related cases")."""

    limit: int = 5
    min_score: float = 0.1
    max_term_share: float = 0.2
    weight_tags: float = 0.1
    weight_topics: float = 0.1
    weight_countries: float = 0.1
    weight_languages: float = 0.02
    weight_outlets: float = 0.1
    weight_text: float = 1.0
    weight_date: float = 0.1
    date_half_life: int = 30
    keywords: int = 12
    text_terms: int = 24
    max_word_share: float = 0.3
    near_duplicate: float = 0.9
    # Not a `[related]` key: the site's `language`, which picks the stemmer.
    language: str = "en"

    def weight(self, taxonomy: str) -> float:
        value: float = getattr(self, f"weight_{taxonomy}")
        return value


@dataclass(frozen=True, slots=True)
class LintConfig:
    """`[lint]`: which rules run and their thresholds (see README "Checking content")."""

    disable: tuple[str, ...] = ()
    required_taxonomies: tuple[str, ...] = ()
    max_claim_length: int = 140


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    """`[limits]`: what one case file may hold, so no file costs more than its share (about a
    second and 100 MB) to build and to publish (see docs/reliability.md)."""

    terms: int = 200  # items per taxonomy (tags, topics, countries, languages, outlets)
    # All taxonomies together: each new term is a page and a feed (1,000 terms: 2,000 files).
    total_terms: int = 300
    title_chars: int = 500
    claim_chars: int = 1000
    # Markdown markup characters (*_[]!|<>&`\~#) and line breaks in one body: the
    # Markdown stage costs up to ~30 us for each, whatever the rest of the text.
    markup: int = 10_000
    # Old URLs of one case: each is a redirect page (9,000 aliases made 76 MB of output).
    aliases: int = 50


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str = "Debunk Desk"
    base_url: str = "http://localhost/"
    language: str = "en"
    description: str = ""
    organisation: str = "Debunk Desk"
    default_rating: str = "Disinformation"
    per_page: int = 20
    allow_html: bool = False
    max_file_bytes: int = 256_000
    cache_dir: str = ".cache"
    favicon: str = "favicon.svg"  # a file under templates/static/, the site's or the theme's
    related: RelatedConfig = field(default_factory=RelatedConfig)
    lint: LintConfig = field(default_factory=LintConfig)
    ratings: RatingsConfig = field(default_factory=RatingsConfig)
    theme: ThemeConfig = field(default_factory=ThemeConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)

    @property
    def base_path(self) -> str:
        """The URL path the site is served under, always starting and ending with '/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


Validator = Callable[[Any], tuple[Any, str | None]]


def _string(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str) and value.strip():
        return value.strip(), None
    return None, f"expected a non-empty string, got {value!r}"


def _positive_int(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value, None
    return None, f"expected a positive integer, got {value!r}"


def _number(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value), None
    return None, f"expected a number >= 0, got {value!r}"


def _boolean(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    return None, f"expected true or false, got {value!r}"


# Characters RFC 3986 never allows in a URL as they are (spaces, controls, quotes, ...): in
# `base_url` each would be copied into every canonical link and feed id.
_NOT_IN_URL = re.compile(r'[\x00-\x20\x7f"<>\\^`{|}]')


def _http_url(value: Any) -> tuple[Any, str | None]:
    expected = f"expected an http(s) URL such as 'https://example.org/', got {value!r}"
    if not isinstance(value, str):
        return None, expected
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None, expected
    if found := _NOT_IN_URL.search(value):
        return None, f"{expected}: {found[0]!r} is not allowed in a URL (percent-encode it)"
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return None, f"{expected}: the port is not a number"
    if not parts.hostname:
        return None, expected
    if parts.query or parts.fragment:
        return None, f"{expected}: a base URL has no '?query' or '#fragment'"
    return value if value.endswith("/") else value + "/", None


# RFC 5646 language tags ("en", "pt-BR", "sr-Latn-RS", "zh-Hant-TW", "x-klingon"); the
# value goes into every page's <html lang> and the feeds' xml:lang.
_LANGUAGE_TAG = re.compile(
    r"""(?:
        (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})  # language, extended language
        (?:-[a-z]{4})?                               # script
        (?:-(?:[a-z]{2}|[0-9]{3}))?                  # region
        (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*     # variants
        (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*          # extensions
        (?:-x(?:-[a-z0-9]{1,8})+)?                   # private use
      | x(?:-[a-z0-9]{1,8})+
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _language(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str) and _LANGUAGE_TAG.fullmatch(value):
        return value, None
    return None, f"expected a BCP 47 language tag such as 'en' or 'pt-BR', got {value!r}"


# What browsers take as a favicon, by extension; the value is also the link's `type`.
FAVICON_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}
_STATIC_FILE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


def _favicon(value: Any) -> tuple[Any, str | None]:
    if (
        isinstance(value, str)
        and _STATIC_FILE.fullmatch(value)
        and Path(value).suffix.lower() in FAVICON_TYPES
    ):
        return value, None
    return None, (
        "expected a file under templates/static/ ending in .svg, .png or .ico, "
        f"such as 'logo.svg', got {value!r}"
    )


def _with_guess(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"'{name}' (did you mean '{close[0]}'?)" if close else f"'{name}'"


def _names_from(known: frozenset[str] | tuple[str, ...], what: str) -> Validator:
    """A list of names, each one of `known`; duplicates dropped, order kept."""

    def validate(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, f"expected a list of {what}, got {value!r}"
        unknown = [v for v in value if v not in known]
        if unknown:
            named = ", ".join(_with_guess(v, known) for v in unknown)
            return None, f"unknown {what}: {named}; known: {', '.join(sorted(known))}"
        return tuple(dict.fromkeys(value)), None

    return validate


SITE_OPTIONS: dict[str, Validator] = {
    "title": _string,
    "base_url": _http_url,
    "language": _language,
    "description": _string,
    "organisation": _string,
    "default_rating": _string,
    "per_page": _positive_int,
    "allow_html": _boolean,
    "max_file_bytes": _positive_int,
    "cache_dir": _string,
    "favicon": _favicon,
}
RELATED_OPTIONS: dict[str, Validator] = {
    "limit": _positive_int,
    "min_score": _number,
    "max_term_share": _number,
    **{f"weight_{t}": _number for t in ("tags", "topics", "countries", "languages", "outlets")},
    "weight_text": _number,
    "weight_date": _number,
    "date_half_life": _positive_int,
    "keywords": _positive_int,
    "text_terms": _positive_int,
    "max_word_share": _number,
    "near_duplicate": _number,
}


LIMITS_OPTIONS: dict[str, Validator] = {
    name: _positive_int
    for name in ("terms", "total_terms", "title_chars", "claim_chars", "markup", "aliases")
}


LINT_OPTIONS: dict[str, Validator] = {
    "disable": _names_from(RULE_IDS, "rule ids"),
    "required_taxonomies": _names_from(TAXONOMIES, "taxonomies"),
    "max_claim_length": _positive_int,
}


def _key_line(text: str, key: str, table: str | None) -> int | None:
    """Best-effort line of `key` (inside `[table]` when given); tomllib keeps no positions."""
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line.strip("[]").strip()
        elif current == table and line.split("=", 1)[0].strip() == key:
            return number
    return None


def _validate_table(
    raw: dict[str, Any], options: dict[str, Validator], table: str | None, text: str
) -> tuple[dict[str, Any], list[Diagnostic]]:
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    prefix = f"{table}." if table else ""
    for key, value in raw.items():
        line = _key_line(text, key, table)
        validator = options.get(key)
        if validator is None:
            known = ", ".join(sorted(options))
            problems.append(
                error(CONFIG_NAME, line, f"unknown key '{prefix}{key}'", f"known keys: {known}")
            )
            continue
        parsed, problem = validator(value)
        if problem:
            problems.append(error(CONFIG_NAME, line, f"'{prefix}{key}': {problem}"))
        else:
            values[key] = parsed
    return values, problems


def parse_config(text: str) -> SiteConfig:
    """Parse `site.toml` text; raises `UserError` listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python < 3.14 keeps the position only in the message: "... (at line 3, column 12)".
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise UserError(
            [error(CONFIG_NAME, int(found[1]) if found else None, f"invalid TOML: {message}")]
        ) from None
    related_raw = raw.pop("related", {})
    lint_raw = raw.pop("lint", {})
    ratings_raw = raw.pop("ratings", {})
    theme_raw = raw.pop("theme", {})
    limits, limits_problems = _sub_table(raw.pop("limits", {}), "limits", LIMITS_OPTIONS, text)
    site, problems = _validate_table(raw, SITE_OPTIONS, None, text)
    related, related_problems = _sub_table(related_raw, "related", RELATED_OPTIONS, text)
    problems += related_problems
    lint, lint_problems = _sub_table(lint_raw, "lint", LINT_OPTIONS, text)
    problems += lint_problems + limits_problems
    ratings, rating_problems = ratings_table(ratings_raw, site, text)
    theme, theme_problems = theme_table(theme_raw, text)
    problems += rating_problems + theme_problems
    if problems:
        raise UserError(problems)
    return SiteConfig(
        **site,
        related=RelatedConfig(**related, language=site.get("language", "en")),
        lint=LintConfig(**lint),
        ratings=ratings,
        theme=theme,
        limits=LimitsConfig(**limits),
    )


def table_problem(raw: Any, name: str, text: str) -> Diagnostic | None:
    """`[name]` written as something other than a table (`lint = 3`): its keys are then
    all defaults, and this says why."""
    if isinstance(raw, dict):
        return None
    return error(CONFIG_NAME, _key_line(text, name, None), f"'{name}' must be a table")


def _sub_table(
    raw: Any, name: str, options: dict[str, Validator], text: str
) -> tuple[dict[str, Any], list[Diagnostic]]:
    problem = table_problem(raw, name, text)
    return ({}, [problem]) if problem else _validate_table(raw, options, name, text)


def load_config(root: Path) -> SiteConfig:
    """Read `ROOT/site.toml`; a missing file means all defaults."""
    path = root / CONFIG_NAME
    if not os.path.lexists(path):
        return SiteConfig()
    try:
        # Only a regular file: a FIFO would hang `open()` for ever, and any other kind
        # (FIFO, socket, dangling link) must not quietly mean "all defaults".
        text = read_regular(os.fspath(path)).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        hint = "replace it with a regular file" if isinstance(exc, NotRegularFile) else None
        raise UserError([error(CONFIG_NAME, None, f"cannot read config: {reason}", hint)]) from None
    config = parse_config(text)
    _check_favicon(root, config, text)
    return config


def _check_favicon(root: Path, config: SiteConfig, text: str) -> None:
    """The favicon must be a file the build copies, or every page would link a 404."""
    from .theme import template_dirs

    if not any((d / "static" / config.favicon).is_file() for d in template_dirs(root)):
        raise UserError(
            [
                error(
                    CONFIG_NAME,
                    _key_line(text, "favicon", None),
                    f"'favicon': no file templates/static/{config.favicon}",
                    "put the icon into templates/static/ or leave 'favicon' out for the theme's",
                )
            ]
        )
