"""Where templates come from: the site's own `templates/` first, then the default theme.

A module of its own (no Jinja import) because the no-op check stats the template files too.
"""

from __future__ import annotations

from pathlib import Path

from .diagnostics import Diagnostic, error


def theme_dir() -> Path:
    """The default theme: inside the installed wheel, or the checkout's top-level `templates/`."""
    packaged = Path(__file__).parent / "theme"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def template_dirs(root: Path) -> list[Path]:
    own = root / "templates"
    return (
        [own, theme_dir()]
        if own.is_dir() and own.resolve() != theme_dir().resolve()
        else [theme_dir()]
    )


def theme_problems(root: Path, stylesheets: tuple[str, ...], head: str | None) -> list[Diagnostic]:
    """`[theme]` names files that must exist: a missing stylesheet would be a silent 404 on
    every page, a missing head template a render error on the first page."""
    from .config import CONFIG_NAME, _key_line

    dirs = template_dirs(root)
    missing = [
        sheet
        for sheet in stylesheets
        if not (sheet.startswith("static/") and any((d / sheet).is_file() for d in dirs))
    ]
    problems: list[Diagnostic] = []
    if missing or (head and not any((d / head).is_file() for d in dirs)):
        text = (root / CONFIG_NAME).read_text(encoding="utf-8")
    for sheet in missing:
        problems.append(
            error(
                CONFIG_NAME,
                _key_line(text, "stylesheets", "theme"),
                f"stylesheet '{sheet}' not found",
                f"put it in templates/{sheet} (files under templates/static/ are copied to "
                "static/ in the output)",
            )
        )
    if head and not any((d / head).is_file() for d in dirs):
        problems.append(
            error(
                CONFIG_NAME,
                _key_line(text, "head", "theme"),
                f"head template '{head}' not found",
                f"create templates/{head} with what goes at the end of <head>",
            )
        )
    return problems
