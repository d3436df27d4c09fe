"""Run `site-builder serve` as users do: the installed console script, from the site folder."""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reliability import SCRIPT

TESTS = Path(__file__).parent


@dataclass(frozen=True)
class Served:
    """A running `site-builder serve`: its URL, its site root and what it printed so far."""

    url: str
    root: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def serving(root: Path, *args: str) -> Iterator[Served]:
    """Run the installed console script as a user does: from the site folder, relative paths."""
    log_path = root.parent / f"{root.name}-serve.log"
    with open(log_path, "w", encoding="utf-8") as log:
        command = [str(SCRIPT), "serve", *args, "--port", "0"]
        process = subprocess.Popen(command, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline and process.poll() is None:
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", log_path.read_text("utf-8"))
            if found:
                url = found[1]
            else:
                time.sleep(0.05)
        assert url, f"serve did not start:\n{log_path.read_text('utf-8')}"
        yield Served(url, root, log_path)
    finally:
        process.terminate()
        process.wait(timeout=10)
