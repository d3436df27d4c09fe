"""The search page and index as built files: parsed HTML and JSON on the fixture sites."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup


def test_search_page_works_without_javascript_and_is_linked(fixture_site, run_cli, tmp_path):
    root = fixture_site("full")
    output = tmp_path / "out"
    assert run_cli("build", "--root", root, "--output", output, "--quiet").code == 0
    soup = BeautifulSoup((output / "search/index.html").read_text(encoding="utf-8"), "html.parser")
    app = soup.find(id="search-app")
    assert app.has_attr("hidden"), "the form stays hidden until the script shows it"
    assert app["data-index"] == "../search/" and app["data-root"] == "../"
    form = soup.find("form", id="search-form")
    assert form.find("label", attrs={"for": "search-q"}).get_text(strip=True)
    assert form.find("input", id="search-q")["name"] == "q"
    assert soup.find(id="search-status")["role"] == "status"
    fallback = soup.find(id="search-fallback")
    assert "needs JavaScript" in fallback.get_text() and fallback.find("noscript")
    browse = {a["href"] for a in soup.select(".search-browse a")}
    assert {f"../{t}/" for t in ("tags", "topics", "countries", "languages", "outlets")} <= browse
    assert soup.find("script", src="../static/search.js").has_attr("defer")
    assert (output / "static/search.js").is_file() and (output / "static/search.css").is_file()
    current = soup.select_one('.site-nav a[aria-current="page"]')
    assert current.get_text() == "Search" and current["href"] == "../search/"
    home = BeautifulSoup((output / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one('.site-nav a[href="search/"]').get_text() == "Search"
    manifest = json.loads((output / "search/manifest.json").read_bytes())
    assert manifest["cases"] == 4  # drafts are not searchable


def test_a_plain_page_named_search_is_a_collision(fixture_site, run_cli, tmp_path):
    root = fixture_site("minimal")
    pages = root / "content/pages"
    pages.mkdir(parents=True)
    (pages / "search.md").write_text("---\ntitle: Search\n---\n\nHello.\n", encoding="utf-8")
    result = run_cli("build", "--root", root, "--output", tmp_path / "out")
    assert result.code == 1
    assert (
        "content/pages/search.md: error: output 'search/index.html' is also produced" in result.err
    )
