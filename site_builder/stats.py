"""Stats of the site's input files: all a no-op rebuild looks at, so it must stay cheap.

Kept apart from `content` (which imports the Markdown and YAML parsers) so that a build with
nothing to do imports almost nothing and walks `content/` with plain strings, not `Path`s.
"""

from __future__ import annotations

import errno
import os
import stat
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
    it is a symlink, and (ctime_ns, size) as stat-ed during the walk (None if that failed).

    `problem` says why an entry (a file or a folder) must not be read: a FIFO, a symlinked
    folder outside the site, a loop, a folder that cannot be listed. Such entries are reported,
    never opened: a FIFO blocks `open()` for ever, and an unread folder must not silently
    take its cases off the site.
    """

    location: str
    rel: str
    is_link: bool
    stat: tuple[int, int] | None
    problem: str | None = None


class NotRegularFile(OSError):
    """Raised instead of opening anything but a regular file (a FIFO would block for ever)."""


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def kind_problem(mode: int) -> str | None:
    """Why a file of this mode is refused, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return f"{kind}, not a regular file; refusing to open it"


def open_regular(path: str) -> int:
    """A descriptor of `path` opened for reading, only if it is a regular file.

    O_NONBLOCK makes opening a FIFO return at once (instead of waiting for a writer), so the
    check after it cannot hang, and it catches a file swapped for a FIFO after the walk.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    problem = kind_problem(os.fstat(fd).st_mode)
    if problem is not None:
        os.close(fd)
        raise NotRegularFile(errno.EINVAL, problem, path)
    return fd


def read_regular(path: str) -> bytes:
    """The bytes of a regular file; `NotRegularFile` (an OSError) for anything else."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as file:
        return file.read()


def _folder_problem(path: str, real_root: str, seen: set[tuple[int, int]]) -> str | None:
    """Why a symlinked folder must not be entered: outside the site root, or a folder already
    read (a loop, or a second way to the same cases)."""
    target = os.path.realpath(path)
    if os.path.commonpath([target, real_root]) != real_root:
        return f"symlinked folder points outside the site root (to {target}); refusing to read it"
    info = os.stat(path)
    here = os.path.realpath(os.path.dirname(path))
    if (info.st_dev, info.st_ino) in seen or os.path.commonpath([target, here]) == target:
        return (
            f"symlinked folder leads to {target}, which is already read (a symlink loop or a "
            "second path to the same folder); refusing to read it twice"
        )
    seen.add((info.st_dev, info.st_ino))
    return None


def _link_problem(path: str) -> tuple[os.stat_result | None, str | None]:
    """A symlink's target's stat, or why it has none (a loop, a dangling link)."""
    try:
        return os.stat(path), None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "symlink loop (too many levels of symbolic links); refusing to read it"
        if exc.errno == errno.ENOENT:
            return None, f"broken symlink (its target {os.readlink(path)} does not exist)"
        return None, f"cannot read symlink: {exc.strerror or exc}"


class _Walk:
    """One walk's state: what was found, the real folders entered, the links left for last."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.real_root = os.path.realpath(base)
        self.found: list[Found] = []
        self.seen: set[tuple[int, int]] = set()
        self.links: list[str] = []

    def rel(self, path: str) -> str:
        return path[len(self.base) + 1 :]  # every path found starts with `base` + "/"

    def folder(self, path: str) -> list[str]:
        """Record the files of one folder; returns its real sub-folders."""
        try:
            entries = list(os.scandir(path))
        except OSError as exc:
            hint = "cannot read folder" if exc.errno != errno.ELOOP else "symlink loop"
            self.found.append(Found(path, self.rel(path), False, None, f"{hint}: {exc.strerror}"))
            return []
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
            elif entry.is_symlink():
                self.symlink(entry)
            else:
                self.file(entry.path, False, _stat(entry))
        return folders

    def symlink(self, entry: os.DirEntry[str]) -> None:
        info, problem = _link_problem(entry.path)
        if info is not None and stat.S_ISDIR(info.st_mode):
            self.links.append(entry.path)  # entered after every real folder: see `walk`
            return
        self.file(entry.path, True, info, problem)

    def file(
        self, path: str, is_link: bool, info: os.stat_result | None, problem: str | None = None
    ) -> None:
        known = None if info is None else (info.st_ctime_ns, info.st_size)
        if problem is None and info is not None:
            problem = kind_problem(info.st_mode)
        self.found.append(Found(path, self.rel(path), is_link, known, problem))


def _stat(entry: os.DirEntry[str]) -> os.stat_result | None:
    try:
        return entry.stat()
    except OSError:
        return None


def _identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def walk(root: Path, folder: str) -> list[Found]:
    """Every non-hidden file under `root/folder`, sorted by path parts: one `scandir` pass
    with its free file types and one stat per file (pathlib cost ~0.3 s per 10k files).

    Symlinked folders are followed when they stay inside the site root. They are entered
    after every real folder, so that a link to a folder read anyway (a loop, or a second
    path) is the one reported, whatever the order of the names. What cannot be read comes
    back with its `problem`, never dropped.
    """
    state = _Walk(os.fspath(root))
    start = os.path.join(state.base, folder)
    if not os.path.lexists(start):
        return []
    stack = [start]
    state.seen.update(filter(None, [_identity(start)]))
    while stack or state.links:
        if not stack:
            state.links.sort()
            link = state.links.pop(0)
            problem = _folder_problem(link, state.real_root, state.seen)
            if problem is not None:
                state.found.append(Found(link, state.rel(link), True, None, problem))
                continue
            stack.append(link)
        path = stack.pop()
        folders = state.folder(path)
        for sub in folders:
            identity = _identity(sub)
            state.seen.update([identity] if identity else [])
        stack += folders
    state.found.sort(key=lambda row: row.rel.split("/"))
    return state.found
