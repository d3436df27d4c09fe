"""Live reload in a real browser: edits appear without a manual reload, errors show an
overlay naming the file, and fixing the file clears it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_live_reload_and_error_overlay(browser, served_site):
    url, root = served_site
    page = browser.new_page()
    try:
        page.goto(url + "cases/only-case/")
        assert page.locator("section.case-response").inner_text().count("Refutation.") == 1
        case = root / "content/cases/only-case.md"
        good = case.read_text(encoding="utf-8")

        case.write_text(good.replace("Refutation.", "Edited live."), encoding="utf-8")
        page.wait_for_function("document.body.innerText.includes('Edited live.')", timeout=10_000)

        case.write_text(good.replace("title: The only case", "title: [broken"), encoding="utf-8")
        overlay = page.locator("#__live_overlay")
        overlay.wait_for(state="visible", timeout=10_000)
        assert "content/cases/only-case.md:2: error" in overlay.inner_text()

        case.write_text(good.replace("Refutation.", "Fixed again."), encoding="utf-8")
        page.wait_for_function("document.body.innerText.includes('Fixed again.')", timeout=10_000)
        assert page.locator("#__live_overlay").count() == 0
    finally:
        page.close()
