"""The only reader of `content/`: walks it, parses and validates every file, collects problems.

A file with errors leaves the pipeline, but its neighbours carry on, so one run reports
everything. Cross-file checks that need only the file list (duplicate slugs) happen here.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import itertools
import os
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .cache import (
    Cache,
    Compiled,
    SourceRow,
    decode_compiled,
    encode_compiled,
)
from .case_body import render_body
from .config import SiteConfig
from .diagnostics import Diagnostic, error, warning
from .frontmatter import parse
from .inventory import inventory
from .model import EMPTY_WORDS, TAXONOMIES, Case, Page, SourceFile, WordTable
from .parallel import Channel, Tick, run_sharded
from .stats import Found, NotRegularFile, open_regular, read_regular, trusted_mtime
from .validate import SLUG_RE, validate_case, validate_page
from .words import Bag, case_tokens

CASES_DIR = "content/cases"
PAGES_DIR = "content/pages"


@dataclass(frozen=True, slots=True)
class Content:
    cases: tuple[Case, ...]
    pages: tuple[Page, ...]
    diagnostics: tuple[Diagnostic, ...]
    # Every case file with a valid name, valid or not: a link to a broken case is not "missing".
    slugs: frozenset[str] = frozenset()
    # The words of each case's Summary and Response (`words.case_tokens`), compiled once.
    words: WordTable = EMPTY_WORDS
    # slug -> SHA-256 of the file each case was compiled from (under the same config).
    digests: dict[str, str] = field(default_factory=dict)
    # path -> SHA-256 of every case file read, as read (unreadable: ''), for the build record.
    files: dict[str, str] = field(default_factory=dict)
    # (taxonomy, label) of the terms that case files with errors carry (`Compiled.stub_terms`).
    stub_terms: frozenset[tuple[str, str]] = frozenset()


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def read_source(
    root: Path, path: Path, max_bytes: int, *, rel: str | None = None, is_link: bool | None = None
) -> SourceFile | Diagnostic:
    """Read one file as UTF-8 text: BOM dropped, CRLF normalised; refuse what is unsafe.

    `rel` and `is_link`, when the caller's walk already knows them, save a path computation
    and an lstat per file (a tenth of compiling a case).
    """
    rel = _relative(root, path) if rel is None else rel
    if path.is_symlink() if is_link is None else is_link:
        target = path.resolve()
        content_dir = (root / "content").resolve()
        if not target.is_relative_to(content_dir):
            return error(
                rel, None, "symlink points outside the content directory; refusing to read it"
            )
    try:
        with os.fdopen(open_regular(os.fspath(path)), "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > max_bytes:
                return error(
                    rel,
                    None,
                    f"file is {size} bytes; the limit is {max_bytes} (max_file_bytes in site.toml)",
                )
            data = file.read()
    except NotRegularFile as exc:
        return error(rel, None, str(exc.strerror), "remove it, or replace it with a file")
    except OSError as exc:
        return error(rel, None, f"cannot read file: {exc.strerror or exc}", _read_hint(exc))
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
    if "\0" in text:  # YAML refuses it without a line; no page may carry one
        nul = text.index("\0")
        return error(
            rel,
            text.count("\n", 0, nul) + 1,
            f"NUL character (\\0) at column {nul - text.rfind(chr(10), 0, nul)}",
            "delete it; an editor or a bad copy put it there",
        )
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(rel, text, hashlib.sha256(data).hexdigest())


def _read_hint(exc: OSError) -> str | None:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "make it readable by the user running the build (chmod a+r), or remove it"
    return None


def _check_name(rel: str) -> str | Diagnostic | None:
    """The slug a file name gives, or why it gives none. Strings, not `Path`s: this runs for
    every case file on every build, including one-edit rebuilds."""
    name = rel.rpartition("/")[2]
    slug, suffix = os.path.splitext(name)
    if suffix != ".md" and suffix.lower() in (".md", ".markdown"):
        return error(
            rel,
            None,
            f"Markdown files must end in '.md' (lower case); '{name}' is not read",
            f"rename it to '{slug.lower()}.md'",
        )
    if suffix != ".md":
        return warning(rel, None, "not a Markdown (.md) file; ignored", rule="stray-file")
    if not SLUG_RE.fullmatch(slug):
        return error(
            rel,
            None,
            f"invalid file name '{name}': the slug must match [a-z0-9]+(-[a-z0-9]+)*",
            "use lowercase letters, digits and single hyphens, e.g. 'vaccines-alter-dna.md'",
        )
    return slug


# Config fields that shape a compiled case; any other config change keeps the cache valid.
COMPILE_CONFIG = ("allow_html", "default_rating", "max_file_bytes", "ratings", "limits")
BATCH = 256  # compiled files per message from a worker
# Below this many files to compile, forking costs more than it saves.
PARALLEL_MIN = 64


class _Words:
    """Builds a `WordTable` as compiled files arrive, so their word strings die right away.

    Decoding a compiled file gives fresh strings; kept as `Bag`s until the graph ran, they
    were over half of the loaded site (200 of 320 MB at 10k cases) and, interned only after
    loading, pushed the parent to 4 GB at 100k. As ids: 8 bytes per word occurrence.

    The vocabulary starts as the cache's `words` table, so a cached case's bag arrives as ids
    already: looking up every word of every case cost a one-edit rebuild ~1 s at 10k cases
    and ~10 s at 100k.
    """

    def __init__(self, known: list[str] | None = None) -> None:
        known = known or []
        # A new word gets the next id on first lookup; the dict keeps one copy of each word.
        self.vocabulary: defaultdict[str, int] = defaultdict(
            itertools.count(len(known)).__next__, {word: i for i, word in enumerate(known)}
        )
        self.saved = len(known)  # words below this id are in the cache
        self.spans: dict[str, tuple[int, int]] = {}
        self.ids = array("i")
        self.counts = array("i")

    def add_bag(self, slug: str, bag: Bag) -> tuple[bytes, bytes]:
        """Map a bag's words to ids; returns (ids, counts) as bytes for the cache."""
        start = len(self.ids)
        self.ids.extend(map(self.vocabulary.__getitem__, bag.words))
        self.counts.extend(bag.counts)
        self.spans[slug] = (start, len(bag.words))
        return self.ids[start:].tobytes(), self.counts[start:].tobytes()

    def add_ids(self, slug: str, ids: bytes, counts: bytes, *, checked: bool = False) -> bool:
        """A bag already as ids; False (and nothing added) if it does not fit the vocabulary,
        so that the file is compiled again instead. `checked`: ids this process just mapped
        (`_Numbering`), not read from the cache."""
        found, times = array("i"), array("i")
        try:
            found.frombytes(ids)
            times.frombytes(counts)
        except (TypeError, ValueError):
            return False
        if len(found) != len(times):
            return False
        if not checked and found and not 0 <= min(found) <= max(found) < self.saved:
            return False
        self.spans[slug] = (len(self.ids), len(found))
        self.ids.extend(found)
        self.counts.extend(times)
        return True

    def add_cached(self, bags: list[tuple[str, str, bytes, bytes]]) -> set[str]:
        """Many cached bags (file, slug, ids, counts) at once; returns the files whose ids
        did not fit.

        One range check over all ids instead of one per case (0.15 s at 10k cases); only a
        damaged cache takes the per-case path.
        """
        import numpy as np  # past the no-op check: the graph needs it anyway

        ids = b"".join(bag[2] for bag in bags)
        counts = b"".join(bag[3] for bag in bags)
        sound = all(len(i) == len(c) and len(i) % 4 == 0 for _, _, i, c in bags)
        flat = np.frombuffer(ids, dtype=np.int32) if sound else None
        if flat is None or (flat.size and not 0 <= flat.min() <= flat.max() < self.saved):
            return {rel for rel, slug, i, c in bags if not self.add_ids(slug, i, c)}
        start = len(self.ids)
        for _, slug, found, _ in bags:
            self.spans[slug] = (start, len(found) // 4)
            start += len(found) // 4
        self.ids.frombytes(ids)
        self.counts.frombytes(counts)
        return set()

    def unsaved(self) -> list[tuple[int, str]]:
        """(id, word) of the words not in the cache yet, in id order."""
        return list(enumerate(itertools.islice(self.vocabulary, self.saved, None), self.saved))

    def table(self) -> WordTable:
        return WordTable(tuple(self.vocabulary), self.spans, self.ids, self.counts)


class _Shared:
    """One copy of the small values that cases repeat, whatever the size of the site.

    Every decoded case brings fresh copies of its key lines ("tags[2]", 5), term spellings,
    rating and dates: the key lines alone were a fifth of a loaded case (25 MB at 10k cases),
    and they live in the parent and in every render worker. Equal values render the same, so
    sharing them changes nothing but memory.
    """

    def __init__(self) -> None:
        self._pairs: dict[tuple[str, int], tuple[str, int]] = {}
        self._terms: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._strings: dict[str, str] = {}
        self._dates: dict[dt.date, dt.date] = {}

    def terms(self, values: tuple[str, ...]) -> tuple[str, ...]:
        found = self._terms.get(values)
        if found is None:
            one = self._strings.setdefault
            found = self._terms[values] = tuple([one(s, s) for s in values])
        return found

    def case(self, compiled: Compiled) -> Compiled:
        """The same case with its small values swapped for the shared copies.

        `compiled` must be freshly decoded and seen by nobody else: its fields are replaced in
        place, since `dataclasses.replace` (a new object through `__init__`) cost 0.13 s per
        10k cases on every build.
        """
        case = compiled.case
        if case is None:
            return compiled
        pair, date, terms, put = (
            self._pairs.setdefault,
            self._dates.setdefault,
            self.terms,
            object.__setattr__,
        )
        put(case, "lines", tuple([pair(p, p) for p in case.lines]))
        put(case, "tags", terms(case.tags))
        put(case, "topics", terms(case.topics))
        put(case, "countries", terms(case.countries))
        put(case, "languages", terms(case.languages))
        put(case, "rating", self._strings.setdefault(case.rating, case.rating))
        put(case, "date", date(case.date, case.date))
        if case.updated:
            put(case, "updated", date(case.updated, case.updated))
        return compiled


@dataclass(frozen=True, slots=True)
class _CaseFile:
    location: str  # absolute path as a string; `path` makes the Path when a file is compiled
    rel: str
    slug: str
    is_link: bool
    stat: tuple[int, int] | None  # (ctime_ns, size) when walked; None if it could not be read

    @property
    def path(self) -> Path:
        return Path(self.location)


# A compiled file on its way from a worker to the parent: rel, mtime_ns, size, digest,
# encoded Compiled (without its words), and its word bag as ids in the worker's own numbering
# and counts (int32 bytes; b"" for a file with errors).
Record = tuple[str, int, int, str, bytes, bytes, bytes]
# What a worker sends: its shard, the words it numbered since its last batch, the records.
Batch = tuple[int, list[str], list[Record]]


class _Numbering(dict[str, int]):
    """A compile worker's own numbering of the words it has seen, in first-seen order.

    Records carry bags as these ids, and each batch the words new since the last one, so the
    parent looks each word up once per worker (`consume` in `_load_cases`) and maps every bag
    with one array index, instead of decoding 3M word strings and looking each one up (0.65 s of
    the parent's time at 10k cases, while the workers waited for it).
    """

    def __init__(self) -> None:
        super().__init__()
        self.order: list[str] = []
        self.sent = 0

    def __missing__(self, word: str) -> int:
        self[word] = number = len(self.order)
        self.order.append(word)
        return number

    def new_words(self) -> list[str]:
        words = self.order[self.sent :]
        self.sent = len(self.order)
        return words


def compile_key(config: SiteConfig) -> str:
    values = repr([getattr(config, name) for name in COMPILE_CONFIG])
    return hashlib.blake2b(values.encode(), digest_size=16).hexdigest()


def _text_start(lines: list[str], heading_line: int) -> int:
    """1-based file line where a section's (stripped) text starts, below its heading."""
    index = heading_line  # the 0-based index of the line after the 1-based heading line
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index + 1


def render_case(case: Case, allow_html: bool, text: str) -> Case:
    """Render the body as it appears on the case page, two levels below the root.

    `text` is the whole file, to turn link lines within a section into lines in the file.
    """
    body = render_body(case.summary, case.response, link_prefix="../../", allow_html=allow_html)
    lines = text.split("\n")
    starts = [_text_start(lines, case.summary_line), _text_start(lines, case.response_line)]
    links = [(target, starts[part] + offset) for target, part, offset in body.link_lines]
    return replace(
        case,
        summary_html=body.summary_html,
        response_html=body.response_html,
        links=tuple(links),
    )


def compile_case(
    root: Path, file: _CaseFile, config: SiteConfig
) -> tuple[tuple[str, int, int, str, bytes], Bag | None]:
    """Read, parse, validate and render one case file: a pure function of its bytes and config.

    The stat is taken before reading, so a file changed mid-read looks changed next time too.
    """
    try:
        stat = os.stat(file.location)
        mtime_ns, size = trusted_mtime(stat.st_ctime_ns), stat.st_size
    except OSError:
        mtime_ns, size = -1, -1
    source = read_source(root, file.path, config.max_file_bytes, rel=file.rel, is_link=file.is_link)
    bag = None
    if isinstance(source, Diagnostic):
        compiled = Compiled(None, (source,))
        digest = ""
    else:
        digest = source.digest
        front, problems = parse(source)
        case = None
        if front is not None:
            case, case_problems = validate_case(front, file.slug, config)
            problems += case_problems
            case = render_case(case, config.allow_html, source.text) if case else None
        stub = stub_terms(front.data) if front is not None and case is None else ()
        compiled = Compiled(case, tuple(problems), stub)
        if case is not None:
            bag = case_tokens(case, shared=False)  # numbered by the worker at once
    return (file.rel, mtime_ns, size, digest, encode_compiled(compiled)), bag


def stub_terms(data: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """(taxonomy, label) of every plain string term in a file that did not validate."""
    found: list[tuple[str, str]] = []
    for taxonomy in TAXONOMIES:
        values = data.get(taxonomy)
        for value in values if isinstance(values, list) else [values]:
            label = value.get("name") if isinstance(value, dict) else value
            if isinstance(label, str) and label.strip():
                found.append((taxonomy, " ".join(label.split())))
    return tuple(found)


def _from_cache(
    file: _CaseFile, cached: SourceRow
) -> tuple[Compiled, tuple[str, int, int, str] | None] | None:
    """A cached result if the file is unchanged: same stat, or else same bytes; the second
    value is the entry's new stat to store (`Cache.restat_sources`)."""
    if file.is_link or file.stat is None:
        return None
    rel, mtime_ns, size, digest, blob = cached[:5]
    restat = None
    try:
        if file.stat != (mtime_ns, size):
            data = read_regular(file.location)  # after the walk's stat, as `compile_case` does
            if hashlib.sha256(data).hexdigest() != digest:
                return None
            changed, size = file.stat
            restat = (rel, trusted_mtime(changed), size, digest)
    except OSError:
        return None
    compiled = decode_compiled(blob)
    return None if compiled is None else (compiled, restat)


def _compile_all(
    root: Path,
    files: list[_CaseFile],
    config: SiteConfig,
    jobs: int,
    tick: Tick | None,
    consume: Callable[[Batch], None],
) -> None:
    """Compile `files` on `jobs` processes, handing records to `consume` in small batches, so
    no process ever holds every compiled file at once (gigabytes at 100k cases)."""

    def shard(k: int, n: int, channel: Channel) -> None:
        numbering = _Numbering()
        batch: list[Record] = []
        for file in files[k::n]:
            head, bag = compile_case(root, file, config)
            ids = counts = b""
            if bag is not None:
                ids = array("i", map(numbering.__getitem__, bag.words)).tobytes()
                counts = array("i", bag.counts).tobytes()
            batch.append((*head, ids, counts))
            if len(batch) == BATCH:
                channel.emit((k, numbering.new_words(), batch))
                channel(len(batch))
                batch = []
        channel.emit((k, numbering.new_words(), batch))
        channel(len(batch))

    jobs = jobs if len(files) >= PARALLEL_MIN else 1
    run_sharded(shard, jobs, tick, consume)


def _load_cases(
    root: Path,
    config: SiteConfig,
    cache: Cache | None,
    jobs: int,
    tick: Tick | None,
    found: Sequence[Found],
) -> tuple[
    list[Case],
    list[Diagnostic],
    frozenset[str],
    WordTable,
    dict[str, str],
    dict[str, str],
    frozenset[tuple[str, str]],
]:
    problems: list[Diagnostic] = []
    by_slug: dict[str, list[str]] = defaultdict(list)
    files: list[_CaseFile] = []
    for location, rel, is_link, stat, _ in found:
        slug = _check_name(rel)
        if not isinstance(slug, str):
            problems += [slug] if slug else []
            continue
        by_slug[slug].append(rel)
        files.append(_CaseFile(location, rel, slug, is_link, stat))
    key = compile_key(config)
    by_rel = {file.rel: file for file in files}
    compiled: dict[str, Compiled] = {}
    digests: dict[str, str] = {}
    known = cache.words() if cache else []
    if known is None and cache is not None:  # damaged: forget what refers to it
        cache.forget_sources()
    words, shared = _Words(known), _Shared()
    restat: list[tuple[str, int, int, str]] = []
    bags: list[tuple[str, str, bytes, bytes]] = []
    for row in cache.sources(key) if cache and known is not None else ():
        file = by_rel.get(row[0])
        hit = _from_cache(file, row) if file else None
        if hit is not None:
            compiled[row[0]] = shared.case(hit[0])
            digests[row[0]] = row[3]
            restat += [hit[1]] if hit[1] else []
            if hit[0].case is not None:
                bags.append((row[0], hit[0].case.slug, row[5], row[6]))
    for rel in words.add_cached(bags):  # ids that do not fit: compile those files again
        del compiled[rel], digests[rel]
    if tick and compiled:
        tick(len(compiled))
    if cache is not None and restat:
        cache.restat_sources(restat)

    numberings: dict[int, array[int]] = defaultdict(lambda: array("i"))

    def consume(part: Batch) -> None:
        import numpy as np  # past the no-op check: the graph needs it anyway

        shard, new_words, records = part
        numbering = numberings[shard]  # the worker's ids -> ids in `words`
        numbering.extend(map(words.vocabulary.__getitem__, new_words))
        to_global = np.frombuffer(numbering, dtype=np.int32)
        rows: list[SourceRow] = []
        for rel, mtime_ns, size, digest, blob, local, counts in records:
            result = decode_compiled(blob)
            assert result is not None, "a record this process just encoded must decode"
            ids = b""
            if result.case is not None:  # a case without words still gets its (empty) entry
                ids = to_global[np.frombuffer(local, dtype=np.int32)].tobytes() if local else b""
                words.add_ids(result.case.slug, ids, counts, checked=True)
            compiled[rel] = shared.case(result)
            digests[rel] = digest
            rows.append((rel, mtime_ns, size, digest, blob, ids, counts))
        del to_global  # `numbering` grows with the next batch: no view may remain
        if cache is not None and cache.put_sources(key, rows, words.unsaved()):
            words.saved = len(words.vocabulary)

    todo = [file for file in files if file.rel not in compiled]
    _compile_all(root, todo, config, jobs, tick, consume)
    if cache is not None:
        cache.prune_sources(set(by_rel))
    cases: list[Case] = []
    stubs: set[tuple[str, str]] = set()
    for file in files:
        result = compiled[file.rel]
        problems += result.diagnostics
        stubs.update(result.stub_terms)
        if result.case is not None:
            cases.append(result.case)
    duplicates = {slug: paths for slug, paths in by_slug.items() if len(paths) > 1}
    for slug, paths in duplicates.items():
        for p in paths:
            others = ", ".join(q for q in paths if q != p)
            problems.append(error(p, None, f"duplicate slug '{slug}': also used by {others}"))
    kept = [c for c in cases if c.slug not in duplicates]
    sources = {c.slug: digests[c.source_path] for c in kept}
    stubs.update(
        (t, label)
        for c in cases
        if c.slug in duplicates
        for t in TAXONOMIES
        for label in c.terms(t)
    )
    return kept, problems, frozenset(by_slug), words.table(), sources, digests, frozenset(stubs)


def _load_pages(
    root: Path, config: SiteConfig, found: Sequence[Found]
) -> tuple[list[Page], list[Diagnostic]]:
    pages: list[Page] = []
    problems: list[Diagnostic] = []
    for entry in found:
        slug = _check_name(entry.rel)
        if not isinstance(slug, str):
            problems += [slug] if slug else []
            continue
        source = read_source(
            root, Path(entry.location), config.max_file_bytes, rel=entry.rel, is_link=entry.is_link
        )
        if isinstance(source, Diagnostic):
            problems.append(source)
            continue
        front, front_problems = parse(source)
        problems += front_problems
        if front is not None:
            page, page_problems = validate_page(front, slug, config.limits)
            problems += page_problems
            pages += [page] if page else []
    return pages, problems


def load_content(
    root: Path,
    config: SiteConfig,
    *,
    cache: Cache | None = None,
    jobs: int = 1,
    tick: Tick | None = None,
    walked: Sequence[Found] | None = None,
) -> Content:
    """Load every case and page under `root/content`. Cases come back sorted newest first.

    Unchanged case files come from `cache`; the rest compile on `jobs` processes. `walked`
    is what a walk of `content/` found earlier in this build (`stats.walk`), if any.
    """
    if not (root / CASES_DIR).is_dir():
        return Content(
            (),
            (),
            (
                error(
                    CASES_DIR,
                    None,
                    "content directory not found",
                    f"create '{CASES_DIR}/' in the site root"
                    if (root / "site.toml").is_file()
                    else "no site here yet: 'site-builder init' starts one in this folder",
                ),
            ),
        )
    found = inventory(root, walked)
    cases, case_problems, slugs, words, digests, files, stubs = _load_cases(
        root, config, cache, jobs, tick, found.cases
    )
    pages, page_problems = _load_pages(root, config, found.pages)
    cases.sort(key=lambda c: (-c.date.toordinal(), c.slug))
    problems = tuple([*found.problems, *case_problems, *page_problems])
    return Content(tuple(cases), tuple(pages), problems, slugs, words, digests, files, stubs)
