"""What `content/` holds: the case and page files to read, and a diagnostic for the rest.

Nothing under `content/` may vanish from the site in silence: a folder that cannot be listed,
a symlinked folder outside the site, a loop, a FIFO or a device each get an error naming it
(found by `stats.walk` with `lstat`, before anything is opened), and a file that no stage
reads gets a warning. `build`, `check` and `serve` all load content through here.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, error, warning
from .stats import Found, walk

CONTENT_DIR = "content"
TEMPLATES_DIR = "templates"
CASES_PREFIX = "content/cases/"
PAGES_PREFIX = "content/pages/"


@dataclass(frozen=True, slots=True)
class Inventory:
    cases: tuple[Found, ...]
    pages: tuple[Found, ...]
    problems: tuple[Diagnostic, ...]


def _hint(problem: str, folder: str = CONTENT_DIR) -> str:
    if "outside the site root" in problem:
        return "copy the folder into the site instead of linking to it, or remove the link"
    if problem.startswith("cannot read"):
        return "make it readable by the user running the build (chmod a+rX), or remove it"
    if "already read" in problem or "symlink" in problem:
        return "remove the symlink"
    return f"remove it from {folder}/"


def template_problems(root: Path) -> list[Diagnostic]:
    """The site's own `templates/` is an input too: a FIFO there would hang the template
    loader, and a loop or an unreadable folder would drop theme files in silence."""
    return [
        error(entry.rel, None, entry.problem, _hint(entry.problem, TEMPLATES_DIR))
        for entry in walk(root, TEMPLATES_DIR)
        if entry.problem is not None
    ]


def inventory(root: Path, walked: Sequence[Found] | None = None) -> Inventory:
    """Sort what a walk of `content/` found (`walked`, or a new walk) into case files, page
    files and problems. Pages live directly in `content/pages/`; cases anywhere below
    `content/cases/`."""
    found = walk(root, CONTENT_DIR) if walked is None else walked
    cases: list[Found] = []
    pages: list[Found] = []
    problems: list[Diagnostic] = []
    for entry in found:
        rel = entry.rel
        if entry.problem is not None:
            problems.append(error(rel, None, entry.problem, _hint(entry.problem)))
        elif rel.startswith(CASES_PREFIX):
            cases.append(entry)
        elif rel.startswith(PAGES_PREFIX) and "/" not in rel[len(PAGES_PREFIX) :]:
            pages.append(entry)
        else:
            problems.append(
                warning(
                    rel,
                    None,
                    "not read: pages are read from content/pages/ itself, not its sub-folders"
                    if rel.startswith(PAGES_PREFIX)
                    else "not read: content is read from content/cases/ and content/pages/ only",
                    "move it into content/cases/ or content/pages/, or out of content/",
                    rule="stray-file",
                )
            )
    cases, clashes = _without_clashes(cases)
    pages, more = _without_clashes(pages)
    return Inventory(tuple(cases), tuple(pages), tuple(problems + clashes + more))


def _escaped(text: str) -> str:
    """Non-ASCII characters as \\uXXXX, so two spellings that look alike print apart."""
    return "".join(c if c.isascii() else f"\\u{ord(c):04x}" for c in text)


def _without_clashes(found: list[Found]) -> tuple[list[Found], list[Diagnostic]]:
    """Drop files whose paths are equal once Unicode-normalised (NFC); one error per group,
    naming every spelling: they print alike, and one would overwrite the other's page."""
    if all(entry.rel.isascii() for entry in found):
        return found, []
    groups: defaultdict[str, list[Found]] = defaultdict(list)
    for entry in found:
        groups[unicodedata.normalize("NFC", entry.rel)].append(entry)
    kept: list[Found] = []
    problems: list[Diagnostic] = []
    for same in groups.values():
        if len(same) == 1:
            kept += same
            continue
        names = " and ".join(f"'{_escaped(entry.rel)}'" for entry in same)
        problems.append(
            error(
                same[0].rel,
                None,
                f"{len(same)} files have names that differ only in their Unicode spelling "
                f"(NFC/NFD): {names}; refusing all of them",
                "keep one of them and delete the others",
            )
        )
    return kept, problems
