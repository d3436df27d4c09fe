"""Edit-to-reload latency of `site-builder serve`, as a writer experiences it.

Copies a site root to a temporary directory, starts `serve` on it, then repeatedly edits one
case file and times until the long-poll endpoint `/__live` (what an open page's live script
waits on) reports the new build: the moment the browser calls `location.reload()`. Checks
that the served page then shows the edit.

    .venv/bin/python tools/serve_latency.py --root . --runs 10
    .venv/bin/python tools/serve_latency.py --root /tmp/c10k --runs 5   # a corpus site
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="site root to copy")
    parser.add_argument("--runs", type=int, default=10, help="edits to time (default 10)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="serve-latency-"))
    root = tmp / "site"
    shutil.copytree(args.root / "content", root / "content")
    if (args.root / "site.toml").is_file():
        shutil.copy(args.root / "site.toml", root)
    command = [sys.executable, "-m", "site_builder", "serve", "--root", str(root), "--port", "0"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    url = None
    while url is None:
        line = process.stderr.readline()
        if not line:
            raise SystemExit("serve exited before it started")
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        url = found[1] if found else None

    def live(version: int) -> dict[str, object]:
        with urllib.request.urlopen(f"{url}__live?version={version}", timeout=300) as response:
            data: dict[str, object] = json.loads(response.read())
            return data

    version = int(str(live(-1)["version"]))
    cases = sorted((root / "content" / "cases").rglob("*.md"))
    case = cases[len(cases) // 2]
    original = case.read_text(encoding="utf-8")
    times = []
    try:
        for run in range(args.runs):
            time.sleep(1.0)
            start = time.perf_counter()
            case.write_text(
                original.replace("## Response\n", f"## Response\n\nEdit number {run}.\n", 1),
                encoding="utf-8",
            )
            state = live(version)
            while state["version"] == version:  # the poll timed out before the build ended
                state = live(version)
            times.append(time.perf_counter() - start)
            assert state["errors"] is None, state["errors"]
            version = int(str(state["version"]))
            with urllib.request.urlopen(f"{url}cases/{case.stem}/") as response:
                assert f"Edit number {run}." in response.read().decode()
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    times.sort()
    print(
        f"{args.runs} edits on a {len(cases)}-case site: median "
        f"{statistics.median(times) * 1000:.0f} ms, min {times[0] * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
