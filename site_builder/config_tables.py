"""The `[ratings]` and `[theme]` tables of `site.toml`: parsed like every other table, kept
apart so `config.py` stays one screenful per concern.

The position helpers (`_key_line`, ...) live in `config`; they are imported when a table is
parsed, since `config` imports this module's dataclasses to declare `SiteConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, error

CONFIG_NAME = "site.toml"


@dataclass(frozen=True, slots=True)
class RatingsConfig:
    """`[ratings]`: the site's published rating scale, worst first (see docs/configuration.md).

    Empty `scale` means any rating text is accepted, as before scales existed.
    """

    scale: tuple[str, ...] = ()
    # (rating as written on the scale, one sentence explaining it), in scale order.
    descriptions: tuple[tuple[str, str], ...] = ()

    def canonical(self, rating: str) -> str | None:
        """The scale's spelling of `rating` (matched case-insensitively), or None."""
        wanted = rating.casefold()
        return next((r for r in self.scale if r.casefold() == wanted), None)

    def value(self, rating: str) -> int | None:
        """Position on the scale, 1 = worst (ClaimReview's ratingValue), or None."""
        found = self.canonical(rating)
        return self.scale.index(found) + 1 if found else None


@dataclass(frozen=True, slots=True)
class ThemeConfig:
    """`[theme]`: what a site adds to every page's <head> without copying `base.html`."""

    # Site-relative URLs of stylesheets (files in the site's templates/static/), in order.
    stylesheets: tuple[str, ...] = ()
    # A template under the site's templates/ whose output goes at the end of <head>.
    head: str | None = None


def _rating_list(raw: Any) -> tuple[tuple[str, ...], str | None]:
    if not isinstance(raw, list) or not raw or not all(isinstance(r, str) for r in raw):
        return (), f"expected a non-empty list of rating names, worst first, got {raw!r}"
    scale = tuple(" ".join(r.split()) for r in raw)
    folded = [r.casefold() for r in scale]
    if not all(scale):
        return (), "rating names must not be empty"
    repeated = sorted({r for r in scale if folded.count(r.casefold()) > 1})
    if repeated:
        return (), f"ratings listed twice (case does not count): {', '.join(repeated)}"
    return scale, None


def ratings_table(
    raw: Any, site: dict[str, Any], text: str
) -> tuple[RatingsConfig, list[Diagnostic]]:
    """`[ratings]`: `scale` (worst first) and `[ratings.descriptions]`; with a scale,
    `default_rating` must be on it (and is unset, so every case names its rating, unless
    written)."""
    from .config import _key_line, _with_guess, table_problem

    if problem := table_problem(raw, "ratings", text):
        return RatingsConfig(), [problem]
    problems: list[Diagnostic] = []
    for key in sorted(set(raw) - {"scale", "descriptions"}):
        line = _key_line(text, key, "ratings")
        problems.append(
            error(
                CONFIG_NAME, line, f"unknown key 'ratings.{key}'", "known keys: descriptions, scale"
            )
        )
    scale: tuple[str, ...] = ()
    if "scale" in raw:
        scale, problem = _rating_list(raw["scale"])
        if problem:
            problems.append(
                error(
                    CONFIG_NAME, _key_line(text, "scale", "ratings"), f"'ratings.scale': {problem}"
                )
            )
    config = RatingsConfig(scale)
    descriptions, found = _rating_descriptions(raw.get("descriptions", {}), config, text)
    problems += found
    if scale and "default_rating" in site:
        canonical = config.canonical(site["default_rating"])
        if canonical is None:
            line = _key_line(text, "default_rating", None)
            named = _with_guess(site["default_rating"], scale)
            problems.append(
                error(
                    CONFIG_NAME,
                    line,
                    f"'default_rating' {named} is not on the rating scale",
                    f"ratings.scale: {', '.join(scale)}",
                )
            )
        else:
            site["default_rating"] = canonical
    elif scale:
        site["default_rating"] = ""  # no default: each case says where it stands on the scale
    return RatingsConfig(scale, descriptions), problems


def _rating_descriptions(
    raw: Any, config: RatingsConfig, text: str
) -> tuple[tuple[tuple[str, str], ...], list[Diagnostic]]:
    from .config import _key_line, _with_guess

    table = "ratings.descriptions"
    if not isinstance(raw, dict):
        line = _key_line(text, "descriptions", "ratings")
        return (), [error(CONFIG_NAME, line, f"'{table}' must be a table of rating = sentence")]
    found: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for name, sentence in raw.items():
        line = _key_line(text, f'"{name}"', table) or _key_line(text, name, table)
        canonical = config.canonical(name) if config.scale else name
        if canonical is None:
            message = f"'{table}' describes {_with_guess(name, config.scale)}, not on the scale"
            problems.append(
                error(CONFIG_NAME, line, message, f"ratings.scale: {', '.join(config.scale)}")
            )
        elif not isinstance(sentence, str) or not sentence.strip():
            problems.append(
                error(CONFIG_NAME, line, f"'{table}.{name}': expected a sentence, got {sentence!r}")
            )
        else:
            found[canonical] = " ".join(sentence.split())
    order = config.scale or tuple(sorted(found))
    return tuple((r, found[r]) for r in order if r in found), problems


def _site_url_path(value: Any) -> tuple[Any, str | None]:
    """A file of the site's own, as a URL path relative to the site root ('static/x.css')."""
    parts = value.split("/") if isinstance(value, str) else []
    if not parts or any(p in ("", ".", "..") for p in parts) or "\\" in value or ":" in value:
        return None, f"expected a path inside the site such as 'static/brand.css', got {value!r}"
    return value, None


def theme_table(raw: Any, text: str) -> tuple[ThemeConfig, list[Diagnostic]]:
    """`[theme]`: extra stylesheets and a head snippet, so adding CSS needs no template copy."""
    from .config import table_problem

    if problem := table_problem(raw, "theme", text):
        return ThemeConfig(), [problem]

    def stylesheets(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, list):
            return None, f"expected a list of paths such as ['static/brand.css'], got {value!r}"
        for item in value:
            _, problem = _site_url_path(item)
            if problem:
                return None, problem
        return tuple(dict.fromkeys(value)), None

    from .config import _validate_table

    options = {"stylesheets": stylesheets, "head": _site_url_path}
    values, problems = _validate_table(raw, options, "theme", text)
    return ThemeConfig(**values), problems
