"""The persistent build cache: one SQLite file under the site's cache directory.

It remembers, per source file, the compiled case (parsed, validated, Markdown rendered) keyed by
the file's bytes and by everything else that shapes the result (relevant config, the code
itself); and, per output directory, what each output file was made from (a fingerprint of its
inputs) so an unchanged output is neither rendered nor written again.

The large states a build keeps for the next one (search postings, graph, site record: tens of
MB at 10k cases) live in files beside it, each tagged with a token that the database holds:
SQLite would write them twice (WAL, then checkpoint) on every build. A file whose token is not
the database's (a build that died half-way) is not read.

Values are encoded with msgspec (typed MessagePack), not pickle: decoding validates the shape
and can never execute code, so a damaged or planted cache cannot do more than miss. A cache that
cannot be opened, has another schema or was written by other code is deleted and rebuilt; any
read error during a build counts as a miss. The cache only ever makes a build faster: deleting
`.cache/` (or `build --clean`) gives the same output.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import msgspec

from .diagnostics import Diagnostic
from .model import Case

SCHEMA = "10"
FILE_NAME = "site-builder.sqlite"
STATES_DIR = "states"


@dataclass(frozen=True, slots=True)
class Compiled:
    """What one case file became: a case (or none, if it had errors) and its diagnostics.

    A file with errors still names the terms it carries (`stub_terms`: (taxonomy, label)),
    so `check` does not report links to them as missing while the file is being fixed.
    """

    case: Case | None
    diagnostics: tuple[Diagnostic, ...]
    stub_terms: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """An output as last written: what it was made from, and the file's stat to spot tampering."""

    fingerprint: str
    size: int
    mtime_ns: int


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(Compiled)
_DIAGNOSTICS = msgspec.msgpack.Decoder(tuple[Diagnostic, ...])
_FRESH = msgspec.msgpack.Decoder(tuple[tuple[str, str], ...])


@dataclass(frozen=True, slots=True)
class LastBuild:
    """The inputs of the build that produced an output tree, and what it reported."""

    inputs: str
    diagnostics: tuple[Diagnostic, ...]
    cases: int
    fresh: tuple[tuple[str, str], ...] = ()


def new_token() -> str:
    """Marks the state files of one build (`Cache.put_states`)."""
    return os.urandom(12).hex()


