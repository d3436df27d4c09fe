"""`site-builder serve`: build, serve on 127.0.0.1, rebuild on change, reload open pages.

Builds go through `build_site`, which stages and swaps, so the server never shows a half-written
site. A failed rebuild keeps the last good site and shows an overlay with the diagnostics in
every open page; the next good build clears it (Zola's overlay with MkDocs' epoch gate).
Reloading uses a small self-hosted long-poll script: no external JavaScript.

The server must never stop rebuilding quietly, whatever happens to the files it watches:
- paths are made absolute once, at start, and event paths are compared as strings, never
  resolved (`Path.resolve` raises on a symlink loop, which killed the watcher thread);
- a rebuild that raises anything is reported, in the terminal and the overlay, and the loop
  goes on;
- watches are re-armed when `content/` or `templates/` is removed and created again (inotify
  drops a watch with its directory), checked once a second.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from .build import build_site
from .config import load_config
from .diagnostics import UserError, sorted_diagnostics
from .serve_http import LiveState, make_server

DEBOUNCE_SECONDS = 0.2
REARM_SECONDS = 1.0
WATCHED_DIRS = ("content", "templates")
WATCHED_FILES = ("site.toml",)


def rebuild(
    root: Path, output: Path, drafts: bool, state: LiveState, log: Callable[[str], None]
) -> None:
    """Build once and publish the outcome; never raises, so the watch loop always goes on."""
    start = time.perf_counter()
    try:
        result, warnings = build_site(root, output, drafts=drafts)
    except UserError as exc:
        lines = tuple(d.format() for d in sorted_diagnostics(exc.diagnostics))
        _failed(lines, state, log)
        return
    except OSError as exc:
        where = exc.filename if exc.filename else root
        _failed((f"{where}: error: {exc.strerror or exc}",), state, log)
        return
    except Exception as exc:  # a bug, but the preview must stay alive and say so
        _failed((f"internal error: {type(exc).__name__}: {exc}",), state, log)
        return
    _log_warnings(tuple(w.format() for w in warnings), state, log)
    for note in result.notes:  # a cache that cannot be written, leftovers removed: as `build`
        log(note)
    with contextlib.suppress(UserError, OSError):  # it just loaded; a race is harmless
        state.base_path = load_config(root).base_path
    log(
        f"rebuilt in {time.perf_counter() - start:.2f}s: {result.written} files written, "
        f"{result.unchanged} unchanged, {result.removed} removed"
    )
    state.publish(None)


def _log_warnings(lines: tuple[str, ...], state: LiveState, log: Callable[[str], None]) -> None:
    """Print the warnings once; while they stay the same, a line says so instead."""
    if lines and lines == state.warnings_shown:
        log(
            f"{len(lines)} warning{'s' if len(lines) != 1 else ''} as before (fix them with `check`)"
        )
    else:
        for line in lines:
            log(line)
    state.warnings_shown = lines


def _failed(lines: tuple[str, ...], state: LiveState, log: Callable[[str], None]) -> None:
    log("\n".join(lines) + "\nbuild failed; still serving the last good build")
    state.publish(lines)


class _Changes(FileSystemEventHandler):
    """Wakes the rebuild loop for events under the watched inputs, never for the output."""

    def __init__(self, root: Path, output: Path, wake: threading.Event) -> None:
        self.watched = tuple(str(root / name) for name in WATCHED_DIRS + WATCHED_FILES)
        self.output = str(output)
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw and self.is_input(os.fsdecode(raw)):
                self.wake.set()

    def is_input(self, path: str) -> bool:
        path = os.path.normpath(path)
        return not _under(path, self.output) and any(_under(path, w) for w in self.watched)


def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


class _Watches:
    """The observer's watches on one site, re-armed when a watched directory comes back.

    State is real here: which directory (by device and inode) each watch was armed on.
    """

    def __init__(self, root: Path, handler: _Changes) -> None:
        self.root = root
        self.handler = handler
        self.observer: BaseObserver = Observer()
        self.armed: dict[str, tuple[ObservedWatch, tuple[int, int]]] = {}

    def start(self) -> None:
        self.observer.schedule(self.handler, str(self.root), recursive=False)
        self.rearm()
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()

    def rearm(self) -> bool:
        """Make every watched directory's watch current; True when any changed."""
        changed = False
        live = {emitter.watch for emitter in self.observer.emitters if emitter.is_alive()}
        for name in WATCHED_DIRS:
            identity = _identity(self.root / name)
            current = self.armed.get(name)
            if current and current[1] == identity and current[0] in live:
                continue
            if current is None and identity is None:
                continue
            changed = True
            self._arm(name, current, identity)
        return changed

    def _arm(
        self,
        name: str,
        current: tuple[ObservedWatch, tuple[int, int]] | None,
        identity: tuple[int, int] | None,
    ) -> None:
        if current is not None:
            self.armed.pop(name)
            # Its emitter may already have ended with the directory.
            with contextlib.suppress(KeyError, OSError):
                self.observer.unschedule(current[0])
        if identity is None:
            return
        try:
            watch = self.observer.schedule(self.handler, str(self.root / name), recursive=True)
        except OSError:
            return  # vanished again, or unreadable: the next tick and the build will say
        self.armed[name] = (watch, identity)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except (OSError, RuntimeError):
        return None
    return (st.st_dev, st.st_ino) if path.is_dir() else None


def _watch_loop(
    watches: _Watches,
    rebuild_now: Callable[[], None],
    wake: threading.Event,
) -> None:
    """Rebuild after events settle; re-arm lost watches once a second and rebuild then too."""
    while True:
        woke = wake.wait(REARM_SECONDS)
        rearmed = watches.rearm()
        if not woke and not rearmed:
            continue
        while wake.is_set():  # debounce: wait until events stop arriving
            wake.clear()
            time.sleep(DEBOUNCE_SECONDS)
        rebuild_now()


def serve(root: Path, output: Path, *, port: int, drafts: bool, log: Callable[[str], None]) -> None:
    """Run until interrupted. The first build may fail; the overlay then explains why."""
    root, output = Path(os.path.abspath(root)), Path(os.path.abspath(output))
    state = LiveState()

    def rebuild_now() -> None:
        rebuild(root, output, drafts, state, log)

    server = make_server(output, port, state)  # a port in use fails before the first build
    try:
        rebuild_now()
        output.mkdir(parents=True, exist_ok=True)
        wake = threading.Event()
        watches = _Watches(root, _Changes(root, output, wake))
        watches.start()
        loop = threading.Thread(target=_watch_loop, args=(watches, rebuild_now, wake))
        loop.daemon = True
        loop.start()
        log(f"serving {output} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
        try:
            server.serve_forever()
        finally:
            watches.stop()
    finally:
        server.server_close()
