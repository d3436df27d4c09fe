"""The sanitiser for `allow_html = true`: nh3 (ammonia) with its defaults plus what Markdown
itself produces, so raw HTML cannot run script but Markdown keeps its meaning.

Replacing nh3's attribute list (as this module once did) dropped `<ol start>`, so `3. third`
rendered as a list from 1, and removed the footnotes' `<section>`, so their CSS no longer
applied. The allowance is nh3's defaults, plus ids and classes everywhere (heading ids, the
footnote classes the theme styles, `language-*` on code), `title`, and the table alignment
markdown-it writes as `style`. Root-relative targets in raw HTML get the same link prefix as
Markdown links, so `<a href="/cases/x/">` works under a sub-path too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .heading_ids import TEMPLATE_IDS

URL_SCHEMES = frozenset({"http", "https", "mailto"})
# What markdown-it (CommonMark, tables, footnotes) writes beyond nh3's default tags.
_EXTRA_TAGS = frozenset({"section"})
_EXTRA_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"rel"},
    "th": {"style"},
    "td": {"style"},
}


@lru_cache(maxsize=1)
def _options() -> dict[str, Any]:
    import nh3

    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in _EXTRA_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(names)
    return {
        "tags": set(nh3.ALLOWED_TAGS | _EXTRA_TAGS),
        "attributes": attributes,
        "link_rel": None,
        "url_schemes": set(URL_SCHEMES),
        "filter_style_properties": {"text-align"},  # what tables need; no overlays
    }


def _filter(prefix: str, rewrite: bool) -> Any:
    def attribute(tag: str, name: str, value: str) -> str | None:
        if rewrite and name in ("href", "src") and value[:1] == "/" and value[1:2] != "/":
            return prefix + value[1:]
        if name == "id" and value in TEMPLATE_IDS:
            return None  # raw HTML must not take the skip link's target or a section's id
        return value

    return attribute


def clean(html: str, link_prefix: str = "/") -> str:
    """`html` without script, event handlers or code URLs; site paths get `link_prefix`.

    The prefix is relative ("../../") wherever a body is rendered, so Markdown links that
    already carry it are left alone; "/" changes nothing.
    """
    import nh3

    relative = not link_prefix.startswith("/")
    return nh3.clean(html, attribute_filter=_filter(link_prefix, relative), **_options())
