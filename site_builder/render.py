"""The Jinja environment and `PlannedPage` -> bytes.

A site's own `templates/` overrides the default theme file by file. Autoescape is on and
undefined names fail loudly; template mistakes become diagnostics naming the template and line.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .diagnostics import UserError, error
from .plan import PlannedPage, SiteView, root_prefix
from .theme import template_dirs, theme_dir

__all__ = ["make_environment", "render_page", "template_dirs", "theme_dir"]


def make_environment(root: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs(root)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # An environment lives for one build; reloading would stat every template file
        # (the page's, its base, its imports) for each of 25k pages at 10k cases.
        auto_reload=False,
    )
    env.globals["site_header"] = _SiteHeader(env)
    return env


class _SiteHeader:
    """`site_header(site, root, url)` in templates: `_header.html`, the site's name and menu,
    rendered once per page depth and current menu item instead of on each of 25k pages
    (about a tenth of rendering a page: every link is two escaped values)."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.site: SiteView | None = None  # what `menu` and `memo` were made for
        self.menu: frozenset[str] = frozenset()
        self.memo: dict[tuple[str, str | None], Markup] = {}

    def __call__(self, site: SiteView, root: str, url: str) -> Markup:
        if site is not self.site:  # one site per build: this runs once
            self.site, self.memo = site, {}
            self.menu = frozenset(
                ["", "search/", "check/", *(link.url for link in site.taxonomies + site.menu)]
            )
        key = (root, url if url in self.menu else None)
        html = self.memo.get(key)
        if html is None:
            rendered = self.env.get_template("_header.html").render(site=site, root=root, url=url)
            html = self.memo[key] = Markup(rendered)
        return html


def _template_location(exc: BaseException, root: Path) -> tuple[str, int | None]:
    """The innermost template frame of a runtime template error."""
    filename, line = "templates", None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            filename, line = frame.filename, frame.lineno
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        filename, line = exc.filename, exc.lineno
    path = Path(filename)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix(), line
    except ValueError:
        return path.as_posix(), line


def render_page(env: jinja2.Environment, page: PlannedPage, site: SiteView, root: Path) -> bytes:
    """Render one page; any template problem raises `UserError` with template file and line."""
    context: dict[str, Any] = {
        "site": site,
        "url": page.url,
        "root": site.base_path if page.url == "404.html" else root_prefix(page.url),
        "canonical": site.base_url + page.url,
        **page.context,
    }
    try:
        return env.get_template(page.template).render(context).encode("utf-8")
    except jinja2.TemplateNotFound as exc:
        raise UserError(
            [
                error(
                    "templates",
                    None,
                    f"template '{exc.name}' not found (needed for {page.url or '/'})",
                )
            ]
        ) from None
    except jinja2.TemplateError as exc:
        path, line = _template_location(exc, root)
        raise UserError([error(path, line, f"template error: {exc.message or exc}")]) from None
