"""The `base-url-unset` warning and the `--base-url` preview override.

Canonical links, feeds, the sitemap, robots.txt and ClaimReview carry absolute URLs made from
`base_url`; a site built with the default (`http://localhost/`) or a documentation host
(`example.org`, RFC 2606/6761 names) published all of them pointing nowhere, without a word.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from .config import CONFIG_NAME, SiteConfig
from .diagnostics import Diagnostic, warning

# Hosts that name no real site: the default, loopback and the reserved example/test names.
_PLACEHOLDER_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
_EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")
_RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost", ".local")
POINTS_THERE = (
    "canonical links, Atom feeds, sitemap.xml, robots.txt and the ClaimReview data of every case"
)


def placeholder_host(base_url: str) -> str | None:
    """The host of `base_url` if it names no real site, else None."""
    host = (urlsplit(base_url).hostname or "").rstrip(".").lower()
    if (
        host in _PLACEHOLDER_HOSTS
        or host in _EXAMPLE_DOMAINS
        or host.endswith(tuple("." + d for d in _EXAMPLE_DOMAINS))
        or host.endswith(_RESERVED_TLDS)
    ):
        return host
    return None


def _line(root: Path) -> int | None:
    """The line of `base_url` in site.toml, if it is written there."""
    from .config import _key_line

    path = root / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return _key_line(text, "base_url", None)


def base_url_warnings(root: Path, config: SiteConfig, *, overridden: bool) -> list[Diagnostic]:
    """`base-url-unset` unless `base_url` names a real host; a `--base-url` given on the
    command line is the builder's own choice for a preview, and is not second-guessed."""
    host = placeholder_host(config.base_url)
    if overridden or host is None:
        return []
    line = _line(root)
    written = f"base_url is '{config.base_url}'" if line else "base_url is not set"
    return [
        warning(
            CONFIG_NAME,
            line,
            f"{written}, so the {POINTS_THERE} would point at {host}",
            "set base_url in site.toml to the address readers will use, such as "
            "'https://factcheck.your-newsroom.org/'; for a preview: build --base-url URL",
            rule="base-url-unset",
        )
    ]
