"""`serve` while every rebuild swaps the whole output (the cache cannot be written, so no
build is incremental): pages asked for during the swap are still answered, quietly."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from serving import TESTS, serving


def _status(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:  # the server dropped the connection mid-answer
        return type(exc).__name__


def _version(url: str, seen: int) -> int:
    with urllib.request.urlopen(f"{url}__live?version={seen}", timeout=30) as response:
        return json.loads(response.read())["version"]


def test_pages_asked_for_during_a_full_swap_are_served(tmp_path: Path) -> None:
    """Between the two renames of a full swap the output does not exist: requests then got
    404 for pages that exist, and a page found just before the swap failed mid-answer with a
    FileNotFoundError traceback in the terminal and a dropped connection."""
    site = tmp_path / "site"
    shutil.copytree(TESTS / "fixtures" / "sites" / "minimal", site)
    (site / ".cache").write_text("not a folder", encoding="utf-8")  # every build is full
    case = site / "content/cases/only-case.md"
    with serving(site, "--root", ".") as served:
        version = _version(served.url, -1)
        answers: dict[int | str, int] = {}
        done = threading.Event()

        def ask() -> None:
            while not done.is_set():
                for page in ("", "cases/only-case/", "static/style.css"):
                    answer = _status(served.url + page)
                    answers[answer] = answers.get(answer, 0) + 1

        askers = [threading.Thread(target=ask) for _ in range(3)]
        for asker in askers:
            asker.start()
        try:
            for n in range(6):
                text = re.sub(
                    r"## Response\n\n.*",
                    f"## Response\n\nEdit {n}.\n",
                    case.read_text("utf-8"),
                    flags=re.S,
                )
                case.write_text(text, encoding="utf-8")
                deadline = time.monotonic() + 30
                while (now := _version(served.url, version)) == version:
                    assert time.monotonic() < deadline, served.log()
                version = now
        finally:
            done.set()
            for asker in askers:
                asker.join()
        log = served.log()
    assert log.count("the site was published anyway") >= 6, log
    assert "Traceback" not in log, log
    assert set(answers) == {200}, answers


def test_the_404_page_of_a_sub_path_site_gets_its_styles_and_favicon(tmp_path: Path) -> None:
    """404.html links its assets through the base_url's path (it must work at any depth), but
    serve answered only at '/': under `serve` the 404 page was unstyled and its favicon a 404
    (a console error on the very page that explains a missing page)."""
    site = tmp_path / "site"
    shutil.copytree(TESTS / "fixtures" / "sites" / "minimal", site)
    config = site / "site.toml"
    text = re.sub(r"(?m)^base_url = .*$", "", config.read_text("utf-8"))
    config.write_text('base_url = "https://example.net/desk/"\n' + text, encoding="utf-8")
    with serving(site, "--root", ".") as served:
        _version(served.url, -1)
        with urllib.request.urlopen(served.url + "desk/cases/only-case/", timeout=30) as page:
            assert page.status == 200
        try:
            urllib.request.urlopen(served.url + "no/such/page/", timeout=30)
            raise AssertionError("a missing page must be a 404")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
            body = exc.read().decode("utf-8")
        assets = re.findall(r'<link rel="(?:stylesheet|icon)"[^>]* href="([^"]+)"', body)
        assert any(a.endswith("favicon.svg") for a in assets), body
        assert all(a.startswith("/desk/") for a in assets), assets
        for asset in assets:
            assert _status(served.url.rstrip("/") + asset) == 200, asset
