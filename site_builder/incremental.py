"""What changed since the last build: input keys, output fingerprints, the live tree.

Dependencies are tracked by value, not declared: every planned output gets a fingerprint of
everything it is made from (its template set, the site-wide values, its own view context, the
code), so a page that shows a case's title changes fingerprint exactly when that title
changes, and no list of "who shows what" can go stale. The no-op check is coarser and cheaper:
the stats of every input file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from .cache import LastBuild, OutputRecord, code_fingerprint
from .config import CONFIG_NAME
from .model import DataFile
from .stats import Found, read_regular, trusted_mtime, walk
from .theme import template_dirs

if TYPE_CHECKING:
    from .plan import CaseUnit, Output, SiteView


@dataclass(frozen=True, slots=True)
class Inputs:
    key: str
    fresh: tuple[tuple[str, str], ...]  # (path, SHA-256) of files too new to trust by stat
    # What the walk of `content/` found, for loading to reuse instead of walking again.
    content: tuple[Found, ...] | None = None
    # Fresh files left unhashed (`read_inputs`'s `defer`): `with_pending` hashes them.
    pending: tuple[str, ...] = ()


def environment_key(root: Path, site: SiteView) -> bytes:
    """Everything every page depends on: all template files, site-wide values, the code."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(code_fingerprint().encode())
    digest.update(msgspec.msgpack.encode(site))
    for directory in template_dirs(root):
        for path in sorted(directory.rglob("*")):
            if path.is_file() and "static" not in path.relative_to(directory).parts:
                digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.digest()


