"""`_redirects`: server-side 301s from every alias to its case (Netlify / Cloudflare Pages).

The HTML redirect pages written at the alias paths still work on any other host; this file
lets hosts that read it answer with a real 301, which search engines follow.
"""

from __future__ import annotations

from collections.abc import Iterator

from .config import SiteConfig
from .model import DataFile, SiteModel
from .views import case_url

OUTPUT = "_redirects"


def redirect_lines(model: SiteModel, base_path: str) -> list[str]:
    """`/old/path/ /cases/slug/ 301`, both paths under the site's mount point, sorted."""
    return sorted(
        f"{base_path}{alias.lstrip('/')} {base_path}{case_url(case.slug)} 301"
        for case in model.cases
        for alias in case.aliases
    )


def plan_redirects(model: SiteModel, config: SiteConfig) -> Iterator[DataFile]:
    lines = redirect_lines(model, config.base_path)
    yield DataFile(OUTPUT, "".join(f"{line}\n" for line in lines).encode("utf-8"), "content/cases")
