"""Stats of the site's input files: all a no-op rebuild looks at, so it must stay cheap.

Kept apart from `content` (which imports the Markdown and YAML parsers) so that a build with
nothing to do imports almost nothing and walks `content/` with plain strings, not `Path`s.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

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


def input_stats(root: Path, folder: str = "content") -> list[tuple[str, int, int]]:
    """(path, ctime_ns, size) of every non-hidden file under `root/folder`, sorted by path
    parts; paths are POSIX and relative to `root`, like everywhere else in the build."""
    base = os.fspath(root)
    stats: list[tuple[str, int, int]] = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(base, folder)):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        prefix = os.path.relpath(dirpath, base).replace(os.sep, "/") + "/"
        for name in filenames:
            if name.startswith("."):
                continue
            try:
                stat = os.stat(os.path.join(dirpath, name))
            except OSError:
                stats.append((prefix + name, -1, -1))
                continue
            stats.append((prefix + name, stat.st_ctime_ns, stat.st_size))
    stats.sort(key=lambda row: row[0].split("/"))
    return stats
