"""The staging writer: safe paths only, sizes and mtimes that match the files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_builder.diagnostics import UserError
from site_builder.writer import Staging


@pytest.mark.parametrize(
    "rel", ["../escape.html", "a/../../escape.html", "/abs.html", "", ".", "a\0b"]
)
def test_paths_outside_the_output_are_refused(tmp_path: Path, rel: str) -> None:
    staging = Staging(tmp_path / "out")
    with pytest.raises(UserError, match="outside the output directory"):
        staging.write(rel, b"x")
    assert not (tmp_path / "escape.html").exists()


def test_written_files_report_their_own_size_and_mtime(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "out")
    size, mtime = staging.write("cases/a-b/index.html", b"<p>hello</p>")
    written = staging.path / "cases" / "a-b" / "index.html"
    assert written.read_bytes() == b"<p>hello</p>"
    assert (size, mtime) == (written.stat().st_size, written.stat().st_mtime_ns)
    # Odd but harmless spellings land where the clean path would.
    staging.write("cases//c/./index.html", b"c")
    assert (staging.path / "cases" / "c" / "index.html").read_bytes() == b"c"
    big = os.urandom(3 << 20)
    staging.write("data/big.bin", big)
    assert (staging.path / "data" / "big.bin").read_bytes() == big
