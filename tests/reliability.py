"""Helpers for the reliability tests: a good site, and the installed console script run the
way users run it (`site-builder build --root . --output output` from the site folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

TESTS = Path(__file__).parent
SCRIPT = Path(sys.executable).parent / "site-builder"
# Root reads and writes through any permission bits; without these two capabilities it obeys
# them like anyone else, so "permission denied" is the kernel's own answer even in CI as root.
AS_USER: tuple[str, ...] = (
    ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--") if os.geteuid() == 0 else ()
)

CASE = """---
title: {title}
date: 2024-01-0{day}
tags: [vaccines]
---

## Summary

The claim {title}.

## Response

The refutation.
"""


def good_site(base: Path, name: str = "site") -> Path:
    """The minimal fixture plus a second case: two good files for hostile ones to sit beside."""
    site = base / name
    shutil.copytree(TESTS / "fixtures" / "sites" / "minimal", site)
    (site / "content/cases/second-case.md").write_text(
        CASE.format(title="Second case", day=2), encoding="utf-8"
    )
    return site


def run(
    site: Path,
    *args: str,
    prefix: Sequence[str] = (),
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, str(SCRIPT), *args],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def build(site: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return run(site, "build", "--root", ".", "--output", "output", *args, **kwargs)  # type: ignore[arg-type]


def check(site: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return run(site, "check", "--root", ".", **kwargs)  # type: ignore[arg-type]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(site: Path) -> list[str]:
    """Staging or swapped-out folders left beside the output."""
    return sorted(
        p.name for p in site.iterdir() if p.name.startswith((".output.staging-", ".output.old-"))
    )
