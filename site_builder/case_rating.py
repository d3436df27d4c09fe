"""A case's `rating` against the site's rating scale (`[ratings]` in site.toml).

Apart from the other fields because it is the one a fact-checker gets wrong most: YAML reads
the most common rating there is, False, as a boolean, and a typo would be published in
ClaimReview.
"""

from __future__ import annotations

import difflib

from .config import SiteConfig
from .field_checker import FieldChecker


def case_rating(check: FieldChecker, config: SiteConfig) -> str | None:
    """The case's rating in the scale's spelling; YAML's booleans and numbers get the quoted
    form to write instead, since `rating: False` is the most common rating there is."""
    value = check.fm.data.get("rating")
    scale = config.ratings
    if isinstance(value, bool | int | float):
        text = str(value)
        quoted = scale.canonical(text) or text
        check.fail(
            "rating",
            f"'rating' must be text, but YAML reads {text} as a "
            + ("boolean" if isinstance(value, bool) else "number"),
            f'put it in quotes: rating: "{quoted}"',
        )
        return None
    rating = check.string("rating") or config.default_rating
    if not scale.scale:
        return rating
    if not rating:
        check.fail(
            "rating", "missing 'rating'", f"one of the scale in site.toml: {', '.join(scale.scale)}"
        )
        return None
    canonical = scale.canonical(rating)
    if canonical is None:
        close = difflib.get_close_matches(
            rating.casefold(), [r.casefold() for r in scale.scale], n=1
        )
        guess = f"did you mean '{scale.canonical(close[0])}'? " if close else ""
        check.fail(
            "rating",
            f"rating '{rating}' is not on the site's rating scale",
            f"{guess}the scale in site.toml: {', '.join(scale.scale)}",
        )
    return canonical
