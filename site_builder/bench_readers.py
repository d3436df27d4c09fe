"""The readers' side of `site-builder bench`: what /search/ and /check/ download and how long
they take to answer, measured in real Chromium (Debian's, driven by Playwright) on a built
site served from 127.0.0.1, one fresh browser context (an empty cache) per measurement.

"First answer" is the time from submitting the form to the first result on screen, including
fetching and parsing the index files and importing the stemmer; "again" is a second, different
query on the same page. Bytes are the bodies of every request the answer made, as the local
server sent them (uncompressed; a host that gzips sends about a third).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
# In-page timing: from the submit event to the first child added to the results list.
_TIMER = """([form, list]) => new Promise((resolve) => {
  const start = performance.now();
  const seen = performance.getEntriesByType("resource").length;
  new MutationObserver((_, observer) => {
    observer.disconnect();
    const fetched = performance.getEntriesByType("resource").slice(seen);
    resolve({ms: performance.now() - start,
             bytes: fetched.reduce((n, e) => n + e.encodedBodySize, 0),
             files: fetched.length});
  }).observe(document.getElementById(list), {childList: true});
  document.getElementById(form).requestSubmit();
})"""


@dataclass(frozen=True, slots=True)
class Answer:
    ms: float
    bytes: int
    files: int


@dataclass(frozen=True, slots=True)
class ReaderFigures:
    search_index_bytes: int
    search_first: Answer
    search_again: Answer
    check_bytes: int
    check_first: Answer
    check_again: Answer


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _served(output: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(output))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _answers(
    browser: Any, url: str, fill: str, ids: tuple[str, str], texts: list[str]
) -> list[Answer]:
    """Answers to `texts` typed into `fill`, after the page has settled (networkidle)."""
    form, results = ids
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        answers = []
        for text in texts:
            page.fill(fill, text)
            found = page.evaluate(_TIMER, [form, results])
            answers.append(Answer(round(found["ms"], 1), found["bytes"], found["files"]))
        return answers
    finally:
        context.close()


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _queries(output: Path) -> tuple[list[str], list[str]]:
    """Two searches (two words of a case title) and two texts to check (a case's claim)."""
    rows = json.loads((output / "check" / "docs" / "0.json").read_text(encoding="utf-8"))
    titles = [row[1] for row in rows[:2]]
    searches = [" ".join(title.split()[:2]) for title in titles]
    checks = [f"{title}. Is this true? Everyone is sharing it today." for title in titles]
    return searches, checks


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "skipped: playwright is not installed (make setup installs it)"
    return None if Path(CHROMIUM).is_file() else f"skipped: {CHROMIUM} is missing"


def measure_check(output: Path, texts: list[str]) -> list[Answer] | str:
    """/check/'s answers to `texts` in Chromium, or why they could not be measured."""
    why = _unavailable()
    if why:
        return why
    from playwright.sync_api import sync_playwright

    with _served(output) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            ids = ("check-form", "check-results")
            return _answers(browser, f"{base}check/", "#check-claim", ids, texts)
        finally:
            browser.close()


def measure(output: Path) -> ReaderFigures | str:
    """The figures for a built site, or why they could not be taken; in a process of its own,
    as Playwright's sync API refuses to run inside a caller's event loop."""
    import subprocess
    import sys

    found = subprocess.run(
        [sys.executable, "-m", "site_builder.bench_readers", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if found.returncode != 0:
        return f"failed: {found.stderr.strip().splitlines()[-1:]}"
    value = json.loads(found.stdout)
    if isinstance(value, str):
        return value
    answers = {k: Answer(**v) for k, v in value.items() if isinstance(v, dict)}
    return ReaderFigures(**{**value, **answers})


def _measure(output: Path) -> ReaderFigures | str:
    why = _unavailable()
    if why:
        return why
    from playwright.sync_api import sync_playwright

    searches, checks = _queries(output)
    with _served(output) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            found = _answers(
                browser, f"{base}search/", "#search-q", ("search-form", "search-list"), searches
            )
            checked = _answers(
                browser, f"{base}check/", "#check-claim", ("check-form", "check-results"), checks
            )
        finally:
            browser.close()
    return ReaderFigures(
        _size(output / "search"), found[0], found[1], _size(output / "check"), *checked
    )


def table(rows: list[tuple[int, ReaderFigures | str]]) -> str:
    head = (
        "| cases | search index | search: first answer | search: again "
        "| check/ files | check: first answer | check: again |\n"
        "|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for cases, f in rows:
        if isinstance(f, str):
            lines.append(f"| {cases:,} | {f} | | | | | |")
            continue
        lines.append(
            f"| {cases:,} | {f.search_index_bytes / 1e6:.1f} MB | {_cell(f.search_first)} "
            f"| {_cell(f.search_again)} | {f.check_bytes / 1e6:.1f} MB "
            f"| {_cell(f.check_first)} | {_cell(f.check_again)} |"
        )
    return "\n".join(lines) + "\n(Chromium, 127.0.0.1, empty cache; bytes uncompressed)"


def _cell(answer: Answer) -> str:
    return f"{answer.ms:.0f} ms, {answer.bytes / 1e3:,.0f} kB in {answer.files} files"


if __name__ == "__main__":
    import dataclasses
    import sys

    figures = _measure(Path(sys.argv[1]))
    print(json.dumps(figures if isinstance(figures, str) else dataclasses.asdict(figures)))
