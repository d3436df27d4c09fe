"""`site.toml` -> a frozen, validated `SiteConfig`, reporting every problem in one go.

Each option is declared once with a small validator (MkDocs' config_options idea); unknown keys
are errors so that a typo in the config never silently falls back to a default.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .diagnostics import Diagnostic, UserError, error
from .model import TAXONOMIES
from .rules import RULE_IDS

CONFIG_NAME = "site.toml"


@dataclass(frozen=True, slots=True)
class RelatedConfig:
    """Weights of the related-cases scorer (see README "Related cases")."""

    limit: int = 5
    min_score: float = 0.1
    max_term_share: float = 0.2
    weight_tags: float = 0.1
    weight_topics: float = 0.05
    weight_countries: float = 0.05
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
class SiteConfig:
    title: str = "Debunk Desk"
    base_url: str = "http://localhost/"
    language: str = "en"
    description: str = ""
    organisation: str = "Debunk Desk"
    default_rating: str = "Disinformation"
    per_page: int = 20
    allow_html: bool = False
    max_file_bytes: int = 2_000_000
    cache_dir: str = ".cache"
    related: RelatedConfig = field(default_factory=RelatedConfig)
    lint: LintConfig = field(default_factory=LintConfig)

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


def _http_url(value: Any) -> tuple[Any, str | None]:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts and parts.scheme in ("http", "https") and parts.netloc:
        return value if value.endswith("/") else value + "/", None
    return None, f"expected an http(s) URL such as 'https://example.org/', got {value!r}"


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
    "language": _string,
    "description": _string,
    "organisation": _string,
    "default_rating": _string,
    "per_page": _positive_int,
    "allow_html": _boolean,
    "max_file_bytes": _positive_int,
    "cache_dir": _string,
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
    site, problems = _validate_table(raw, SITE_OPTIONS, None, text)
    if not isinstance(related_raw, dict):
        problems.append(
            error(CONFIG_NAME, _key_line(text, "related", None), "'related' must be a table")
        )
        related_raw = {}
    related, related_problems = _validate_table(related_raw, RELATED_OPTIONS, "related", text)
    problems += related_problems
    lint, lint_problems = _lint_table(lint_raw, text)
    problems += lint_problems
    if problems:
        raise UserError(problems)
    language = site.get("language", "en")
    return SiteConfig(**site, related=RelatedConfig(**related, language=language), lint=lint)


def _lint_table(raw: Any, text: str) -> tuple[LintConfig, list[Diagnostic]]:
    if not isinstance(raw, dict):
        return LintConfig(), [
            error(CONFIG_NAME, _key_line(text, "lint", None), "'lint' must be a table")
        ]
    values, problems = _validate_table(raw, LINT_OPTIONS, "lint", text)
    return LintConfig(**values), problems


def load_config(root: Path) -> SiteConfig:
    """Read `ROOT/site.toml`; a missing file means all defaults."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return SiteConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError([error(CONFIG_NAME, None, f"cannot read config: {exc}")]) from None
    return parse_config(text)
