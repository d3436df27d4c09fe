"""Command line: parses arguments, prints diagnostics, maps outcomes to exit codes.

Exit codes: 0 success, 1 content errors (or warnings with --strict), 2 usage or config errors.
Only this module prints. User errors never show a traceback; anything else is a bug and does.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from . import __version__
from .diagnostics import Diagnostic, UserError, has_errors, sorted_diagnostics, summary

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="site root holding site.toml, content/ and optional templates/ (default: current directory)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="site-builder", description="Build a static fact-check site from Markdown case files."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser(
        "build",
        help="build the site into the output directory",
        description="Validate all content and build the site. Nothing is written if any error is found; "
        "the previous output stays untouched.",
    )
    _add_root(build)
    build.add_argument(
        "--output", type=Path, metavar="DIR", help="output directory (default: ROOT/output)"
    )
    build.add_argument("--drafts", action="store_true", help="include cases marked 'draft: true'")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    build.add_argument("--quiet", action="store_true", help="print only problems, no summary")

    check = sub.add_parser(
        "check",
        help="validate content without writing anything",
        description="Run every stage except writing and report all problems as path:line: severity: message.",
    )
    _add_root(check)
    check.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")

    new = sub.add_parser(
        "new",
        help="create a new case file from a title",
        description="Create content/cases/<slug>.md with today's date and the Summary/Response skeleton. "
        "Refuses to overwrite an existing case.",
    )
    _add_root(new)
    new.add_argument("title", help='title of the case, e.g. "Vaccines rewrite human DNA"')
    new.add_argument("--tag", action="append", default=[], help="add a tag (repeatable)")
    new.add_argument("--topic", action="append", default=[], help="add a topic (repeatable)")
    serve = sub.add_parser(
        "serve",
        help="build, serve on 127.0.0.1 and rebuild on every change with live reload",
        description="Build the site (drafts included unless --no-drafts), serve it on 127.0.0.1, watch "
        "content/, templates/ and site.toml, rebuild after changes and reload open pages. A failed "
        "rebuild keeps the last good site and shows the errors as an overlay in the browser.",
    )
    _add_root(serve)
    serve.add_argument(
        "--output", type=Path, metavar="DIR", help="output directory (default: ROOT/output)"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=8000,
        help="port on 127.0.0.1 (default: 8000; 0 picks a free one)",
    )
    serve.add_argument("--no-drafts", action="store_true", help="hide cases marked 'draft: true'")
    evaluate = sub.add_parser(
        "graph-eval",
        help="measure related-case quality against a shared-tag baseline",
        description="Print two tables: leave-one-out recall of editors' related links on the site at "
        "--root, and precision against planted stories on a synthetic corpus (see README).",
    )
    _add_root(evaluate)
    evaluate.add_argument("--n", type=int, default=2000, help="synthetic cases (default: 2000)")
    evaluate.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    return parser


def _report(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    for diagnostic in sorted_diagnostics(diagnostics):
        print(diagnostic.format(), file=stream)
    if diagnostics:
        print(summary(diagnostics), file=stream)


def _failed(diagnostics: Sequence[Diagnostic], strict: bool) -> bool:
    return has_errors(diagnostics) or (strict and bool(diagnostics))


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build_site

    root: Path = args.root
    output: Path = args.output or root / "output"
    start = time.perf_counter()
    result, warnings = build_site(root, output, drafts=args.drafts)
    _report(warnings, sys.stderr)
    if not args.quiet:
        phases = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in result.timings)
        print(
            f"built {result.cases} cases, {result.pages} pages, {result.written} files into {output} "
            f"in {time.perf_counter() - start:.2f}s ({phases})"
        )
    return EXIT_ERRORS if _failed(warnings, args.strict) else EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from .build import load_site

    loaded = load_site(args.root, drafts=True)
    _report(loaded.diagnostics, sys.stderr)
    if not loaded.diagnostics:
        print(f"ok: {len(loaded.model.cases)} cases, {len(loaded.model.pages)} pages, no problems")
    return EXIT_ERRORS if _failed(loaded.diagnostics, args.strict) else EXIT_OK


def _cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import new_case

    path = new_case(args.root, args.title, tags=tuple(args.tag), topics=tuple(args.topic))
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


def _cmd_graph_eval(args: argparse.Namespace) -> int:
    from .graph_eval import run

    if args.n < 2:
        print("graph-eval: error: --n must be at least 2", file=sys.stderr)
        return EXIT_USAGE
    print(run(args.root, n=args.n, seed=args.seed))
    return EXIT_OK


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into an exception so staging directories are cleaned up."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if not args.root.is_dir():
        print(f"{args.root}: error: site root is not a directory", file=sys.stderr)
        return EXIT_USAGE
    commands = {
        "build": _cmd_build,
        "check": _cmd_check,
        "new": _cmd_new,
        "serve": _cmd_serve,
        "graph-eval": _cmd_graph_eval,
    }
    try:
        return commands[args.command](args)
    except UserError as exc:
        _report(exc.diagnostics, sys.stderr)
        config_problem = any(d.path == "site.toml" for d in exc.diagnostics)
        return EXIT_USAGE if config_problem else EXIT_ERRORS
    except KeyboardInterrupt:
        print("interrupted; the previous output was left untouched", file=sys.stderr)
        return 130
