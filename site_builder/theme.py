"""Where templates come from: the site's own `templates/` first, then the default theme.

A module of its own (no Jinja import) because the no-op check stats the template files too.
"""

from __future__ import annotations

from pathlib import Path


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
