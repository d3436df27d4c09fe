"""Every kind of page in Chromium: the favicon loads, nothing answers 404, the console stays
clean (the missing /favicon.ico was a console error on every page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest

pytestmark = pytest.mark.browser

PAGES = ["", "cases/", "tags/", "topics/", "search/", "graph/", "timeline/", "about/"]


def _case_path(site: Any) -> str:
    return (
        next(p.parent for p in sorted((site / "cases").glob("*/index.html")))
        .relative_to(site)
        .as_posix()
        + "/"
    )


def test_pages_load_their_favicon_without_404_or_console_errors(
    page: Any, site_server: str, starter_site: Any
) -> None:
    failed: list[str] = []
    console: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on(
        "console", lambda m: console.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    paths = [p for p in PAGES if (starter_site / p / "index.html").is_file()]
    paths += [_case_path(starter_site)]
    for path in paths:
        url = urljoin(site_server, path)
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("load")
        href = page.eval_on_selector('link[rel="icon"]', "link => link.href")
        icon = page.request.get(href)
        assert icon.status == 200, href
        assert icon.headers["content-type"].startswith("image/svg+xml"), href
        assert icon.body().lstrip().startswith(b"<svg"), href
    assert not failed, failed
    assert not console, console
