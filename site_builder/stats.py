"""Stats of the site's input files: all a no-op rebuild looks at, so it must stay cheap.

Kept apart from `content` (which imports the Markdown and YAML parsers) so that a build with
nothing to do imports almost nothing and walks `content/` with plain strings, not `Path`s.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import NamedTuple

# Files modified less than this long ago are verified by content, not by stat.
RACY_NS = 2_000_000_000


def trusted_mtime(mtime_ns: int) -> int:
    """The change time to remember, or -1 if the file is too fresh for it to prove anything.

    Callers pass the inode change time (ctime), which, unlike mtime, tools cannot set back
    (`cp -p`, `rsync -t`, `tar x` restore mtimes). Timestamps are coarse (a kernel tick), so a
    file edited twice within one tick can keep its time and size ("racy git"); such a file is
    remembered with -1 and its bytes are hashed next time instead.
    """
    return mtime_ns if mtime_ns < time.time_ns() - RACY_NS else -1


class Found(NamedTuple):
    """A file found by `walk`: where it is, its path relative to the site root (POSIX), whether
    it is a symlink, and (ctime_ns, size) as stat-ed during the walk (None if that failed)."""

    location: str
    rel: str
    is_link: bool
    stat: tuple[int, int] | None


def walk(root: Path, folder: str) -> list[Found]:
    """Every non-hidden file under `root/folder`, sorted by path parts: one `scandir` pass
    with its free file types and one stat per file (pathlib cost ~0.3 s per 10k files).
    Like `os.walk`, symlinked folders and unreadable folders are not entered."""
    base = os.fspath(root)
    found: list[Found] = []
    stack = [os.path.join(base, folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
                continue
            if entry.is_symlink() and entry.is_dir():
                continue
            try:
                stat = entry.stat()
                known: tuple[int, int] | None = (stat.st_ctime_ns, stat.st_size)
            except OSError:
                known = None
            rel = entry.path[len(base) + 1 :]  # every path found starts with `base` + "/"
            found.append(Found(entry.path, rel, entry.is_symlink(), known))
    found.sort(key=lambda row: row.rel.split("/"))
    return found
