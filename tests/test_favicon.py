"""The favicon: the theme's SVG by default, the site's own when `site.toml` names one; every
page links it, and a name that is not a file under templates/static/ is a config error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_builder.config import parse_config
from site_builder.diagnostics import UserError

SCRIPT = Path(sys.executable).with_name("site-builder")
THEME_ICON = Path(__file__).parents[1] / "templates/static/favicon.svg"
CASE = "---\ntitle: A case\ndate: 2024-01-01\naliases: [/old/]\n---\n## Summary\n\nS.\n\n## Response\n\nR.\n"


def _site(root: Path, config: str) -> Path:
    (root / "content/cases").mkdir(parents=True)
    (root / "content/pages").mkdir(parents=True)
    (root / "site.toml").write_text(config, encoding="utf-8")
    (root / "content/cases/a-case.md").write_text(CASE, encoding="utf-8")
    (root / "content/pages/about.md").write_text("---\ntitle: About\n---\nText.\n", "utf-8")
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args, "--root", "."], cwd=root, capture_output=True, text=True, timeout=120
    )


def _icons(output: Path) -> dict[str, tuple[str, str]]:
    found = {}
    for page in sorted(output.rglob("*.html")):
        links = BeautifulSoup(page.read_text("utf-8"), "html.parser").select('link[rel="icon"]')
        assert len(links) == 1, page
        found[page.relative_to(output).as_posix()] = (links[0]["href"], links[0]["type"])
    return found


def test_theme_icon_is_shipped_and_linked_from_every_page(tmp_path):
    root = _site(tmp_path / "site", 'base_url = "https://e.org/sub/"\n')
    assert _run(root, "build").returncode == 0
    output = root / "output"
    assert (output / "static/favicon.svg").read_bytes() == THEME_ICON.read_bytes()
    icons = _icons(output)
    assert {"index.html", "404.html", "cases/a-case/index.html", "old/index.html"} <= set(icons)
    for page, (href, kind) in icons.items():
        assert kind == "image/svg+xml"
        if page == "404.html":  # served at any depth: root-relative to base_url's path
            assert href == "/sub/static/favicon.svg"
        else:
            assert (output / page).parent.joinpath(href).resolve() == (
                output / "static/favicon.svg"
            ).resolve(), page


def test_site_icon_replaces_the_theme_icon(tmp_path):
    root = _site(tmp_path / "site", 'favicon = "icons/logo.png"\n')
    (root / "templates/static/icons").mkdir(parents=True)
    (root / "templates/static/icons/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert _run(root, "build").returncode == 0
    icons = _icons(root / "output")
    assert icons["cases/a-case/index.html"] == ("../../static/icons/logo.png", "image/png")
    assert (root / "output/static/icons/logo.png").is_file()


def test_missing_icon_file_is_an_error_with_its_line(tmp_path):
    root = _site(tmp_path / "site", 'title = "T"\nfavicon = "nope.svg"\n')
    result = _run(root, "build")
    assert result.returncode == 2
    assert "site.toml:2: error: 'favicon': no file templates/static/nope.svg" in result.stderr
    assert not (root / "output").exists()


@pytest.mark.parametrize(
    "value",
    ['"/abs.svg"', '"../x.svg"', '"a/../b.svg"', '"icon.gif"', '"https://e.org/i.svg"', "3"],
)
def test_favicon_must_be_a_static_file_name(value):
    with pytest.raises(UserError) as caught:
        parse_config(f"favicon = {value}\n")
    (problem,) = caught.value.diagnostics
    assert problem.line == 1 and "expected a file under templates/static/" in problem.message
