"""`site-builder bench`: build synthetic corpora and report cold, no-op and one-edit figures.

Every build runs as its own `site-builder build` process, exactly as a maintainer runs it, so
the figures include interpreter start-up and the peak RSS is that build's alone (read from
`wait4`, the largest single process: forked workers share the parent's pages copy-on-write).
The corpus comes from `corpus.generate_site`, so runs are comparable across machines and time.
No-op and one-edit figures are the median of three runs (three edits of different cases).
Dirty pages are flushed (`sync`) before each timed build, outside its time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .parallel import default_jobs, parse_jobs

DEFAULT_SIZES = (1_000, 10_000)
TARGETS = {"cold_10k_s": 10.0, "rss_10k_mb": 600.0, "edit_10k_s": 1.5, "noop_10k_s": 0.5}


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_rss_mb: float
    written: int
    outputs: int
    phases: dict[str, float]


@dataclass(frozen=True, slots=True)
class SizeResult:
    cases: int
    generate_s: float
    cold: Run
    noop: Run  # the median of `REPEATS` runs, each listed in `noop_runs`
    one_edit: Run  # the median of `REPEATS` edits of different cases
    noop_runs: tuple[float, ...] = ()
    edit_runs: tuple[float, ...] = ()
    readers: object = None  # bench_readers.ReaderFigures, or why it was skipped


def _build(root: Path, output: Path, report: Path, jobs: int, *extra: str) -> Run:
    import subprocess  # here, like the others below: every command builds this module's options
    import tempfile

    command = [
        sys.executable,
        "-m",
        "site_builder",
        "build",
        "--root",
        str(root),
        "--output",
        str(output),
        "--quiet",
        "--jobs",
        str(jobs),
        "--report",
        str(report),
        *extra,
    ]
    # The files of the previous step (the corpus, the last build's 25k outputs at 10k cases)
    # are still dirty in the page cache, and the kernel writes them back ~30 s later: inside
    # this measurement, on the same two cores. Flush them first, as `hyperfine --prepare
    # sync` would, so every build is timed from the same clean start.
    os.sync()
    start = time.perf_counter()
    # stderr goes to a file, not a pipe: nobody reads a pipe during wait4, and the real-shaped
    # corpus's ~2,000 orphan warnings (280 KB) filled it and hung the build.
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        stderr.seek(0)
        errors = stderr.read().decode(errors="replace")
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"benchmark build failed ({process.returncode}):\n{errors}")
    data = json.loads(report.read_text(encoding="utf-8"))
    return Run(
        round(seconds, 3),
        round(usage.ru_maxrss / 1024, 1),
        data["written"],
        data["outputs"],
        {name: round(value, 3) for name, value in data["phases"].items()},
    )


def _edit_one_case(root: Path, nth: int = 0) -> Path:
    """Change the body text of one case in the middle of the corpus, as a writer would; the
    `nth` edit changes the `nth` case after the middle."""
    files = sorted((root / "content" / "cases").rglob("*.md"))
    target = files[len(files) // 2 + nth]
    text = target.read_text(encoding="utf-8")
    text = text.replace(
        "## Response", "One more sentence, added by the benchmark.\n\n## Response", 1
    )
    target.write_text(text, encoding="utf-8")
    return target


def bench_size(n: int, work: Path, jobs: int) -> SizeResult:
    import shutil

    from .corpus import generate_site  # not at import time: `build --help` reaches this module

    root, output, report = work / f"site-{n}", work / f"output-{n}", work / f"report-{n}.json"
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    start = time.perf_counter()
    generate_site(root, n)
    generated = time.perf_counter() - start
    cold = _build(root, output, report, jobs)
    from .bench_readers import measure

    readers = measure(output)  # /search/ and /check/ in Chromium, on the cold output
    noops = [_build(root, output, report, jobs) for _ in range(REPEATS)]
    edits = []
    for nth in range(REPEATS):
        _edit_one_case(root, nth)
        edits.append(_build(root, output, report, jobs))
    return SizeResult(
        n,
        round(generated, 2),
        cold,
        _median(noops),
        _median(edits),
        tuple(r.seconds for r in noops),
        tuple(r.seconds for r in edits),
        readers,
    )


# No-op and one-edit builds take a second or two, where this machine's noise (another
# tenant, a disk flush) moves a single run by a third; their median is the figure. A cold
# build is long enough to run once.
REPEATS = 3


def _median(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def _phases(run: Run) -> str:
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in run.phases.items())


def table(results: Sequence[SizeResult]) -> str:
    head = (
        "| cases | cold build | peak RSS | one-edit rebuild | no-op rebuild | outputs "
        "| graph phase | cold phases (s) |\n|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    rows = [
        f"| {r.cases:,} | {r.cold.seconds:.2f} s | {r.cold.peak_rss_mb:.0f} MB "
        f"| {r.one_edit.seconds:.2f} s ({r.one_edit.written} written) | {r.noop.seconds:.2f} s "
        f"| {r.cold.outputs:,} | {r.cold.phases.get('graph', 0):.2f} s | {_phases(r.cold)} |"
        for r in results
    ]
    return "\n".join([head, *rows])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="site-builder bench",
        description="Generate synthetic corpora and measure cold, no-op and one-edit builds.",
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_N") or ",".join(str(n) for n in DEFAULT_SIZES),
        help="comma-separated corpus sizes (default: $BENCH_N or 1000,10000; e.g. 1000,10000,100000)",
    )
    parser.add_argument(
        "--jobs",
        type=parse_jobs,
        default=default_jobs(),
        help="--jobs for each build (default: all cores)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=Path("bench-results/bench.json"),
        metavar="FILE",
        help="where to write the results as JSON (default: bench-results/bench.json)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        metavar="DIR",
        help="keep corpora and outputs here (default: a temporary .bench-* folder in the "
        "project directory, removed at the end)",
    )
    parser.add_argument(
        "--no-real",
        dest="real",
        action="store_false",
        help="skip the real-shaped corpus and Hugo beside it (bench_real.py)",
    )


def _compile_package() -> None:
    """Write the package's bytecode, as installing a release does: an editable install run
    under PYTHONDONTWRITEBYTECODE (set in CI here) compiles ~9k lines on every build,
    40 ms of a one-edit rebuild. Best effort: a read-only install is measured as it is."""
    import compileall

    compileall.compile_dir(str(Path(__file__).parent), quiet=2)


def run(args: argparse.Namespace) -> int:
    import platform
    import tempfile

    sizes = [int(s.replace("_", "")) for s in str(args.sizes).split(",") if s.strip()]
    _compile_package()
    results: list[SizeResult] = []
    # Not under /tmp: on an ext4 without a journal (this kind of VM), new inodes skip the
    # recently freed ones one lookup at a time, and /tmp's block group is where test runs and
    # earlier benches just deleted tens of thousands of files. A cold 10k build there spent
    # 12 s instead of 5 creating its outputs. A fresh folder in the project is spread apart.
    project = getattr(args, "root", None) or Path.cwd()  # `python -m site_builder.bench`: here
    tmp = tempfile.mkdtemp(prefix=".bench-", dir=project) if args.workdir is None else None
    try:
        work = args.workdir or Path(str(tmp))
        work.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            print(f"bench: {n:,} cases ...", file=sys.stderr, flush=True)
            results.append(bench_size(n, work, args.jobs))
        real = None
        if getattr(args, "real", True):
            from .bench_real import bench_real

            print("bench: real-shaped corpus and Hugo ...", file=sys.stderr, flush=True)
            real = bench_real(work, args.jobs)
    finally:
        if tmp is not None:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    print(table(results))
    from .bench_readers import table as readers_table

    print("\n" + readers_table([(r.cases, r.readers) for r in results]))  # type: ignore[misc]
    if real is not None:
        from .bench_real import table as real_table

        print("\n" + real_table(real))
    report = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "jobs": args.jobs,
            "platform": platform.platform(),
        },
        "targets": TARGETS,
        "results": [asdict(r) for r in results],
        "real_shaped": asdict(real) if real is not None else None,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
