"""Run one function over shards of work in forked processes, results back in shard order.

Forking (not spawning) is the point: children inherit the already-loaded model, templates and
configuration copy-on-write, so nothing big is pickled on the way in; only each shard's small
result travels back through a pipe. `jobs=1` runs in-process, which is the reference path the
tests compare against. Children report progress ticks so the parent can drive one progress bar.
"""

from __future__ import annotations

import argparse
import os
import signal
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .diagnostics import UserError

# multiprocessing is imported where a process is started: a no-op build never starts one.
if TYPE_CHECKING:
    import multiprocessing
    from multiprocessing.connection import Connection

T = TypeVar("T")
Tick = Callable[[int], None]
Part = Callable[[Any], None]


class Channel:
    """What a shard function reports through: progress ticks and, optionally, partial results.

    Streaming parts lets the parent consume results (decode, store, free) while workers are
    still busy, instead of holding every shard's whole result at once.
    """

    def __init__(self, tick: Tick, part: Part) -> None:
        self._tick, self._part = tick, part

    def __call__(self, n: int) -> None:
        self._tick(n)

    def emit(self, part: Any) -> None:
        self._part(part)


ShardFn = Callable[[int, int, Channel], T]


def default_jobs() -> int:
    """Cores this process may use (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class WorkQueue:
    """Chunks of `range(total)` handed out on demand to forked workers via a shared counter.

    Create it before forking. Workers that draw small units come back for more while one
    chews on a big unit (the search index), so the cores finish together.
    """

    def __init__(self, total: int, chunk: int) -> None:
        import multiprocessing

        self.total, self.chunk = total, chunk
        self._next = multiprocessing.get_context("fork").Value("q", 0)

    def __iter__(self) -> Iterator[range]:
        while True:
            with self._next.get_lock():
                start = self._next.value
                self._next.value = start + self.chunk
            if start >= self.total:
                return
            yield range(start, min(start + self.chunk, self.total))


def parse_jobs(value: str) -> int:
    """`--jobs` as argparse reads it: a whole number of processes, at least one."""
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {value!r}")
    return jobs


def _child(fn: ShardFn[Any], shard: int, jobs: int, conn: Connection) -> None:
    # The parent stops a child that is done or no longer needed with SIGTERM; the CLI's
    # handler (an exception, so the parent can clean up) would print a traceback from here.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    channel = Channel(lambda n: conn.send(("tick", n)), lambda p: conn.send(("part", p)))
    try:
        conn.send(("ok", fn(shard, jobs, channel)))
    except UserError as exc:
        conn.send(("user-error", exc.diagnostics))
    except OSError as exc:  # a full disk, a lost permission: the parent reports it as such
        conn.send(("os-error", (exc.errno, exc.strerror, exc.filename)))
    except KeyboardInterrupt:
        pass
    except BaseException:  # a bug: carry the child's traceback to the parent
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


def run_sharded(
    fn: ShardFn[T], jobs: int, on_tick: Tick | None = None, on_part: Part | None = None
) -> list[T]:
    """`[fn(k, jobs, channel) for k in range(jobs)]`, each in its own forked process.

    Parts a shard emits reach `on_part` in the parent as they come (in no particular order
    across shards).
    """
    tick = on_tick or (lambda n: None)
    part = on_part or (lambda p: None)
    if jobs <= 1 or not hasattr(os, "fork"):
        return [fn(0, 1, Channel(tick, part))]
    import multiprocessing
    from multiprocessing.connection import Connection, wait

    ctx = multiprocessing.get_context("fork")
    children: list[multiprocessing.process.BaseProcess] = []
    pending: dict[Connection, int] = {}
    results: dict[int, T] = {}
    try:
        for shard in range(jobs):
            recv, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_child, args=(fn, shard, jobs, send), daemon=True)
            child.start()
            send.close()
            children.append(child)
            pending[recv] = shard
        while pending:
            for conn in wait(list(pending)):
                assert isinstance(conn, Connection)
                shard = pending[conn]
                try:
                    kind, value = conn.recv()
                except EOFError:
                    raise RuntimeError(f"worker {shard} died without a result") from None
                if kind == "tick":
                    tick(value)
                    continue
                if kind == "part":
                    part(value)
                    continue
                del pending[conn]
                conn.close()
                if kind == "user-error":
                    raise UserError(value)
                if kind == "os-error":
                    raise OSError(*value)
                if kind == "crash":
                    raise RuntimeError(f"worker {shard} failed:\n{value}")
                results[shard] = value
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
    return [results[shard] for shard in range(jobs)]


class Background:
    """One function running in a forked process while the parent does something else.

    The build renders the search index (which never reads the related graph) here while the
    parent computes the graph, so the two longest single-core steps overlap. `result()` waits
    for it; `cancel()` stops it. The child's result must be small: it travels through a pipe.
    """

    def __init__(self, fn: Callable[[], T]) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._child = ctx.Process(
            target=_child, args=(lambda k, n, channel: fn(), 0, 1, send), daemon=True
        )
        self._child.start()
        send.close()

    def result(self) -> Any:
        try:
            while True:
                try:
                    kind, value = self._recv.recv()
                except EOFError:
                    raise RuntimeError("background worker died without a result") from None
                if kind not in ("tick", "part"):
                    break
        finally:
            self.cancel()
        if kind == "user-error":
            raise UserError(value)
        if kind == "os-error":
            raise OSError(*value)
        if kind == "crash":
            raise RuntimeError(f"background worker failed:\n{value}")
        return value

    def cancel(self) -> None:
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()
        self._recv.close()