@functools.cache
def code_fingerprint() -> str:
    """A hash of this package's own code: a new version (or a local edit) means a new cache.
    Read once per process (a build asks three times)."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


T = TypeVar("T")


def decode_or_none(decoder: msgspec.msgpack.Decoder[T], data: bytes | None) -> T | None:
    """A state kept for the next build, or None if it is missing or damaged: the caller then
    computes from scratch, so a bad cache can only make a build slower."""
    if not data:
        return None
    try:
        return decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def encode_compiled(value: Compiled) -> bytes:
    return _ENCODER.encode(value)


# A source entry: path, change time, size, digest, compiled blob, word ids, word counts. The
# stat and digest live in `sources`, the rest in `compiled` (same path): refreshing the stat
# of 10k entries then rewrites a few pages, not every 8 KB row.
# The word bag is stored as ids into the cache's `words` table (int32 arrays as bytes), so a
# cached case's words come back without creating a string per word or looking each one up.
SourceRow = tuple[str, int, int, str, bytes, bytes, bytes]


def decode_compiled(data: bytes) -> Compiled | None:
    try:
        return _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError, ValueError):
        return None


class Cache:
    """An open cache file. State is real here: one connection, used by the parent process only."""

    def __init__(self, path: Path, code: str) -> None:
        self.path = path
        self.code = code
        # Why the cache could not be written, if it could not: the build still publishes
        # (the cache only saves time) and the CLI prints this as a warning.
        self.trouble: str | None = None
        self.db = self._open()

    def _failed(self, exc: BaseException) -> None:
        if self.trouble is None:
            self.trouble = getattr(exc, "strerror", None) or str(exc)

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """A write that may fail (disk full, read-only): noted in `trouble`, never raised."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._failed(exc)
            return self._create(sqlite3.connect(":memory:", isolation_level=None))
        for attempt in range(2):
            try:
                db = sqlite3.connect(self.path, isolation_level=None)
                if self._usable(db):
                    # WAL with NORMAL sync stays consistent after a crash (it may lose the last
                    # commits, which only costs a rebuild) and skips an fsync per commit.
                    db.execute("PRAGMA synchronous=NORMAL")
                    return db
                db.close()
            except sqlite3.DatabaseError:
                pass
            if attempt == 0:
                with self._quiet():
                    self._discard()
        self.trouble = self.trouble or "the cache file cannot be opened or created"
        return self._create(sqlite3.connect(":memory:", isolation_level=None))

    def _usable(self, db: sqlite3.Connection) -> bool:
        """A fresh file gets the schema; an existing one must be ours with the same schema.

        Other code (an upgrade, a local edit) may compile cases differently, so compiled cases
        and no-op records go; the output manifest stays: its fingerprints include the code, so
        every output is rendered again, but files whose bytes did not change are not rewritten.
        """
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            self._create(db)
            return True
        if not {"meta", "sources", "compiled", "builds", "outputs"} <= tables:
            return False
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("schema") != SCHEMA:
            return False
        if meta.get("code") != self.code:
            db.executescript(
                "DELETE FROM sources; DELETE FROM compiled; DELETE FROM builds; "
                "DELETE FROM words; DELETE FROM states;"
            )
            db.execute("UPDATE meta SET value = ? WHERE key = 'code'", (self.code,))
        return True

    def _create(self, db: sqlite3.Connection) -> sqlite3.Connection:
        # Big pages: a compiled entry (~8 KB) fits in one instead of a chain of 4 KB overflow
        # pages, and reading 10k of them, which every incremental build does, takes a third
        # of the time (0.13 -> 0.05 s). Must come before the first table and WAL mode.
        db.executescript(
            """
            PRAGMA page_size=65536;
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS sources (
                path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, digest TEXT,
                config TEXT);
            CREATE TABLE IF NOT EXISTS compiled (
                path TEXT PRIMARY KEY, blob BLOB, ids BLOB, counts BLOB);
            CREATE TABLE IF NOT EXISTS words (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE);
            CREATE TABLE IF NOT EXISTS states (outdir TEXT, name TEXT, token TEXT, PRIMARY KEY (outdir, name));
            CREATE TABLE IF NOT EXISTS builds (
                outdir TEXT PRIMARY KEY, inputs TEXT, diagnostics BLOB, cases INTEGER,
                fresh BLOB);
            CREATE TABLE IF NOT EXISTS outputs (
                outdir TEXT, path TEXT, fingerprint TEXT, size INTEGER, mtime_ns INTEGER,
                PRIMARY KEY (outdir, path));
            """
        )
        db.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [("schema", SCHEMA), ("code", self.code)],
        )
        return db

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").unlink()

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self.db.close()

    # Sources ---------------------------------------------------------------------------------

    def sources(self, config: str) -> Iterator[SourceRow]:
        """`SourceRow`s of entries made under this config, one row at a time: at 100k cases
        the blobs are gigabytes."""
        try:
            cursor = self.db.execute(
                "SELECT path, mtime_ns, size, digest, blob, ids, counts "
                "FROM sources JOIN compiled USING (path) WHERE config = ?",
                (config,),
            )
            yield from cursor
        except sqlite3.Error:
            return

    def words(self) -> list[str] | None:
        """Every word the cached bags refer to, indexed by id; None if the table is damaged
        (ids must be 0..n-1), and then the caller forgets the sources that use it."""
        try:
            rows = self.db.execute("SELECT id, word FROM words ORDER BY id").fetchall()
        except sqlite3.Error:
            return None
        if rows and rows[-1][0] != len(rows) - 1:
            return None
        return [word for _, word in rows]

    def forget_sources(self) -> None:
        """Drop compiled cases and the vocabulary, and the states that number words by it
        (the graph keeps keyword rows by word id)."""
        with self._quiet(), self._transaction():
            self.db.execute("DELETE FROM sources")
            self.db.execute("DELETE FROM compiled")
            self.db.execute("DELETE FROM words")
            self.db.execute("DELETE FROM states")

    def put_sources(
        self, config: str, rows: Iterable[SourceRow], words: Iterable[tuple[int, str]] = ()
    ) -> bool:
        """Store compiled files and the new words their bags use, in one transaction: a row
        never refers to a word id that is not stored. False if nothing was stored."""
        try:
            with self._transaction():
                self.db.executemany("INSERT INTO words VALUES (?, ?)", words)
                rows = list(rows)
                self.db.executemany(
                    "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)",
                    ((p, m, s, d, config) for p, m, s, d, _, _, _ in rows),
                )
                self.db.executemany(
                    "INSERT OR REPLACE INTO compiled VALUES (?, ?, ?, ?)",
                    ((p, b, i, c) for p, _, _, _, b, i, c in rows),
                )
        except sqlite3.Error as exc:
            self._failed(exc)
            return False
        return True

    def restat_sources(self, rows: Iterable[tuple[str, int, int, str]]) -> None:
        """New (mtime_ns, size) for entries whose file was found unchanged by its bytes: rows of
        (path, mtime_ns, size, digest). Only the small `sources` rows change: rewriting every
        entry with its blob after a checkout cost 0.17 s at 10k cases."""
        with self._quiet(), self._transaction():
            self.db.executemany(
                "UPDATE sources SET mtime_ns = ?, size = ? WHERE path = ? AND digest = ?",
                ((m, s, p, d) for p, m, s, d in rows),
            )

    def prune_sources(self, keep: set[str]) -> None:
        """Forget files that no longer exist (`keep` is every path seen)."""
        with self._quiet(), self._transaction():
            stale = [(p,) for (p,) in self.db.execute("SELECT path FROM sources") if p not in keep]
            self.db.executemany("DELETE FROM sources WHERE path = ?", stale)
            self.db.executemany("DELETE FROM compiled WHERE path = ?", stale)

    # Outputs ---------------------------------------------------------------------------------

    def outputs(self, outdir: str) -> dict[str, OutputRecord]:
        try:
            rows = self.db.execute(
                "SELECT path, fingerprint, size, mtime_ns FROM outputs WHERE outdir = ?",
                (outdir,),
            ).fetchall()
        except sqlite3.Error:
            return {}
        return {r[0]: OutputRecord(r[1], r[2], r[3]) for r in rows}

    def put_outputs(self, outdir: str, records: dict[str, OutputRecord]) -> None:
        """Replace the whole manifest of `outdir` (the output tree now holds exactly these)."""
        with self._quiet(), self._transaction():
            self.db.execute("DELETE FROM outputs WHERE outdir = ?", (outdir,))
            self._insert_outputs(outdir, records)

    def update_outputs(
        self, outdir: str, changed: dict[str, OutputRecord], removed: Iterable[str]
    ) -> None:
        """Patch the manifest after an incremental build: a one-edit rebuild changes a few
        rows of 25k, and rewriting them all cost more than the rest of the cache phase."""
        with self._quiet(), self._transaction():
            self.db.executemany(
                "DELETE FROM outputs WHERE outdir = ? AND path = ?",
                ((outdir, path) for path in removed),
            )
            self._insert_outputs(outdir, changed)

    def _insert_outputs(self, outdir: str, records: dict[str, OutputRecord]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)",
            (
                (outdir, path, r.fingerprint, r.size, r.mtime_ns)
                for path, r in sorted(records.items())
            ),
        )

    def _state_path(self, outdir: str, name: str) -> Path:
        key = hashlib.blake2b(outdir.encode(), digest_size=8).hexdigest()
        return self.path.parent / STATES_DIR / f"{key}-{name}"

    def state(self, outdir: str, name: str) -> bytes | None:
        """What the last build of `outdir` kept for the next one under `name`: the search
        postings (`search_index.SearchState`), the graph (`graph.GraphState`) or the site
        record (`changes.SiteState`)."""
        try:
            row = self.db.execute(
                "SELECT token FROM states WHERE outdir = ? AND name = ?", (outdir, name)
            ).fetchone()
            if row is None:
                return None
            data = self._state_path(outdir, name).read_bytes()
        except (sqlite3.Error, OSError):
            return None
        token = row[0].encode() + b"\n"
        return data[len(token) :] if data.startswith(token) else None

    def stage_state(self, outdir: str, name: str, token: str, blob: bytes) -> None:
        """Write a state for `put_states(..., token)` to move into place. File writes only, no
        database: a forked process may call it and send back that it did, not the blob."""
        path = self._state_path(outdir, name)
        try:
            path.parent.mkdir(exist_ok=True)
            with open(path.with_name(path.name + ".tmp"), "wb") as file:
                file.write(token.encode() + b"\n")
                file.write(blob)
        except OSError:  # `put_states` finds no staged file and notes the trouble
            return

    def put_states(
        self, outdir: str, states: Mapping[str, bytes | None], token: str | None = None
    ) -> None:
        """Keep `states` for the next build of `outdir`; a None value was staged under
        `token` by `stage_state`. A state counts only with the token recorded here."""
        token = token or new_token()
        try:
            for name, blob in sorted(states.items()):
                if blob is not None:
                    self.stage_state(outdir, name, token, blob)
                path = self._state_path(outdir, name)
                os.replace(path.with_name(path.name + ".tmp"), path)
        except OSError as exc:
            self._failed(exc)
            return
        with self._quiet(), self._transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO states VALUES (?, ?, ?)",
                [(outdir, name, token) for name in sorted(states)],
            )

    def forget_outputs(self, outdir: str) -> None:
        with self._quiet(), self._transaction():
            self.db.execute("DELETE FROM outputs WHERE outdir = ?", (outdir,))
            self.db.execute("DELETE FROM builds WHERE outdir = ?", (outdir,))
            self.db.execute("DELETE FROM states WHERE outdir = ?", (outdir,))

    def last_build(self, outdir: str) -> LastBuild | None:
        try:
            row = self.db.execute(
                "SELECT inputs, diagnostics, cases, fresh FROM builds WHERE outdir = ?", (outdir,)
            ).fetchone()
            if row is None:
                return None
            return LastBuild(row[0], _DIAGNOSTICS.decode(row[1]), row[2], _FRESH.decode(row[3]))
        except (sqlite3.Error, msgspec.DecodeError, msgspec.ValidationError):
            return None

    def put_last_build(self, outdir: str, build: LastBuild) -> None:
        with self._quiet():
            self.db.execute(
                "INSERT OR REPLACE INTO builds VALUES (?, ?, ?, ?, ?)",
                (
                    outdir,
                    build.inputs,
                    _ENCODER.encode(build.diagnostics),
                    build.cases,
                    _ENCODER.encode(build.fresh),
                ),
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def open_cache(directory: Path) -> Cache:
    return Cache(directory / FILE_NAME, code_fingerprint())
