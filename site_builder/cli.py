"""Command line: parses arguments, prints diagnostics, maps outcomes to exit codes.

Exit codes: 0 success, 1 content errors (or warnings with --strict), 2 usage or config errors,
3 environment failures: the machine, not the content (disk full, permission denied or a
read-only file system where the output goes, another build holding the output's lock; see
docs/reliability.md). Only this module prints. User errors never show a traceback; anything else is a bug and does.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import NoReturn, TextIO

from .cli_commands import parser as _parser
from .diagnostics import Diagnostic, UserError, has_errors, summary
from .environment import EnvironmentFailure, failure
from .report import as_json, github, human

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 1, 2, 3


@contextmanager
def _progress_bar(phase: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal only: CI logs and pipes get the summary line alone."""
    from tqdm import tqdm

    with tqdm(
        total=total, desc=phase, unit="file", leave=False, file=sys.stderr, mininterval=0.2
    ) as bar:
        yield bar.update


def _color(stream: TextIO) -> bool:
    """ANSI colour only for a person at a terminal who has not opted out (no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _report(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    print(human(diagnostics, color=_color(stream)), end="", file=stream)


def _failed(diagnostics: Sequence[Diagnostic], strict: bool) -> bool:
    return has_errors(diagnostics) or (strict and bool(diagnostics))


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildOptions, build_site

    root: Path = args.root
    output: Path = args.output or root / "output"
    start = time.perf_counter()
    show_bar = not args.quiet and sys.stderr.isatty() and not os.environ.get("CI")
    options = BuildOptions(
        drafts=args.drafts,
        jobs=args.jobs,
        clean=args.clean,
        use_cache=not args.no_cache,
        strict=args.strict,
        progress=_progress_bar if show_bar else None,
        base_url=args.base_url,
        wait=args.wait,
        on_wait=lambda message: print(f"{output}: {message}", file=sys.stderr, flush=True),
    )
    keep: list[object] = []
    result, warnings = build_site(root, output, options=options, keep=keep)
    _report(warnings, sys.stderr)
    for note in result.notes:
        print(note, file=sys.stderr)
    elapsed = time.perf_counter() - start
    if args.report:
        args.report.write_text(
            json.dumps(
                {
                    "cases": result.cases,
                    "outputs": result.pages,
                    "written": result.written,
                    "unchanged": result.unchanged,
                    "removed": result.removed,
                    "seconds": round(elapsed, 4),
                    "phases": {name: round(value, 4) for name, value in result.timings},
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    if not args.quiet:
        phases = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in result.timings)
        print(
            f"built {result.cases} case{'' if result.cases == 1 else 's'} into {output}: "
            f"{result.pages} outputs, "
            f"{result.written} written, {result.unchanged} unchanged, {result.removed} removed "
            f"in {elapsed:.2f}s ({phases})"
        )
    code = EXIT_ERRORS if _failed(warnings, args.strict) else EXIT_OK
    if args.exit_now:
        _exit_now(code)  # `keep` still holds the loaded site: nothing is freed one by one
    return code


def _cmd_check(args: argparse.Namespace) -> int:
    from .build import check_site

    root: Path = args.root
    try:
        loaded = check_site(root, today=args.today or dt.date.today(), strict=args.strict)
    except UserError as exc:  # site.toml problems: there is no site to lint
        diagnostics, code, ok = exc.diagnostics, _error_code(exc.diagnostics), ""
    else:
        diagnostics = loaded.diagnostics
        code = EXIT_ERRORS if _failed(diagnostics, args.strict) else EXIT_OK
        ok = f"ok: {len(loaded.model.cases)} cases, {len(loaded.model.pages)} pages, no problems"
    if args.format == "json":
        print(as_json(diagnostics), end="")
    elif args.format == "github":
        print(github(diagnostics, lambda path: os.path.relpath(root / path)), end="")
        print(summary(diagnostics) if diagnostics else ok, file=sys.stderr)
    elif diagnostics:
        _report(diagnostics, sys.stderr)
    else:
        print(ok)
    return code


def _error_code(diagnostics: Sequence[Diagnostic]) -> int:
    """2 for a broken site.toml; a rule's warning there (base-url-unset under --strict) is 1,
    like every other warning that --strict turns into an error."""
    broken_config = any(
        d.path == "site.toml" and d.is_error and d.rule is None for d in diagnostics
    )
    return EXIT_USAGE if broken_config else EXIT_ERRORS


def _cmd_init(args: argparse.Namespace) -> int:
    from .init_site import init_site, next_steps

    created = init_site(args.dir, title=args.title, force=args.force)
    print(next_steps(args.dir, created), end="")
    return EXIT_OK


def _cmd_new(args: argparse.Namespace) -> int:
    from .config import load_config
    from .scaffold import new_case, require_site

    require_site(args.root)
    config = load_config(args.root)
    path = new_case(
        args.root,
        args.title,
        tags=tuple(args.tag),
        topics=tuple(args.topic),
        ratings=config.ratings,
        default_rating=config.default_rating,
    )
    print(path.relative_to(args.root).as_posix() if path.is_relative_to(args.root) else path)
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    serve(
        args.root,
        args.output or args.root / "output",
        port=args.port,
        drafts=not args.no_drafts,
        log=log,
    )
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run

    if not args.json.is_absolute():
        args.json = args.root / args.json
    return run(args)


def _cmd_graph_eval(args: argparse.Namespace) -> int:
    from .graph_eval import run

    if args.checkthat is not None:
        return _cmd_checkthat(args.checkthat)
    if args.n < 2:
        print("graph-eval: error: --n must be at least 2", file=sys.stderr)
        return EXIT_USAGE
    print(run(args.root, n=args.n, seed=args.seed))
    return EXIT_OK


def _cmd_checkthat(folder: Path) -> int:
    from .checkthat import run as run_checkthat
    from .nodejs import NodeMissing

    if not (folder / "vclaims.jsonl").is_file():
        print(
            f"graph-eval: CheckThat! skipped: {folder} has no vclaims.jsonl (the data is not in a clone)"
        )
        return EXIT_OK
    try:
        print(run_checkthat(folder))
    except NodeMissing:
        print(
            "graph-eval: CheckThat! skipped: node is not installed (it runs /check/'s JavaScript)"
        )
    return EXIT_OK


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into an exception so staging directories are cleaned up."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None, *, exit_now: bool = False) -> int:
    """Run one command; `exit_now` (the console script) lets a command end the process itself
    once its output is flushed, instead of returning."""
    args = _parser().parse_args(argv)
    args.exit_now = exit_now
    signal.signal(signal.SIGTERM, _on_sigterm)
    if args.command != "init" and not args.root.is_dir():
        print(f"{args.root}: error: site root is not a directory", file=sys.stderr)
        return EXIT_USAGE
    commands = {
        "build": _cmd_build,
        "check": _cmd_check,
        "init": _cmd_init,
        "new": _cmd_new,
        "serve": _cmd_serve,
        "bench": _cmd_bench,
        "graph-eval": _cmd_graph_eval,
    }
    try:
        return commands[args.command](args)
    except EnvironmentFailure as exc:
        _report(exc.diagnostics, sys.stderr)
        return EXIT_ENVIRONMENT
    except OSError as exc:  # the machine failed outside the build's own handling
        where = exc.filename or args.root
        found = failure(where, exc, f"running {args.command}", output_kept=False)
        _report(found.diagnostics, sys.stderr)
        return EXIT_ENVIRONMENT
    except UserError as exc:
        _report(exc.diagnostics, sys.stderr)
        return _error_code(exc.diagnostics)
    except KeyboardInterrupt:
        print("interrupted; the previous output was left untouched", file=sys.stderr)
        return 130


def run() -> NoReturn:
    """The console script and `python -m site_builder`: `main`, then exit at once.

    Tearing the interpreter down frees every object a build left (hundreds of thousands at
    10k cases) one by one: 0.1 s of a one-edit rebuild. Nothing needs it: the cache is closed
    and workers are joined before a command returns, so only the streams are flushed. `build`
    exits from inside (`exit_now`), before even its loaded site is freed.
    """
    _exit_now(main(exit_now=True))


def _exit_now(code: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
