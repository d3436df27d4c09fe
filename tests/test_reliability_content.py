"""Nothing under content/ vanishes silently: each hostile shape sits next to good files, goes
through the installed console script, and is an error naming it in `build` and `check`, with
the previous output left exactly as it was."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from reliability import AS_USER, CASE, build, check, good_site, leftovers, snapshot


def _built(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    site = good_site(tmp_path)
    done = build(site)
    assert done.returncode == 0, done.stderr
    return site, snapshot(site / "output")


def _refused(site: Path, before: dict[str, bytes], line: str, **kwargs: object) -> None:
    """`build` and `check` both exit 1 with `line` among their errors; output untouched."""
    for done in (build(site, **kwargs), check(site, **kwargs)):  # type: ignore[arg-type]
        assert done.returncode == 1, done.stderr
        assert line in done.stderr.splitlines(), done.stderr
        assert "Traceback" not in done.stderr
    assert snapshot(site / "output") == before
    assert leftovers(site) == []


def test_symlinked_folder_inside_the_site_is_followed(tmp_path):
    site, _ = _built(tmp_path)
    shelf = site / "archive/2024"
    shelf.mkdir(parents=True)
    (shelf / "linked-case.md").write_text(CASE.format(title="Linked", day=3), encoding="utf-8")
    (site / "content/cases/archive").symlink_to("../../archive/2024")
    done = build(site)
    assert done.returncode == 0, done.stderr
    assert (site / "output/cases/linked-case/index.html").is_file()
    assert check(site).returncode == 0


def test_symlinked_folder_outside_the_site_is_an_error(tmp_path):
    site, before = _built(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "far-case.md").write_text(CASE.format(title="Far", day=4), encoding="utf-8")
    (site / "content/cases/far").symlink_to(outside)
    line = (
        "content/cases/far: error: symlinked folder points outside the site root "
        f"(to {outside.resolve()}); refusing to read it"
    )
    _refused(site, before, line)


@pytest.mark.parametrize("target", ["..", ".", "../../content"])
def test_symlinked_folder_loop_is_an_error(tmp_path, target):
    site, before = _built(tmp_path)
    (site / "content/cases/loop").symlink_to(target)
    done = build(site)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "content/cases/loop: error: symlinked folder leads to " in done.stderr
    _refused(site, before, "    hint: remove the symlink")


def test_self_referencing_symlink_is_an_error(tmp_path):
    site, before = _built(tmp_path)
    (site / "content/cases/knot").symlink_to("knot")
    line = (
        "content/cases/knot: error: symlink loop (too many levels of symbolic links); "
        "refusing to read it"
    )
    _refused(site, before, line)


@pytest.mark.parametrize("name", ["stuck.md", "stuck.txt"])
def test_fifo_is_an_error_not_a_hang(tmp_path, name):
    site, before = _built(tmp_path)
    os.mkfifo(site / "content/cases" / name)
    line = (
        f"content/cases/{name}: error: a FIFO (named pipe), not a regular file; refusing to open it"
    )
    _refused(site, before, line, timeout=30)


@pytest.mark.parametrize("name", ["case.html", "static/site.css"])
def test_fifo_in_the_sites_templates_is_an_error_not_a_hang(tmp_path, name):
    """The template loader would block on it; the static copy would drop it in silence."""
    site, before = _built(tmp_path)
    fifo = site / "templates" / name
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    line = f"templates/{name}: error: a FIFO (named pipe), not a regular file; refusing to open it"
    _refused(site, before, line, timeout=30)


def test_socket_is_an_error(tmp_path, monkeypatch):
    import socket

    site, before = _built(tmp_path)
    monkeypatch.chdir(site / "content/cases")  # a socket path must stay under 108 bytes
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("plug.md")
        line = "content/cases/plug.md: error: a socket, not a regular file; refusing to open it"
        _refused(site, before, line, timeout=30)


def test_upper_case_markdown_extension_is_an_error(tmp_path):
    site, before = _built(tmp_path)
    (site / "content/cases/shouty-case.MD").write_text(CASE.format(title="S", day=5), "utf-8")
    (site / "content/cases/long-case.Markdown").write_text(CASE.format(title="L", day=6), "utf-8")
    _refused(
        site,
        before,
        "content/cases/shouty-case.MD: error: Markdown files must end in '.md' (lower case); "
        "'shouty-case.MD' is not read",
    )
    assert "    hint: rename it to 'long-case.md'" in check(site).stderr


def test_unreadable_folder_and_file_are_errors(tmp_path):
    site, before = _built(tmp_path)
    locked = site / "content/cases/locked"
    locked.mkdir()
    (locked / "hidden-case.md").write_text(CASE.format(title="H", day=7), encoding="utf-8")
    secret = site / "content/cases/secret-case.md"
    secret.write_text(CASE.format(title="Secret", day=8), encoding="utf-8")
    locked.chmod(0)
    secret.chmod(0)
    try:
        _refused(
            site,
            before,
            "content/cases/locked: error: cannot read folder: Permission denied",
            prefix=AS_USER,
        )
        assert (
            "content/cases/secret-case.md: error: cannot read file: Permission denied"
            in check(site, prefix=AS_USER).stderr
        )
    finally:
        locked.chmod(0o755)


def test_stray_file_outside_cases_and_pages_is_reported(tmp_path):
    site, _ = _built(tmp_path)
    (site / "content/notes.md").write_text("draft notes", encoding="utf-8")
    done = check(site)
    assert done.returncode == 0
    assert (
        "content/notes.md: warning[stray-file]: not read: content is read from content/cases/ "
        "and content/pages/ only" in done.stderr
    )


def test_nfc_and_nfd_spellings_are_one_error_naming_both(tmp_path):
    site, before = _built(tmp_path)
    folder = site / "content/cases"
    for form in ("NFC", "NFD"):
        name = unicodedata.normalize(form, "café.md")
        (folder / name).write_text(CASE.format(title=form, day=9), "utf-8")
    done = build(site)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, done.stderr
    assert "caf\\u00e9" in errors[0] and "cafe\\u0301" in errors[0], errors[0]
    assert snapshot(site / "output") == before