def read_inputs(
    root: Path,
    *,
    drafts: bool,
    strict: bool,
    defer: Callable[[str], bool] | None = None,
    base_url: str | None = None,
) -> Inputs:
    """Stats of every input file (content, config, templates) plus the code and the options.

    Equal keys mean an equal site, so a build can stop right here (a no-op rebuild). Files
    changed in the last moments are also hashed: timestamps are coarse, so an edit right after
    this look could keep the same change time and size ("racy git"); their bytes decide.

    Fresh files that `defer` picks are left for the caller: a build compiles case files
    anyway and can record the digest of the very bytes it compiled (`with_pending`), instead
    of reading them all one more time (0.16 s for 10k files just checked out).
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{code_fingerprint()}\0{drafts}\0{strict}\0{base_url}\0".encode())
    config = root / CONFIG_NAME
    digest.update(config.read_bytes() if config.is_file() else b"-")
    found = walk(root, "content")
    stats = [(f.rel, *(f.stat or (-1, -1))) for f in found]
    refused = {f.rel for f in found if f.problem is not None}  # never opened: a FIFO blocks
    for directory in template_dirs(root):
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                stat = path.stat()
                stats.append((path.as_posix(), stat.st_ctime_ns, stat.st_size))
            elif not path.is_dir():  # a FIFO or a socket: the build reports it, never reads it
                stats.append((path.as_posix(), -1, -1))
                refused.add(path.as_posix())
    digest.update(msgspec.msgpack.encode(stats))
    fresh: list[str] = []
    pending: list[str] = []
    for path, changed, _ in stats:
        if trusted_mtime(changed) < 0 and path not in refused:
            (pending if defer is not None and defer(path) else fresh).append(path)
    return Inputs(digest.hexdigest(), _hashes(root, fresh), tuple(found), tuple(pending))


def with_pending(root: Path, inputs: Inputs, known: Mapping[str, str] | None = None) -> Inputs:
    """`inputs` with its pending files hashed: by `known` (path -> SHA-256 of the bytes this
    build read and compiled), or else read now."""
    if not inputs.pending:
        return inputs
    known = known or {}
    found = tuple((path, known[path]) for path in inputs.pending if path in known)
    unknown = _hashes(root, [path for path in inputs.pending if path not in known])
    return replace(inputs, fresh=inputs.fresh + found + unknown, pending=())


def _hashes(root: Path, paths: Iterable[str]) -> tuple[tuple[str, str], ...]:
    found = []
    for path in paths:
        try:
            data = read_regular(os.path.join(root, path))
            found.append((path, hashlib.sha256(data).hexdigest()))
        except OSError:
            found.append((path, ""))
    return tuple(found)


def same_inputs(root: Path, now: Inputs, last: LastBuild | None) -> bool:
    """Same stats, and the files that were too fresh to trust last time have the same bytes.
    A file still fresh now was hashed moments ago by `read_inputs`: that digest is reused
    (a no-op right after an edit hashed 10k files twice at 10k cases)."""
    if last is None or last.inputs != now.key:
        return False
    hashed = dict(now.fresh)
    unknown = [path for path, _ in last.fresh if path not in hashed]
    hashed.update(_hashes(root, unknown))
    return all(hashed[path] == digest for path, digest in last.fresh)


def now_trusted(now: Inputs, last: LastBuild) -> list[tuple[str, int, int, str]]:
    """(path, ctime_ns, size, digest) of the content files that were too fresh to trust at the
    last build and are not any more, after `same_inputs` found their bytes unchanged: the
    compile cache can trust their stat from now on (`Cache.restat_sources`), instead of
    reading and hashing them all again in the next build that loads content."""
    still = {path for path, _ in now.fresh} | set(now.pending)
    stats = {found.rel: found.stat for found in now.content or ()}
    trusted = []
    for path, digest in last.fresh:
        stat = stats.get(path)
        if path not in still and stat is not None and digest:
            trusted.append((path, stat[0], stat[1], digest))
    return trusted


def outputs_intact(output: Path, manifest: dict[str, OutputRecord]) -> bool:
    """Whether every output is as the last build left it: the no-op check, which builds no
    list of records."""
    base = os.fspath(output) + "/"
    return all(_as_recorded(base, path, record) for path, record in manifest.items())


def _as_recorded(base: str, path: str, record: OutputRecord) -> bool:
    """Whether the file is still as the build that recorded it wrote it (size and mtime)."""
    try:
        stat = os.stat(base + path)
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (record.size, record.mtime_ns)


def intact_records(
    output: Path,
    manifest: dict[str, OutputRecord],
    paths: Iterable[str],
    damaged: frozenset[str] | None = None,
) -> list[tuple[str, OutputRecord]] | None:
    """The manifest's records of `paths` if every file is still as that build wrote it, else
    None; `damaged` (`damaged_outputs`, found earlier in the build) answers instead of a stat
    call per file."""
    base = os.fspath(output) + "/"
    found = []
    for path in paths:
        record = manifest.get(path)
        if record is None:
            return None
        intact = path not in damaged if damaged is not None else _as_recorded(base, path, record)
        if not intact:
            return None
        found.append((path, record))
    return found


def damaged_outputs(output: Path, manifest: dict[str, OutputRecord]) -> frozenset[str]:
    """The manifest's outputs that are no longer as that build wrote them (missing, or
    another size or mtime)."""
    base = os.fspath(output) + "/"
    return frozenset(p for p, record in manifest.items() if not _as_recorded(base, p, record))


def fingerprint(output: Output, env_key: bytes) -> str:
    """'' (always render) if the context holds something msgspec cannot encode faithfully."""
    digest = hashlib.blake2b(env_key, digest_size=20)
    if isinstance(output, DataFile):
        digest.update(b"data\0" + output.data)
        return digest.hexdigest()
    try:
        digest.update(msgspec.msgpack.encode((output.url, output.template, output.context)))
    except (TypeError, msgspec.EncodeError):
        return ""
    return digest.hexdigest()


def unit_fingerprints(unit: CaseUnit, env_key: bytes) -> dict[str, str] | None:
    """Output path -> fingerprint from the unit's inputs alone (None: cannot be encoded)."""
    try:
        inputs = msgspec.msgpack.encode(unit.inputs())
    except (TypeError, msgspec.EncodeError):
        return None
    digest = hashlib.blake2b(env_key, digest_size=20)
    digest.update(b"unit\0" + inputs)
    fingerprints = {}
    for path in unit.paths():
        one = digest.copy()
        one.update(path.encode())
        fingerprints[path] = one.hexdigest()
    return fingerprints


def unchanged(output_dir: Path, path: str, fp: str, record: OutputRecord | None) -> bool:
    if record is None or not fp or record.fingerprint != fp:
        return False
    try:
        stat = (output_dir / path).stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (record.size, record.mtime_ns)


def live_stat(output: Path, rel: str, data: bytes) -> tuple[int, int] | None:
    """(size, mtime) of the live output file if it already holds exactly `data`."""
    live = output / rel
    try:
        stat = live.stat()
        if stat.st_size != len(data) or live.read_bytes() != data:
            return None
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns
