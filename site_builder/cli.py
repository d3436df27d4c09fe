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

from . import __version__
from .diagnostics import Diagnostic, UserError, has_errors, summary
from .environment import EnvironmentFailure, failure
from .parallel import default_jobs, parse_jobs
from .report import FORMATS, as_json, github, human

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 1, 2, 3


SITE_ROOT_HELP = (
    "site root holding site.toml, content/ and optional templates/ (default: current directory)"
)


def _add_root(parser: argparse.ArgumentParser, help: str = SITE_ROOT_HELP) -> None:
    parser.add_argument("--root", type=Path, default=Path("."), metavar="DIR", help=help)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got '{text}'") from None


def _base_url(text: str) -> str:
    from .config import SITE_OPTIONS

    value, problem = SITE_OPTIONS["base_url"](text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return str(value)


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
        epilog="Exit status: 0 built, 1 content errors (or warnings with --strict), 2 usage or "
        "site.toml errors, 3 environment failures (disk full, permission denied, read-only "
        "output folder, another build of the same output running); see docs/reliability.md.",
    )
    _add_root(build)
    build.add_argument(
        "--output", type=Path, metavar="DIR", help="output directory (default: ROOT/output)"
    )
    build.add_argument("--drafts", action="store_true", help="include cases marked 'draft: true'")
    build.add_argument(
        "--base-url",
        type=_base_url,
        metavar="URL",
        help="build for this address instead of base_url in site.toml, e.g. a preview "
        "deployment (canonical links, feeds, sitemap, ClaimReview)",
    )
    build.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings as errors: report them as errors, write nothing and exit 1",
    )
    build.add_argument(
        "--quiet", action="store_true", help="print only problems: no progress bar, no summary"
    )
    build.add_argument(
        "--jobs",
        type=parse_jobs,
        default=default_jobs(),
        metavar="N",
        help=f"processes for loading and rendering (default: all cores, here {default_jobs()}; "
        "1 = serial)",
    )
    build.add_argument(
        "--clean",
        action="store_true",
        help="ignore the cache and rebuild every output from scratch",
    )
    build.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="also write counts and phase times of this build as JSON to FILE",
    )
    build.add_argument(
        "--wait",
        action="store_true",
        help="if another build of the same output is running, wait for it instead of "
        "exiting with status 3",
    )
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the build cache (ROOT/.cache/ or cache_dir in site.toml)",
    )

    check = sub.add_parser(
        "check",
        help="validate content and lint it for data-quality problems, without writing anything",
        description="Run every stage except writing, drafts included, plus the data-quality rules "
        "(missing archive copies, misspelt terms, broken internal links, ...), and report every "
        "problem at once. Rules are listed in docs/content.md; disable them in site.toml ([lint] "
        "disable = [...]) or per file (lint_ignore: [rule-id]). Exit status: 0 no errors "
        "(warnings allowed), 1 errors (or warnings with --strict), 2 usage or site.toml errors, "
        "3 environment failures (see docs/reliability.md).",
    )
    _add_root(check)
    check.add_argument(
        "--strict",
        action="store_true",
        help="report warnings as errors and exit 1 if there are any",
    )
    check.add_argument(
        "--format",
        choices=FORMATS,
        default="human",
        help="human: 'path:line: severity[rule]: message' on stderr, coloured on a terminal "
        "unless NO_COLOR is set; json: a versioned report on stdout; github: GitHub Actions "
        "annotations on stdout (default: human)",
    )
    check.add_argument(
        "--today",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="the date the future-date rule compares with (default: today's date)",
    )

    init = sub.add_parser(
        "init",
        help="start a new site: settings, example case, About and Methodology, CI workflow",
        description="Write a new site into DIR: a commented site.toml (title, base_url, "
        "organisation, language, rating scale), content/cases/ with one example case (a draft), "
        "content/pages/about.md and methodology.md, a .gitignore, requirements.txt and a GitHub "
        "Actions workflow that checks pull requests and publishes to GitHub Pages. Refuses a "
        "folder that holds files unless --force (hidden ones such as .git do not count), and "
        "never overwrites a file.",
    )
    init.add_argument(
        "dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
        help="folder for the new site, created if missing (default: current directory)",
    )  # fmt: skip
    init.add_argument("--title", help="the site's name (default: from the folder's name)")
    init.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that is not empty, adding only the files that are missing",
    )

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
    bench = sub.add_parser(
        "bench",
        help="measure cold, no-op and one-edit builds on synthetic corpora",
        description="Generate synthetic corpora (site_builder.corpus) of the given sizes, build "
        "each cold, then three times unchanged and three times after editing one more case, "
        "each as a separate process, after flushing dirty pages (sync) outside its time; print "
        "a Markdown table (cold build, medians of the no-op and one-edit builds) and write "
        "JSON with every run.",
    )
    _add_root(bench, "project directory; --json is relative to it (default: current directory)")
    from .bench import add_arguments

    add_arguments(bench)
    evaluate = sub.add_parser(
        "graph-eval",
        help="measure related cases (and /check/ with --checkthat) against baselines",
        description="Print two tables: leave-one-out recall of editors' related links on the site "
        "at --root; then P@5, MAP@5 and recall@10 of our scorer, a shared-term (Hugo-like) and a "
        "TF-IDF baseline on planted stories from six generators: the project's own (--n cases) "
        "and five independent ones of 3,000 cases each (see docs/similar-cases.md). With "
        "--checkthat DIR, rank the CLEF CheckThat! 2022 task 2A tweets with /check/'s shipped "
        "JavaScript under Node beside BM25 (see docs/check-and-search.md).",
    )
    _add_root(evaluate)
    evaluate.add_argument(
        "--n", type=int, default=2000, help="cases of the project's own generator (default: 2000)"
    )
    evaluate.add_argument(
        "--seed", type=int, default=0, help="seed of every generator (default: 0)"
    )
    evaluate.add_argument(
        "--checkthat",
        type=Path,
        metavar="DIR",
        help="instead, rank the CLEF CheckThat! 2022 2A tweets in DIR with /check/'s code",
    )
    return parser


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
