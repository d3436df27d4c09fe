"""`serve` end to end over real HTTP: live script injected, rebuild on edit, overlay on error."""

from __future__ import annotations

import json
import urllib.request


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, version: int) -> dict:
    return json.loads(get(f"{url}__live?version={version}"))


def test_serve_rebuilds_and_reports_errors(served_site):
    url, root = served_site
    page = get(url + "cases/only-case/")
    assert '<script src="/__live.js"></script></body>' in page
    version = wait_for(url, -1)["version"]

    case = root / "content/cases/only-case.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("Refutation.", "Fresh refutation."),
        encoding="utf-8",
    )
    state = wait_for(url, version)
    assert state["errors"] is None
    assert "Fresh refutation." in get(url + "cases/only-case/")

    good = case.read_text(encoding="utf-8")
    case.write_text(good.replace("date: 2022-01-01", "date: 2022-02-30"), encoding="utf-8")
    state = wait_for(url, state["version"])
    assert state["errors"] == [
        "content/cases/only-case.md:3: error: 'date' must be a real date (YYYY-MM-DD), got '2022-02-30'"
    ]
    assert "Fresh refutation." in get(url + "cases/only-case/"), "last good build must stay served"

    case.write_text(good, encoding="utf-8")
    assert wait_for(url, state["version"])["errors"] is None
