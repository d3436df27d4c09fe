"""One build at a time per output: a lock file beside the output, held for the whole build.

Two builds of one output used to run side by side; when their swaps collided, the loser
crashed and left a full `.output.old-*` copy behind. The lock is a POSIX record lock
(`lockf`) on `.<output>.lock` in the output's parent: the kernel drops it when the process
ends, however it ends, so a lock file left by a killed build is simply free again (the pid
written in it is only for the message). Forked workers do not inherit it. The file is
removed when the build ends, so nothing stays beside the output.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from types import TracebackType

from .diagnostics import error
from .environment import EnvironmentFailure, failure


def lock_path(output: Path) -> Path:
    return output.parent / f".{output.name}.lock"


class BuildLock:
    """`with BuildLock(output, wait=...)`: exclusive use of `output` while the block runs.

    Busy: with `wait`, `on_wait` is told once and the lock is awaited; without, an
    `EnvironmentFailure` names the holder.
    """

    def __init__(
        self, output: Path, *, wait: bool = False, on_wait: Callable[[str], None] | None = None
    ) -> None:
        self.output = output
        self.path = lock_path(output)
        self.wait = wait
        self.on_wait = on_wait
        self.fd = -1

    def __enter__(self) -> BuildLock:
        told = False
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            except OSError as exc:
                raise failure(
                    self.output.parent, exc, f"creating the lock file for {self.output}"
                ) from None
            try:
                told = self._take(told)
                if self._current():
                    with suppress(OSError):  # only for the message; a full disk is met later
                        os.ftruncate(self.fd, 0)
                        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)
                    return self
            except BaseException:
                os.close(self.fd)
                raise
            os.close(self.fd)  # the holder removed this file as it ended: lock the new one

    def _current(self) -> bool:
        """Whether the file locked is still the one at `path` (the last holder unlinks it)."""
        try:
            here = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(self.fd)
        return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)

    def _take(self, told: bool) -> bool:
        """Lock the open file, waiting if asked to; returns whether the wait was announced."""
        try:
            fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return told
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise failure(self.path, exc, "locking the output") from None
        message = f"another build of {self.output} is running{self._holder()}"
        if not self.wait:
            raise EnvironmentFailure(
                [
                    error(
                        str(self.output),
                        None,
                        f"{message}; nothing was done",
                        "wait for it to finish, or run again with --wait",
                    )
                ]
            )
        if self.on_wait is not None and not told:
            self.on_wait(f"{message}; waiting for it to finish")
        fcntl.lockf(self.fd, fcntl.LOCK_EX)
        return True

    def _holder(self) -> str:
        try:
            text = os.pread(self.fd, 32, 0).decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return ""
        return f" (pid {text})" if text.isdigit() else ""

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Unlinked while still held, so a waiter that then gets the lock on this file sees it
        # is gone (`_current`) and locks the next one: nothing is left beside the output.
        with suppress(OSError):
            os.unlink(self.path)
        os.close(self.fd)
