"""Failures of the machine, not of the content: a full disk, a folder without write
permission, a read-only file system, another build holding the output.

They are `UserError`s (one `path: error: ...` line with what to do, never a traceback) of
their own kind, so the CLI exits 3 for them and 1 for content errors: a CI job or a script
can tell "fix the case files" from "fix the runner". The previous output is never touched.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .diagnostics import UserError, error

_HINTS = {
    errno.ENOSPC: "free space on that disk (or build to another --output), then build again",
    errno.EDQUOT: "your disk quota is used up: free some space, then build again",
    errno.EACCES: "give the user running the build write permission there, or choose "
    "another --output",
    errno.EPERM: "give the user running the build write permission there, or choose "
    "another --output",
    errno.EROFS: "that file system is read-only: choose an --output on a writable one",
    errno.ELOOP: "a symlink on the way points back to itself: fix or remove it",
    errno.ENOTDIR: "a file stands where a folder is needed: move it away",
}


class EnvironmentFailure(UserError):
    """A problem with the machine the build runs on; the CLI exits 3 for it."""


def failure(
    where: Path | str, exc: OSError, doing: str, *, output_kept: bool = True
) -> EnvironmentFailure:
    """One diagnostic for an OSError met while `doing` (e.g. "building the site")."""
    reason = exc.strerror or str(exc)
    detail = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(where) else ""
    kept = "; the previous output was left untouched" if output_kept else ""
    return EnvironmentFailure(
        [
            error(
                str(where),
                None,
                f"{reason} while {doing}{detail}{kept}",
                _HINTS.get(exc.errno or 0),
            )
        ]
    )


def require_writable(folder: Path, output: Path) -> None:
    """Fail before any work when the output's parent folder cannot take the staging copy and
    the swap (both always happen there, even for a three-file edit)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        code = errno.EROFS if _read_only(folder) else errno.EACCES
        raise failure(
            folder,
            OSError(code, os.strerror(code)),
            f"preparing to build {output}: its parent folder must be writable",
        )


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False
