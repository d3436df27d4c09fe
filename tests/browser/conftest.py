"""Fixtures for the browser tests: build the shipped site, serve it, drive Debian's Chromium.

The browser is Debian's Chromium at /usr/bin/chromium (installed by
tools/ensure-system-deps.sh); Playwright never downloads a browser here.
When Chromium or Playwright is missing the browser tests fail under CI=true
and are skipped otherwise.

Set STARTER_SITE_DIR=/path/to/built/output to test an already built site
instead of building the repository's site (handy when iterating locally).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
SCREENSHOT_WIDTHS = (390, 1280)
VIEWPORT_HEIGHTS = {390: 844, 1280: 800}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
IGNORED_SCHEMES = {"data", "about", "blob"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def unavailable(message: str) -> NoReturn:
    """Fail under CI (everything must be installed there), skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def build_site(output: Path) -> Path:
    """Build the repository's shipped site into ``output`` with the real CLI."""
    cmd = [
        sys.executable,
        "-m",
        "site_builder",
        "build",
        "--root",
        str(REPO_ROOT),
        "--output",
        str(output),
    ]
    proc = subprocess.run(
        cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert proc.returncode == 0, (
        f"site build failed (exit {proc.returncode}): {' '.join(cmd)}\n"
        f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"
    )
    assert (output / "index.html").is_file(), f"build produced no {output / 'index.html'}"
    return output


def is_local_url(url: str) -> bool:
    """True for requests that stay on this machine (or never hit the network)."""
    parts = urlsplit(url)
    if parts.scheme in IGNORED_SCHEMES:
        return True
    return parts.hostname in LOCAL_HOSTS


# --------------------------------------------------------------------------- site


@pytest.fixture(scope="session")
def starter_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's shipped site, built once per session; returns the output dir."""
    prebuilt = os.environ.get("STARTER_SITE_DIR")
    if prebuilt:
        path = Path(prebuilt).resolve()
        assert (path / "index.html").is_file(), f"STARTER_SITE_DIR={path} has no index.html"
        return path
    return build_site(tmp_path_factory.mktemp("starter-site") / "output")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def site_server(starter_site: Path) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 (free port); yields the base URL ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(starter_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# ------------------------------------------------------------------------ browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"playwright is not importable ({exc}); run `make setup`")
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        unavailable(
            f"{CHROMIUM} not found: install Debian's Chromium "
            "(sh tools/ensure-system-deps.sh, or apt-get install chromium)"
        )
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        pw.stop()
        raise
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context and page.

    Every request is recorded; at teardown the test errors if any request left
    127.0.0.1/localhost (no third-party requests: fonts, CDNs, analytics, ...)
    or if the page threw an uncaught JavaScript exception. Off-machine requests
    are aborted so they can't hang the test.
    """
    context = browser.new_context(
        viewport={"width": 1280, "height": VIEWPORT_HEIGHTS[1280]},
        # axe is injected as an inline script; a strict CSP must not block it.
        bypass_csp=True,
        service_workers="block",
    )
    requests: list[str] = []
    page_errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.route(lambda url: not is_local_url(url), lambda route: route.abort())
    pg = context.new_page()
    pg.on("pageerror", lambda error: page_errors.append(str(error)))
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()
    problems = []
    third_party = sorted({url for url in requests if not is_local_url(url)})
    if third_party:
        problems.append("third-party requests made:\n  " + "\n  ".join(third_party))
    if page_errors:
        problems.append("uncaught JavaScript errors:\n  " + "\n  ".join(page_errors))
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------- axe


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Inject axe-core (from node_modules) into ``page`` and return its violations."""
    if not AXE_JS.is_file():
        unavailable(f"{AXE_JS} missing: run `make node-deps` (npm ci)")
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only the violations whose impact is serious or critical."""
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


def format_violations(violations: list[dict[str, Any]], max_nodes: int = 5) -> str:
    """Readable summary: id, impact, help, and the offending nodes."""
    lines = []
    for v in violations:
        lines.append(f"[{v.get('impact')}] {v.get('id')}: {v.get('help')} ({v.get('helpUrl')})")
        nodes = v.get("nodes", [])
        for node in nodes[:max_nodes]:
            target = json.dumps(node.get("target"))
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}: {node.get('html', '')[:200]}")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(nodes) > max_nodes:
            lines.append(f"    ... and {len(nodes) - max_nodes} more nodes")
    return "\n".join(lines)


@dataclass(frozen=True)
class Axe:
    """Callable returned by the ``axe`` fixture: ``axe(page)`` -> violations."""

    def __call__(self, page: Any) -> list[dict[str, Any]]:
        return run_axe(page)

    @staticmethod
    def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return serious(violations)

    @staticmethod
    def format(violations: list[dict[str, Any]]) -> str:
        return format_violations(violations)


@pytest.fixture(scope="session")
def axe() -> Axe:
    """``axe(page)`` runs axe-core; ``axe.serious(v)`` / ``axe.format(v)`` help assert."""
    return Axe()


# -------------------------------------------------------------------- screenshots


@dataclass(frozen=True)
class Shot:
    width: int
    path: Path
    scroll_width: int


def take_screenshots(page: Any, name: str) -> list[Shot]:
    """Full-page PNGs at each width into test-artifacts/screenshots/<name>-<width>.png.

    Returns, per width, the file and ``document.documentElement.scrollWidth``
    measured at that width (to check for horizontal scrolling).
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    shots = []
    try:
        for width in SCREENSHOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHTS[width]})
            page.evaluate("() => document.fonts.ready.then(() => undefined)")
            scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
            path = SCREENSHOT_DIR / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            shots.append(Shot(width, path, scroll_width))
    finally:
        if original:
            page.set_viewport_size(original)
    return shots


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Any, str], list[Shot]]:
    """``screenshot(page, name)`` -> list of Shot(width, path, scroll_width)."""
    return take_screenshots
