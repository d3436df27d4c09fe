"""`site-builder serve`: build, serve on 127.0.0.1, rebuild on change, reload open pages.

Builds go through `build_site`, which stages and swaps, so the server never shows a half-written
site. A failed rebuild keeps the last good site and shows an overlay with the diagnostics in
every open page; the next good build clears it (Zola's overlay with MkDocs' epoch gate).
Reloading uses a small self-hosted long-poll script: no external JavaScript.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .build import build_site
from .diagnostics import UserError, sorted_diagnostics

LIVE_PATH = "/__live"
SCRIPT_PATH = "/__live.js"
DEBOUNCE_SECONDS = 0.2
POLL_SECONDS = 20.0

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


def rebuild(
    root: Path, output: Path, drafts: bool, state: LiveState, log: Callable[[str], None]
) -> None:
    start = time.perf_counter()
    try:
        result, warnings = build_site(root, output, drafts=drafts)
    except UserError as exc:
        lines = tuple(d.format() for d in sorted_diagnostics(exc.diagnostics))
        log("\n".join(lines) + "\nbuild failed; still serving the last good build")
        state.publish(lines)
        return
    for warning in warnings:
        log(warning.format())
    log(
        f"rebuilt in {time.perf_counter() - start:.2f}s: {result.written} files written, "
        f"{result.unchanged} unchanged, {result.removed} removed"
    )
    state.publish(None)


class _Handler(http.server.SimpleHTTPRequestHandler):
    state: LiveState

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == LIVE_PATH:
            version = int(parse_qs(parts.query).get("version", ["-1"])[0])
            status = self.state.wait_for_change(version, POLL_SECONDS)
            body = json.dumps({"version": status.version, "errors": status.errors})
            return self._send(body.encode(), "application/json")
        if parts.path == SCRIPT_PATH:
            status = self.state.status
            script = LIVE_SCRIPT % (status.version, LIVE_PATH, json.dumps(status.errors))
            return self._send(script.encode(), "text/javascript; charset=utf-8")
        path = Path(self.translate_path(parts.path))
        if path.is_dir() and parts.path.endswith("/"):
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            html = path.read_bytes().replace(
                b"</body>", f'<script src="{SCRIPT_PATH}"></script></body>'.encode(), 1
            )
            return self._send(html, "text/html; charset=utf-8")
        return super().do_GET()


class _Changes(FileSystemEventHandler):
    def __init__(self, root: Path, output: Path, wake: threading.Event) -> None:
        self.watched = [root / "content", root / "templates", root / "site.toml"]
        self.output = output.resolve()
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(str(raw)).resolve() if raw else None
            if (
                path
                and not path.is_relative_to(self.output)
                and any(path.is_relative_to(w) for w in self.watched)
            ):
                self.wake.set()


def _watch_loop(
    root: Path,
    output: Path,
    drafts: bool,
    state: LiveState,
    wake: threading.Event,
    log: Callable[[str], None],
) -> None:
    while True:
        wake.wait()
        while wake.is_set():  # debounce: wait until events stop arriving
            wake.clear()
            time.sleep(DEBOUNCE_SECONDS)
        rebuild(root, output, drafts, state, log)


def make_server(output: Path, port: int, state: LiveState) -> http.server.ThreadingHTTPServer:
    handler = type("LiveHandler", (_Handler,), {"state": state})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(output))
    )
    server.daemon_threads = True
    return server


def serve(root: Path, output: Path, *, port: int, drafts: bool, log: Callable[[str], None]) -> None:
    """Run until interrupted. The first build may fail; the overlay then explains why."""
    state = LiveState()
    rebuild(root, output, drafts, state, log)
    output.mkdir(parents=True, exist_ok=True)
    wake = threading.Event()
    observer = Observer()
    changes = _Changes(root, output, wake)
    for directory in (root / "content", root / "templates"):
        if directory.is_dir():
            observer.schedule(changes, str(directory), recursive=True)
    observer.schedule(changes, str(root), recursive=False)
    observer.start()
    threading.Thread(
        target=_watch_loop, args=(root, output, drafts, state, wake, log), daemon=True
    ).start()
    server = make_server(output, port, state)
    log(f"serving {output} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    finally:
        observer.stop()
        server.server_close()
