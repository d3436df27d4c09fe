"""Running the theme's browser JavaScript under Node, so that the benchmark and the tests
measure the code readers run, not a Python copy of it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .theme import theme_dir

TOOLS = Path(__file__).parent.parent / "tools" / "js"
# The theme's scripts are ES modules in .js files without a package.json saying so.
NODE_FLAGS = ("--experimental-detect-module", "--no-warnings")


class NodeMissing(RuntimeError):
    """Node is not installed: callers skip with a message instead of failing."""


def static_dir() -> Path:
    return theme_dir() / "static"


def run_script(script: str, payload: object, timeout: float = 600) -> object:
    """Run tools/js/<script> with `payload` as JSON on stdin; its stdout parsed as JSON."""
    node = shutil.which("node")
    if node is None:
        raise NodeMissing("node is not on the PATH")
    result = subprocess.run(
        [node, *NODE_FLAGS, str(TOOLS / script)],
        input=json.dumps(payload, ensure_ascii=False),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"node {script} failed: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout)
