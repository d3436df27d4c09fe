"""Build the `full` fixture site and assert on the parsed HTML of its pages."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from site_builder.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "sites" / "full"
REPO = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("full") / "output"
    assert (
        main(["build", "--root", str(FIXTURE), "--output", str(output), "--quiet", "--no-cache"])
        == 0
    )
    return output


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def test_case_page_shows_all_parts(site):
    page = soup(site, "cases/moon-base-hidden/index.html")
    article = page.select_one("article.case")
    assert article.h1.get_text() == "Moon base hidden <script>alert('x')</script> by agency"
    assert page.title.get_text().startswith("Moon base hidden <script>")
    assert article.select_one("time")["datetime"] == "2024-03-01"
    assert article.select_one(".case-rating").get_text(" ", strip=True) == "Rating: Disinformation"
    assert "secret moon base" in article.select_one(".claim").get_text()
    summary, response = (
        article.select_one("section.case-summary"),
        article.select_one("section.case-response"),
    )
    assert summary.h2.get_text() == "Summary" and "moon base" in summary.get_text()
    assert response.h2.get_text() == "Response" and response.select_one("table")
    outlet = article.select_one("ul.outlets li")
    assert [a["href"] for a in outlet.select("a")] == [
        "../../outlets/orbit-whisper/",
        "https://orbit-whisper.example/moon",
        "https://archive.example/moon1",
    ]


def test_script_in_title_and_body_is_escaped(site):
    html = (site / "cases/moon-base-hidden/index.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    # The only script is the JSON-LD data block; the hostile title stays inside its JSON.
    assert [s["type"] for s in page.find_all("script")] == ["application/ld+json"]
    assert "&lt;script&gt;alert(&quot;body&quot;)&lt;/script&gt;" in html


def test_jinja_syntax_in_content_is_literal(site):
    text = (
        soup(site, "cases/wind-turbines-cause-drought/index.html")
        .select_one(".case-summary")
        .get_text()
    )
    assert "{{ 7 * 7 }}" in text and "{% if true %}x{% endif %}" in text and "49" not in text


def test_related_links_go_both_ways(site):
    def related(slug: str) -> list[str]:
        return [
            a["href"] for a in soup(site, f"cases/{slug}/index.html").select("nav.related li > a")
        ]

    assert related("moon-base-hidden")[0] == "../../cases/moon-photos-faked/"
    assert related("moon-photos-faked")[0] == "../../cases/moon-base-hidden/"
    assert related("rain-made-by-planes")[0] == "../../cases/wind-turbines-cause-drought/"
    reasons = (
        soup(site, "cases/moon-photos-faked/index.html")
        .select_one("nav.related .reasons")
        .get_text()
    )
    assert "editor's pick" in reasons


def test_terms_merge_spellings_and_link_back(site):
    page = soup(site, "tags/krakow/index.html")
    # 'Kraków', 'Krakow' and 'krakow' appear once each: the tie goes to the first in code-point order.
    assert page.h1.get_text(" ", strip=True) == "Tag: Krakow"
    listed = [a["href"] for a in page.select("ol.case-list a")]
    assert listed == ["../../cases/moon-base-hidden/", "../../cases/moon-photos-faked/"]
    assert page.select_one("nav.pagination a[rel=next]")["href"] == "../../tags/krakow/page/2/"
    second = soup(site, "tags/krakow/page/2/index.html")
    assert [a["href"] for a in second.select("ol.case-list a")] == [
        "../../../../cases/rain-made-by-planes/"
    ]
    assert second.select_one("nav.breadcrumb a[href='../../../../tags/']")


def test_term_index_lists_counts(site):
    items = {
        li.a.get_text(): li.select_one(".count").get_text()
        for li in soup(site, "topics/index.html").select("ul.term-index li")
    }
    assert items == {"Climate": "2", "Science": "3"}


def test_home_is_paginated_newest_first(site):
    first = [a.get_text() for a in soup(site, "index.html").select("ol.case-list h3 a")]
    second = [a.get_text() for a in soup(site, "page/2/index.html").select("ol.case-list h3 a")]
    assert first[1] == "Moon photos were faked in a studio" and len(first) == 2
    assert second == ["Planes make the rain on purpose", "Wind turbines cause drought"]


def test_drafts_are_excluded_unless_asked(site, tmp_path):
    assert not (site / "cases/unpublished-draft").exists()
    output = tmp_path / "with-drafts"
    assert (
        main(
            [
                "build",
                "--root",
                str(FIXTURE),
                "--output",
                str(output),
                "--drafts",
                "--quiet",
                "--no-cache",
            ]
        )
        == 0
    )
    assert (output / "cases/unpublished-draft/index.html").is_file()


def test_alias_redirects_to_case(site):
    page = soup(site, "old/moon-base/index.html")
    assert (
        page.select_one("meta[http-equiv=refresh]")["content"]
        == "0; url=../../cases/moon-base-hidden/"
    )
    assert (
        page.select_one("link[rel=canonical]")["href"]
        == "https://example.org/debunks/cases/moon-base-hidden/"
    )


def test_plain_page_and_menu(site):
    page = soup(site, "about/index.html")
    assert page.h1.get_text() == "About the fixture"
    assert page.select_one("article.page a")["href"] == "../cases/moon-base-hidden/"
    assert page.select_one("nav.site-nav a[aria-current=page]").get_text() == "About the fixture"


def test_404_uses_base_path_links(site):
    page = soup(site, "404.html")
    assert page.select_one("link[rel=stylesheet]")["href"] == "/debunks/static/style.css"


def _internal_links(site: Path) -> list[tuple[str, str]]:
    links = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel == "404.html":
            continue
        for tag in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select(
            "[href], [src]"
        ):
            target = tag.get("href") or tag.get("src")
            if not urlsplit(target).scheme and not target.startswith("#"):
                links.append((rel, target))
    return links


@pytest.mark.parametrize("which", ["fixture", "starter"])
def test_every_internal_link_resolves_under_any_mount_point(which, site, tmp_path):
    """Links are relative, never root-relative, so they work from '/' and from a sub-path."""
    if which == "starter":
        site = tmp_path / "starter"
        assert main(["build", "--root", str(REPO), "--output", str(site), "--quiet"]) == 0
    broken = []
    for page, target in _internal_links(site):
        assert not target.startswith("/"), f"{page}: root-relative link {target}"
        resolved = PurePosixPath("/mount") / PurePosixPath(page).parent / urlsplit(target).path
        parts: list[str] = []
        for part in resolved.parts[1:]:
            if part == "..":
                assert len(parts) > 1, f"{page}: {target} escapes the site"
                parts.pop()
            elif part != ".":
                parts.append(part)
        assert parts[:1] == ["mount"], f"{page}: {target} leaves the mount point"
        file = site.joinpath(*parts[1:])
        if not (file.is_file() or (file / "index.html").is_file()):
            broken.append(f"{page}: {target}")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:30])


def test_menu_marks_the_current_page_on_every_kind_of_page(site):
    """The header is rendered once per depth and current item (`render._SiteHeader`): each
    page must still mark its own menu entry, and only that one."""
    expected = {
        "index.html": "Cases",
        "tags/index.html": "Tags",
        "search/index.html": "Search",
        "cases/moon-base-hidden/index.html": None,
        "tags/space/index.html": None,
    }
    for rel, label in expected.items():
        current = [a.get_text() for a in soup(site, rel).select("nav.site-nav a[aria-current]")]
        assert current == ([label] if label else []), rel


def test_a_site_header_template_overrides_the_theme(fixture_site, tmp_path):
    root = fixture_site("minimal")
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "_header.html").write_text(
        '<header class="site-header"><a href="{{ root or \'./\' }}">Our own {{ site.title }}</a>'
        "</header>\n",
        encoding="utf-8",
    )
    output = tmp_path / "out"
    assert main(["build", "--root", str(root), "--output", str(output), "--quiet"]) == 0
    for rel in ("index.html", "tags/index.html"):
        header = soup(output, rel).select_one("header.site-header")
        assert header.get_text().startswith("Our own "), rel
        assert header.a["href"] == ("./" if rel == "index.html" else "../")
