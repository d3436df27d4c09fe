"""The Jinja environment and `PlannedPage` -> bytes.

A site's own `templates/` overrides the default theme file by file. Autoescape is on and
undefined names fail loudly; template mistakes become diagnostics naming the template and line.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from functools import lru_cache
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
    )
    env.globals["case_card"] = _card_renderer(env)
    return env


# Cards kept per process: a 10k-case site lists each case on ten or more pages, nearly all
# at one depth; the bound keeps a 100k-case site's workers within their memory.
CARDS_KEPT = 32_768


def _card_renderer(env: jinja2.Environment) -> Callable[[Any, str], Markup]:
    """`case_card(card, root)` for templates: `_card.html` rendered once per card and depth.

    Rendering every list item of 15k list pages was a third of their cost; a card and its
    depth give the same bytes every time (both are values), so each is rendered once.
    """

    @lru_cache(maxsize=CARDS_KEPT)
    def case_card(card: Any, root: str) -> Markup:
        return Markup(env.get_template("_card.html").render(case=card, root=root))

    return case_card


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
