"""The only reader of `content/`: walks it, parses and validates every file, collects problems.

A file with errors leaves the pipeline, but its neighbours carry on, so one run reports
everything. Cross-file checks that need only the file list (duplicate slugs) happen here.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig
from .diagnostics import Diagnostic, error, warning
from .frontmatter import parse
from .model import Case, FrontMatter, Page, SourceFile
from .validate import SLUG_RE, validate_case, validate_page

CASES_DIR = "content/cases"
PAGES_DIR = "content/pages"


@dataclass(frozen=True, slots=True)
class Content:
    cases: tuple[Case, ...]
    pages: tuple[Page, ...]
    diagnostics: tuple[Diagnostic, ...]
    # Every case file with a valid name, valid or not: a link to a broken case is not "missing".
    slugs: frozenset[str] = frozenset()


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def read_source(root: Path, path: Path, max_bytes: int) -> SourceFile | Diagnostic:
    """Read one file as UTF-8 text: BOM dropped, CRLF normalised; refuse what is unsafe."""
    rel = _relative(root, path)
    if path.is_symlink():
        target = path.resolve()
        content_dir = (root / "content").resolve()
        if not target.is_relative_to(content_dir):
            return error(
                rel, None, "symlink points outside the content directory; refusing to read it"
            )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return error(
                rel,
                None,
                f"file is {size} bytes; the limit is {max_bytes} (max_file_bytes in site.toml)",
            )
        data = path.read_bytes()
    except OSError as exc:
        return error(rel, None, f"cannot read file: {exc.strerror or exc}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return error(
            rel,
            line,
            f"file is not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            "save the file as UTF-8",
        )
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(rel, text, hashlib.sha256(data).hexdigest())


def _walk(directory: Path) -> list[Path]:
    """All files below `directory`, sorted, skipping hidden files and folders."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
    return sorted(found)


def _check_name(root: Path, path: Path) -> str | Diagnostic | None:
    rel = _relative(root, path)
    if path.suffix != ".md":
        return warning(rel, None, "not a Markdown (.md) file; ignored", rule="stray-file")
    slug = path.stem
    if not SLUG_RE.fullmatch(slug):
        return error(
            rel,
            None,
            f"invalid file name '{path.name}': the slug must match [a-z0-9]+(-[a-z0-9]+)*",
            "use lowercase letters, digits and single hyphens, e.g. 'vaccines-alter-dna.md'",
        )
    return slug


def _front_matter(
    root: Path, path: Path, config: SiteConfig
) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Read and parse one file whose name is already a valid slug."""
    source = read_source(root, path, config.max_file_bytes)
    if isinstance(source, Diagnostic):
        return None, [source]
    return parse(source)


def _load_cases(
    root: Path, config: SiteConfig
) -> tuple[list[Case], list[Diagnostic], frozenset[str]]:
    cases: list[Case] = []
    problems: list[Diagnostic] = []
    by_slug: dict[str, list[str]] = defaultdict(list)
    for path in _walk(root / CASES_DIR):
        slug = _check_name(root, path)
        if not isinstance(slug, str):
            problems += [slug] if slug else []
            continue
        by_slug[slug].append(_relative(root, path))
        front, front_problems = _front_matter(root, path, config)
        problems += front_problems
        if front is not None:
            case, case_problems = validate_case(front, slug, config)
            problems += case_problems
            cases += [case] if case else []
    duplicates = {slug: paths for slug, paths in by_slug.items() if len(paths) > 1}
    for slug, paths in duplicates.items():
        for p in paths:
            others = ", ".join(q for q in paths if q != p)
            problems.append(error(p, None, f"duplicate slug '{slug}': also used by {others}"))
    return [c for c in cases if c.slug not in duplicates], problems, frozenset(by_slug)


def _load_pages(root: Path, config: SiteConfig) -> tuple[list[Page], list[Diagnostic]]:
    pages: list[Page] = []
    problems: list[Diagnostic] = []
    directory = root / PAGES_DIR
    for path in sorted(directory.glob("*")) if directory.is_dir() else []:
        if path.is_dir() or path.name.startswith("."):
            continue
        slug = _check_name(root, path)
        if not isinstance(slug, str):
            problems += [slug] if slug else []
            continue
        front, front_problems = _front_matter(root, path, config)
        problems += front_problems
        if front is not None:
            page, page_problems = validate_page(front, slug)
            problems += page_problems
            pages += [page] if page else []
    return pages, problems


def load_content(root: Path, config: SiteConfig) -> Content:
    """Load every case and page under `root/content`. Cases come back sorted newest first."""
    if not (root / CASES_DIR).is_dir():
        return Content(
            (),
            (),
            (
                error(
                    CASES_DIR,
                    None,
                    "content directory not found",
                    f"create '{CASES_DIR}/' in the site root",
                ),
            ),
        )
    cases, case_problems, slugs = _load_cases(root, config)
    pages, page_problems = _load_pages(root, config)
    cases.sort(key=lambda c: (-c.date.toordinal(), c.slug))
    return Content(tuple(cases), tuple(pages), tuple(case_problems + page_problems), slugs)
