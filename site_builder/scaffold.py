"""`site-builder new`: write a draft case skeleton, never overwriting.

The case starts as `draft: true`: it shows in `serve` and `build --drafts` while it is
written, and reaches the home page and the feeds only once the writer removes the line.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import frontmatter as pyfrontmatter
from slugify import slugify

from .config_tables import RatingsConfig
from .content import CASES_DIR
from .diagnostics import UserError, error
from .placeholders import SKELETON_BODY


def require_site(root: Path) -> None:
    """`new` one folder too high (before `cd` into the site `init` made) would start a stray
    `content/` there; a folder with neither `site.toml` nor `content/` is no site."""
    if not (root / "site.toml").is_file() and not (root / "content").is_dir():
        raise UserError(
            [
                error(
                    root.as_posix(),
                    None,
                    "no site here: neither site.toml nor content/ exists",
                    "cd into your site's folder, or start a site with 'site-builder init'",
                )
            ]
        )


def new_case(
    root: Path,
    title: str,
    *,
    tags: tuple[str, ...] = (),
    topics: tuple[str, ...] = (),
    today: dt.date | None = None,
    ratings: RatingsConfig | None = None,
    default_rating: str = "",
) -> Path:
    """Create `content/cases/<slug>.md`; raises `UserError` if the slug is taken or empty.

    With a rating scale, the case starts with the default rating (else the scale's first)
    and a comment listing the scale, so the writer sees the choices where they make one.
    """
    slug = slugify(title, max_length=80, word_boundary=True)
    if not slug:
        raise UserError(
            [error(CASES_DIR, None, f"cannot make a file name from the title {title!r}")]
        )
    cases = root / CASES_DIR
    existing = sorted(cases.rglob(f"{slug}.md")) if cases.is_dir() else []
    if existing:
        rel = existing[0].relative_to(root).as_posix()
        raise UserError(
            [error(rel, None, f"a case with the slug '{slug}' already exists; not overwriting it")]
        )
    post = pyfrontmatter.Post(SKELETON_BODY)
    post.metadata.update(
        {
            "title": title,
            "draft": True,
            "date": (today or dt.date.today()).isoformat(),
            "claim": "",
            **({"rating": default_rating or ratings.scale[0]} if ratings and ratings.scale else {}),
            "tags": list(tags),
            "topics": list(topics),
            "countries": [],
            "languages": [],
            "outlets": [],
            "related": [],
        }
    )
    path = cases / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = pyfrontmatter.dumps(post, sort_keys=False) + "\n"
    if ratings and ratings.scale:
        scale = ", ".join(ratings.scale)
        text = re.sub(r"(?m)^(rating: .*)$", lambda m: f"{m[1]}  # one of: {scale}", text, count=1)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
