"""Shared fixtures: run the real CLI in-process and locate fixture sites.

Tests build into `tmp_path` only. `--update-golden` rewrites tests/golden/ from the current
output; review the diff before committing it.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from serving import serving

from site_builder.cli import main

TESTS = Path(__file__).parent
REPO = TESTS.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from current output"
    )


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


def run_cli_in_process(*args: str | Path) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors and --help
            code = int(exc.code or 0)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run_cli() -> Callable[..., CliResult]:
    return run_cli_in_process


@pytest.fixture
def fixture_site(tmp_path: Path) -> Callable[[str], Path]:
    """Copy tests/fixtures/sites/<name> into tmp_path so tests may edit it."""

    def copy(name: str) -> Path:
        target = tmp_path / "sites" / name
        shutil.copytree(TESTS / "fixtures" / "sites" / name, target)
        return target

    return copy


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def tree(root: Path) -> dict[str, bytes]:
    """Relative POSIX path -> bytes for every file below root."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def read_tree() -> Callable[[Path], dict[str, bytes]]:
    return tree


@pytest.fixture
def served_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`make serve` on a copy of the minimal site (`site-builder serve --root .` from the site)."""
    root = tmp_path / "site"
    shutil.copytree(TESTS / "fixtures" / "sites" / "minimal", root)
    with serving(root, "--root", ".") as served:
        yield served.url, root
