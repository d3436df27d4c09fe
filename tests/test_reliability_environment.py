"""Environment failures are one diagnostic and exit status 3, never a traceback, and the
previous output survives them; one build at a time per output; folders of killed builds go.

A full disk is a real tiny tmpfs where the test may mount one (root with CAP_SYS_ADMIN), and
otherwise `os.write` failing with ENOSPC at the OS boundary of the subprocess (a
`sitecustomize` module): the console script itself is what runs either way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability import AS_USER, CASE, SCRIPT, build, good_site, leftovers, run, snapshot

FULL = "No space left on device while building the site"

SITECUSTOMIZE = """
import errno, os
_write, _prefix = os.write, os.environ["FAIL_WRITES_UNDER"]
def write(fd, data):
    try:
        path = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        path = ""
    if path.startswith(_prefix):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return _write(fd, data)
os.write = write
"""


@contextlib.contextmanager
def tiny_disk(size: str, *, read_only: bool = False) -> Iterator[Path]:
    mount = Path(tempfile.mkdtemp(prefix="tiny-disk-"))
    options = f"size={size},ro" if read_only else f"size={size}"
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip("cannot mount a tmpfs here; the injected ENOSPC test covers a full disk")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)
        mount.rmdir()


def _fill(disk: Path) -> None:
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 65536):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def _assert_environment_failure(done: subprocess.CompletedProcess[str], message: str) -> None:
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and message in errors[0], done.stderr


def test_full_output_disk_is_exit_3_and_keeps_the_site(tmp_path):
    with tiny_disk("4m") as disk:
        site = good_site(disk)
        assert build(site, "--no-cache").returncode == 0
        before = snapshot(site / "output")
        (site / "content/cases/third-case.md").write_text(CASE.format(title="T", day=3), "utf-8")
        _fill(disk)
        done = build(site, "--no-cache")
        _assert_environment_failure(done, f"output: error: {FULL}")
        assert "hint: free space on that disk" in done.stderr
        assert snapshot(site / "output") == before and leftovers(site) == []


def test_injected_enospc_is_exit_3_and_keeps_the_site(tmp_path):
    site = good_site(tmp_path)
    assert build(site).returncode == 0
    before = snapshot(site / "output")
    (tmp_path / "inject").mkdir()
    (tmp_path / "inject/sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {"PYTHONPATH": str(tmp_path / "inject"), "FAIL_WRITES_UNDER": f"{site}/.output."}
    (site / "content/cases/third-case.md").write_text(CASE.format(title="T", day=3), "utf-8")
    for args in ((), ("--clean",)):
        done = build(site, *args, env=env)
        _assert_environment_failure(done, f"output: error: {FULL} (.output.staging-")
        assert snapshot(site / "output") == before and leftovers(site) == []


def test_cache_on_a_full_disk_is_a_warning_and_the_site_is_published(tmp_path):
    with tiny_disk("64k") as disk:
        site = good_site(tmp_path)
        (site / "site.toml").write_text(f'cache_dir = "{disk}/cache"\n', encoding="utf-8")
        _fill(disk)
        done = build(site)
        assert done.returncode == 0, done.stderr
        assert f"{disk}/cache: warning: cannot write the build cache (" in done.stderr
        assert (site / "output/cases/second-case/index.html").is_file()


def test_unwritable_cache_is_a_warning_and_the_site_is_published(tmp_path):
    site = good_site(tmp_path)
    (site / ".cache").mkdir(mode=0o555)
    done = build(site, prefix=AS_USER)
    assert done.returncode == 0, done.stderr
    assert ".cache: warning: cannot write the build cache (" in done.stderr
    assert (site / "output/cases/second-case/index.html").is_file()


def test_read_only_output_parent_is_said_before_any_work(tmp_path):
    site = good_site(tmp_path)
    parent = tmp_path / "published"
    parent.mkdir(mode=0o555)
    done = subprocess.run(
        [*AS_USER, str(SCRIPT), "build", "--root", ".", "--output", str(parent / "site")],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=60,
    )
    _assert_environment_failure(done, f"{parent}: error: Permission denied while creating the lock")
    assert not (site / ".cache").exists()  # nothing was loaded, rendered or cached
    assert list(parent.iterdir()) == []


def test_read_only_file_system_for_the_output_is_exit_3(tmp_path):
    with tiny_disk("64k", read_only=True) as disk:
        site = good_site(tmp_path)
        done = build(site, "--output", str(disk / "site"))
        _assert_environment_failure(
            done, f"{disk}: error: Read-only file system while creating the lock file"
        )
        assert "hint: that file system is read-only: choose an --output on a writable one" in (
            done.stderr
        )


def test_second_build_waits_or_says_why_and_nothing_is_left_behind(tmp_path):
    site = good_site(tmp_path)
    command = [str(SCRIPT), "build", "--root", ".", "--output", "output", "--clean", "--quiet"]
    runs = [subprocess.Popen(command, cwd=site, stderr=subprocess.PIPE, text=True) for _ in "123"]
    waiting = [
        subprocess.Popen([*command, "--wait"], cwd=site, stderr=subprocess.PIPE, text=True)
        for _ in "123"
    ]
    for process in runs:
        _, err = process.communicate(timeout=120)
        assert process.returncode in (0, 3), err
        if process.returncode == 3:
            assert "output: error: another build of output is running" in err
            assert "hint: wait for it to finish, or run again with --wait" in err
    for process in waiting:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert leftovers(site) == [] and (site / "output/index.html").is_file()


def test_lock_of_a_dead_process_is_taken_over(tmp_path):
    site = good_site(tmp_path)
    (site / ".output.lock").write_text("999999999\n", encoding="utf-8")
    done = build(site)
    assert done.returncode == 0, done.stderr
    assert not (site / ".output.lock").exists()


def test_killed_build_leftovers_are_removed_once_and_only_ours(tmp_path):
    site = good_site(tmp_path)
    for number in range(300):
        name = f"case-{number:03d}.md"
        (site / "content/cases" / name).write_text(CASE.format(title=name, day=4), "utf-8")
    process = subprocess.Popen(
        [str(SCRIPT), "build", "--root", ".", "--output", "output", "--jobs", "1"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not leftovers(site) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed = leftovers(site)
    assert killed and killed[0].startswith(".output.staging-"), "the build ended too soon"
    (site / ".output.old-abcd1234").mkdir()  # a swap cut short, as mkdtemp names it
    (site / ".output.staging-mine").mkdir()  # not mkdtemp's pattern: not ours
    (site / ".other.staging-abcd1234").mkdir()  # another output's
    done = build(site)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "interrupted builds" in line]
    assert notes == [
        "output: note: removed 2 folders that interrupted builds left beside it: "
        f".output.old-abcd1234, {killed[0]}"
    ]
    assert leftovers(site) == [".output.staging-mine"]
    assert (site / ".other.staging-abcd1234").is_dir()
    again = build(site)
    assert "interrupted builds" not in again.stderr


def test_any_command_meeting_a_machine_failure_exits_3_without_traceback(tmp_path):
    site = good_site(tmp_path)
    (site / "content/cases").chmod(0o555)
    try:
        done = run(site, "new", "--root", ".", "A new claim", prefix=AS_USER)
    finally:
        (site / "content/cases").chmod(0o755)
    _assert_environment_failure(done, ": error: Permission denied while running new")
    assert "previous output" not in done.stderr
