"""The preview server's HTTP side: static files, the live-reload long poll, the site's 404 page.

Kept apart from the watcher so each can be read alone. A browser that goes away mid-answer
(a closed tab during the long poll) is normal for a preview server and is never reported.
"""

from __future__ import annotations

import errno
import functools
import http.server
import json
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .diagnostics import error
from .environment import EnvironmentFailure

LIVE_PATH = "/__live"
SCRIPT_PATH = "/__live.js"
POLL_SECONDS = 20.0
NOT_FOUND_PAGE = "404.html"
# A full rebuild swaps the output in with two renames; between them it does not exist.
SWAP_WAIT_SECONDS = 1.0

LIVE_SCRIPT = """(function () {
  var version = %d;
  function overlay(errors) {
    var box = document.getElementById("__live_overlay");
    if (!errors) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div"); box.id = "__live_overlay"; box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:99999;" +
        "background:#2b0d0d;color:#ffe3e3;font:14px/1.5 monospace;padding:1rem;white-space:pre-wrap;" +
        "border-top:4px solid #ff6b6b";
      document.body.appendChild(box);
    }
    box.textContent = "Build failed; showing the last good build.\\n\\n" + errors.join("\\n");
  }
  function poll() {
    fetch("%s?version=" + version, {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.version !== version) {
          version = state.version;
          if (state.errors) { overlay(state.errors); } else { location.reload(); return; }
        }
        poll();
      }).catch(function () { setTimeout(poll, 1000); });
  }
  overlay(%s);
  poll();
})();
"""

# What a client that went away raises while we answer it.
CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout)


@dataclass(frozen=True, slots=True)
class Status:
    """What the browser needs: a version that changes on every build, and the last errors."""

    version: int
    errors: tuple[str, ...] | None


class LiveState:
    """The one piece of shared state between the rebuild thread and request threads."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._status = Status(0, None)
        # The path of the site's base_url ('/sub/'): pages that must work at any depth, such
        # as 404.html, link their styles and favicon through it, so it is served too.
        self.base_path = "/"
        # The warnings the terminal last showed: a rebuild repeats them in one line, so an
        # editor sees what is new (only the rebuild thread touches it).
        self.warnings_shown: tuple[str, ...] = ()

    @property
    def status(self) -> Status:
        with self._condition:
            return self._status

    def publish(self, errors: tuple[str, ...] | None) -> None:
        with self._condition:
            self._status = Status(self._status.version + 1, errors)
            self._condition.notify_all()

    def wait_for_change(self, version: int, timeout: float) -> Status:
        with self._condition:
            self._condition.wait_for(lambda: self._status.version != version, timeout)
            return self._status


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: LiveState

    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except CLIENT_GONE:
            self.close_connection = True

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _send_html(self, path: Path, status: int = 200) -> bool:
        """False when the page went away after it was found: a rebuild swapped the output."""
        try:
            raw = path.read_bytes()
        except OSError:
            return False
        html = raw.replace(b"</body>", f'<script src="{SCRIPT_PATH}"></script></body>'.encode(), 1)
        self._send(html, "text/html; charset=utf-8", status)
        return True

    def translate_path(self, path: str) -> str:
        """The file for `path`, also when it carries the base_url's path; a file of the site
        that starts with the same folder name ('/desk/' in both) is served first."""
        found = super().translate_path(path)
        prefix = self.state.base_path
        if prefix != "/" and path.startswith(prefix) and not os.path.exists(found):
            return super().translate_path("/" + path[len(prefix) :])
        return found

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == LIVE_PATH:
            version = _int(parse_qs(parts.query).get("version", ["-1"])[0])
            status = self.state.wait_for_change(version, POLL_SECONDS)
            body = json.dumps({"version": status.version, "errors": status.errors})
            return self._send(body.encode(), "application/json")
        if parts.path == SCRIPT_PATH:
            status = self.state.status
            script = LIVE_SCRIPT % (status.version, LIVE_PATH, json.dumps(status.errors))
            return self._send(script.encode(), "text/javascript; charset=utf-8")
        for _ in range(2):  # a second look when a rebuild's swap hid the file at the first
            _wait_for_output(self.directory)
            path = Path(self.translate_path(parts.path))
            if path.is_dir() and parts.path.endswith("/"):
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file() and self._send_html(path):
                return None
            if path.exists():
                return super().do_GET()
        return self._not_found()

    def _not_found(self) -> None:
        """Answer as a static host would: the site's own 404 page, with status 404."""
        page = Path(self.directory) / NOT_FOUND_PAGE
        if page.is_file() and self._send_html(page, 404):
            return None
        return self._send(b"Not found\n", "text/plain; charset=utf-8", 404)


def _wait_for_output(directory: str) -> None:
    """Let a request that falls between the two renames of a full rebuild's swap wait for the
    new output, instead of answering 404 (or failing mid-answer) for a page that exists."""
    deadline = time.monotonic() + SWAP_WAIT_SECONDS
    while not os.path.isdir(directory) and time.monotonic() < deadline:
        time.sleep(0.01)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet about clients that went away; anything else is a bug worth a traceback."""
        if isinstance(sys.exc_info()[1], CLIENT_GONE):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def make_server(output: Path, port: int, state: LiveState) -> http.server.ThreadingHTTPServer:
    """Bound, not yet serving; a port in use is most often another `serve` left running, so
    the message says so and how to pick another, not just the OS's "Address already in use"."""
    handler = type("LiveHandler", (_Handler,), {"state": state})
    try:
        return _Server(("127.0.0.1", port), functools.partial(handler, directory=str(output)))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        hint = f"stop it, or serve on another port: --port {port + 1} (--port 0 picks a free one)"
        message = "the port is in use by another program (another site-builder serve?)"
        raise EnvironmentFailure([error(f"127.0.0.1 port {port}", None, message, hint)]) from None
