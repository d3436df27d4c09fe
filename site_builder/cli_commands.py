"""The command line as data: one table of commands and their options, read by `parser()`.

A table rather than one long function so that a command's whole surface (help, description,
exit statuses, options) reads in one place, and adding an option is adding a row. Imports
nothing of the build: `--help` must stay instant.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .parallel import default_jobs, parse_jobs
from .report import FORMATS

SITE_ROOT_HELP = (
    "site root holding site.toml, content/ and optional templates/ (default: current directory)"
)
BENCH_ROOT_HELP = "project directory; --json is relative to it (default: current directory)"
EXIT_STATUSES = (
    "Exit status: 0 built, 1 content errors (or warnings with --strict), 2 usage or site.toml "
    "errors, 3 environment failures (disk full, permission denied, read-only output folder, "
    "another build of the same output running); see docs/reliability.md."
)


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


def _bench_options(parser: argparse.ArgumentParser) -> None:
    from .bench import add_arguments  # the bench owns its options

    add_arguments(parser)


@dataclass(frozen=True, slots=True)
class Option:
    flags: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)


def opt(*flags: str, **settings: Any) -> Option:
    return Option(flags, settings)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    help: str
    description: str
    options: tuple[Option, ...] = ()
    root_help: str | None = SITE_ROOT_HELP  # None: the command takes no --root
    epilog: str | None = None
    more: Callable[[argparse.ArgumentParser], None] | None = None


OUTPUT = opt("--output", type=Path, metavar="DIR", help="output directory (default: ROOT/output)")
FLAG = "store_true"

COMMANDS = (
    Command(
        "build",
        "build the site into the output directory",
        "Validate all content and build the site. Nothing is written if any error is found; "
        "the previous output stays untouched.",
        (
            OUTPUT,
            opt("--drafts", action=FLAG, help="include cases marked 'draft: true'"),
            opt(
                "--base-url", type=_base_url, metavar="URL",
                help="build for this address instead of base_url in site.toml, e.g. a preview "
                "deployment (canonical links, feeds, sitemap, ClaimReview)",
            ),
            opt(
                "--strict", action=FLAG,
                help="treat warnings as errors: report them as errors, write nothing and exit 1",
            ),
            opt("--quiet", action=FLAG, help="print only problems: no progress bar, no summary"),
            opt(
                "--jobs", type=parse_jobs, default=default_jobs(), metavar="N",
                help=f"processes for loading and rendering (default: all cores, here "
                f"{default_jobs()}; 1 = serial)",
            ),
            opt("--clean", action=FLAG, help="ignore the cache and rebuild every output from scratch"),
            opt(
                "--report", type=Path, metavar="FILE",
                help="also write counts and phase times of this build as JSON to FILE",
            ),
            opt(
                "--wait", action=FLAG,
                help="if another build of the same output is running, wait for it instead of "
                "exiting with status 3",
            ),
            opt(
                "--no-cache", action=FLAG,
                help="neither read nor write the build cache (ROOT/.cache/ or cache_dir in "
                "site.toml)",
            ),
        ),
        epilog=EXIT_STATUSES,
    ),
    Command(
        "check",
        "validate content and lint it for data-quality problems, without writing anything",
        "Run every stage except writing, drafts included, plus the data-quality rules "
        "(missing archive copies, misspelt terms, broken internal links, ...), and report every "
        "problem at once. Rules are listed in docs/content.md; disable them in site.toml ([lint] "
        "disable = [...]) or per file (lint_ignore: [rule-id]). Exit status: 0 no errors "
        "(warnings allowed), 1 errors (or warnings with --strict), 2 usage or site.toml errors, "
        "3 environment failures (see docs/reliability.md).",
        (
            opt("--strict", action=FLAG, help="report warnings as errors and exit 1 if there are any"),
            opt(
                "--format", choices=FORMATS, default="human",
                help="human: 'path:line: severity[rule]: message' on stderr, coloured on a "
                "terminal unless NO_COLOR is set; json: a versioned report on stdout; github: "
                "GitHub Actions annotations on stdout (default: human)",
            ),
            opt(
                "--today", type=_iso_date, metavar="YYYY-MM-DD",
                help="the date the future-date rule compares with (default: today's date)",
            ),
        ),
    ),
    Command(
        "init",
        "start a new site: settings, example case, About and Methodology, CI workflow",
        "Write a new site into DIR: a commented site.toml (title, base_url, organisation, "
        "language, rating scale), content/cases/ with one example case (a draft), "
        "content/pages/about.md and methodology.md, a .gitignore, requirements.txt and a GitHub "
        "Actions workflow that checks pull requests and publishes to GitHub Pages. Refuses a "
        "folder that holds files unless --force (hidden ones such as .git do not count), and "
        "never overwrites a file.",
        (
            opt(
                "dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                help="folder for the new site, created if missing (default: current directory)",
            ),
            opt("--title", help="the site's name (default: from the folder's name)"),
            opt(
                "--force", action=FLAG,
                help="write into a folder that is not empty, adding only the files that are "
                "missing",
            ),
        ),
        root_help=None,
    ),
    Command(
        "new",
        "create a new case file from a title",
        "Create content/cases/<slug>.md with today's date and the Summary/Response skeleton. "
        "Refuses to overwrite an existing case.",
        (
            opt("title", help='title of the case, e.g. "Vaccines rewrite human DNA"'),
            opt("--tag", action="append", default=[], help="add a tag (repeatable)"),
            opt("--topic", action="append", default=[], help="add a topic (repeatable)"),
        ),
    ),
    Command(
        "serve",
        "build, serve on 127.0.0.1 and rebuild on every change with live reload",
        "Build the site (drafts included unless --no-drafts), serve it on 127.0.0.1, watch "
        "content/, templates/ and site.toml, rebuild after changes and reload open pages. A "
        "failed rebuild keeps the last good site and shows the errors as an overlay in the "
        "browser.",
        (
            OUTPUT,
            opt(
                "--port", type=int, default=8000,
                help="port on 127.0.0.1 (default: 8000; 0 picks a free one)",
            ),
            opt("--no-drafts", action=FLAG, help="hide cases marked 'draft: true'"),
        ),
    ),
    Command(
        "bench",
        "measure cold, no-op and one-edit builds on synthetic corpora",
        "Generate synthetic corpora (site_builder.corpus) of the given sizes, build each cold, "
        "then three times unchanged and three times after editing one more case, each as a "
        "separate process, after flushing dirty pages (sync) outside its time; print a Markdown "
        "table (cold build, medians of the no-op and one-edit builds) and write JSON with every "
        "run.",
        root_help=BENCH_ROOT_HELP,
        more=_bench_options,
    ),
    Command(
        "graph-eval",
        "measure related cases (and /check/ with --checkthat) against baselines",
        "Print two tables: leave-one-out recall of editors' related links on the site at "
        "--root; then P@5, MAP@5 and recall@10 of our scorer, a shared-term (Hugo-like) and a "
        "TF-IDF baseline on planted stories from six generators: the project's own (--n cases) "
        "and five independent ones of 3,000 cases each (see docs/similar-cases.md). With "
        "--checkthat DIR, rank the CLEF CheckThat! 2022 task 2A tweets with /check/'s shipped "
        "JavaScript under Node beside BM25 (see docs/check-and-search.md).",
        (
            opt("--n", type=int, default=2000, help="cases of the project's own generator (default: 2000)"),
            opt("--seed", type=int, default=0, help="seed of every generator (default: 0)"),
            opt(
                "--checkthat", type=Path, metavar="DIR",
                help="instead, rank the CLEF CheckThat! 2022 2A tweets in DIR with /check/'s code",
            ),
        ),
    ),
)  # fmt: skip


def parser() -> argparse.ArgumentParser:
    """The argparse parser of `COMMANDS`, each with `--root` unless it says otherwise."""
    top = argparse.ArgumentParser(
        prog="site-builder", description="Build a static fact-check site from Markdown case files."
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        one = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog=command.epilog,
        )
        if command.root_help is not None:
            one.add_argument(
                "--root", type=Path, default=Path("."), metavar="DIR", help=command.root_help
            )
        for option in command.options:
            one.add_argument(*option.flags, **option.settings)
        if command.more is not None:
            command.more(one)
    return top
