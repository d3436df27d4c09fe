"""Every page of the built starter site must be valid HTML per the Nu HTML Checker.

vnu.jar comes from npm (package.json / package-lock.json, `make node-deps`);
Java from the system (tools/ensure-system-deps.sh). If either is missing the
test fails under CI=true and is skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BATCH_SIZE = 400  # files per vnu run, to stay well under the argument-length limit
MAX_REPORTED = 30


def unavailable(message: str) -> NoReturn:
    """Fail under CI (everything must be installed there), skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        unavailable("java not found: run `sh tools/ensure-system-deps.sh` (default-jre-headless)")
    if not VNU_JAR.is_file():
        unavailable(f"{VNU_JAR} missing: run `make node-deps` (npm ci)")
    # vnu needs a larger thread stack than the JVM default (it says so on StackOverflowError).
    return [java, "-Xss4m", "-jar", str(VNU_JAR)]


def run_vnu(files: list[Path]) -> list[dict[str, Any]]:
    """Check ``files`` as HTML with vnu; return its error messages (errors only)."""
    base = vnu_command()
    messages: list[dict[str, Any]] = []
    for start in range(0, len(files), BATCH_SIZE):
        batch = [str(f) for f in files[start : start + BATCH_SIZE]]
        cmd = [*base, "--format", "json", "--exit-zero-always", "--errors-only", *batch]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        report = None
        # vnu writes its JSON report to stderr in some versions, stdout in others.
        for stream in (proc.stderr, proc.stdout):
            text = stream.strip()
            if text.startswith("{"):
                report = json.loads(text)
                break
        assert proc.returncode == 0 and report is not None, (
            f"vnu did not produce a JSON report (exit {proc.returncode})\n"
            f"--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
        )
        messages.extend(report.get("messages", []))
    # "non-document-error" = vnu could not read/parse a file at all.
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def shown_path(url: str, root: Path) -> str:
    path = Path(os.path.normpath(unquote(urlsplit(url).path)))
    for base in (root, root.resolve()):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(path)


def format_messages(messages: list[dict[str, Any]], root: Path) -> str:
    counts = Counter(m.get("message") for m in messages)
    lines = ["distinct errors (count: message):"]
    lines += [f"  {n}: {text}" for text, n in counts.most_common()]
    lines.append(f"first {min(len(messages), MAX_REPORTED)}:")
    for m in messages[:MAX_REPORTED]:
        shown = shown_path(m.get("url", ""), root)
        line = m.get("lastLine", m.get("firstLine", "?"))
        lines.append(f"{shown}:{line}: {m.get('message')}")
        extract = " ".join((m.get("extract") or "").split())
        if extract:
            lines.append(f"    {extract}")
    if len(messages) > MAX_REPORTED:
        lines.append(f"... and {len(messages) - MAX_REPORTED} more")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's shipped site, built with the real CLI into a temp dir."""
    prebuilt = os.environ.get("STARTER_SITE_DIR")
    if prebuilt:
        return Path(prebuilt).resolve()
    output = tmp_path_factory.mktemp("html-validity") / "output"
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
    return output


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_404_page_is_built(built_site: Path) -> None:
    page = built_site / "404.html"
    assert page.is_file(), f"no 404.html in the built site ({built_site})"
    assert page in html_files(built_site)


def test_all_pages_are_valid_html(built_site: Path) -> None:
    files = html_files(built_site)
    assert files, f"no .html files in {built_site}"
    assert built_site / "index.html" in files
    errors = run_vnu(files)
    assert not errors, (
        f"{len(errors)} HTML errors in {len(files)} files (Nu HTML Checker):\n"
        + format_messages(errors, built_site)
    )
