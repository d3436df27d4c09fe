"""`serve` end to end over real HTTP: live script injected, rebuild on edit, overlay on error."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from reliability import SCRIPT
from serving import TESTS, Served, serving


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, version: int) -> dict:
    return json.loads(get(f"{url}__live?version={version}"))


def test_serve_rebuilds_and_reports_errors(served_site):
    url, root = served_site
    page = get(url + "cases/only-case/")
    assert '<script src="/__live.js"></script></body>' in page
    version = wait_for(url, -1)["version"]

    case = root / "content/cases/only-case.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("Refutation.", "Fresh refutation."),
        encoding="utf-8",
    )
    state = wait_for(url, version)
    assert state["errors"] is None
    assert "Fresh refutation." in get(url + "cases/only-case/")

    good = case.read_text(encoding="utf-8")
    case.write_text(good.replace("date: 2022-01-01", "date: 2022-02-30"), encoding="utf-8")
    state = wait_for(url, state["version"])
    assert state["errors"] == [
        "content/cases/only-case.md:3: error: 'date' must be a real date (YYYY-MM-DD), got '2022-02-30'"
    ]
    assert "Fresh refutation." in get(url + "cases/only-case/"), "last good build must stay served"

    case.write_text(good, encoding="utf-8")
    assert wait_for(url, state["version"])["errors"] is None


# --- serve as a user runs it, and serve under hostile edits -------------------------------


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def edit_and_wait(served: Served, text: str, version: int, root: Path | None = None) -> dict:
    """Write `text` into the only case's Response and wait for the build that follows."""
    case = (root or served.root) / "content/cases/only-case.md"
    case.write_text(
        re.sub(
            r"## Response\n\n.*", f"## Response\n\n{text}\n", case.read_text("utf-8"), flags=re.S
        ),
        encoding="utf-8",
    )
    return wait_until(served, lambda state: state["version"] > version)


def wait_until(served: Served, done, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    state = wait_for(served.url, -1)
    while not done(state):
        assert time.monotonic() < deadline, f"no such build; serve printed:\n{served.log()}"
        state = wait_for(served.url, state["version"])
    return state


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(TESTS / "fixtures" / "sites" / "minimal", root)
    return root


def test_serve_with_the_default_root_rebuilds_on_edits(site):
    """No --root at all: the site is the current folder, as after `cd my-site`."""
    with serving(site) as served:
        state = wait_for(served.url, -1)
        edit_and_wait(served, "Edited from the default root.", state["version"])
        assert "Edited from the default root." in get(served.url + "cases/only-case/")


def test_serve_through_a_symlinked_root(site, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(site, target_is_directory=True)
    with serving(tmp_path, "--root", "link", "--output", "link/output") as served:
        state = wait_for(served.url, -1)
        edit_and_wait(served, "Edited through a link.", state["version"], root=link)
        assert "Edited through a link." in get(served.url + "cases/only-case/")


def test_missing_pages_get_the_sites_404_page(served_site):
    url, _ = served_site
    status, body = fetch(url + "no/such/page/")
    assert status == 404
    assert "<title>" in body and "__live.js" in body, "the site's own 404.html, live-reloading"
    assert fetch(url + "missing.css")[0] == 404


def test_a_browser_going_away_mid_poll_prints_no_traceback(site):
    with serving(site, "--root", ".") as served:
        version = wait_for(served.url, -1)["version"]
        host, port = served.url.split("//")[1].rstrip("/").split(":")
        for _ in range(5):
            with socket.create_connection((host, int(port))) as sock:
                sock.sendall(f"GET /__live?version={version} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        edit_and_wait(served, "After the tabs closed.", version)  # answers the dead polls
        time.sleep(0.5)
        assert "Traceback" not in served.log()
        assert "After the tabs closed." in get(served.url + "cases/only-case/")


def test_a_port_in_use_is_one_line_with_a_way_out_before_any_build(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(SCRIPT), "serve", "--port", str(port)],
            cwd=site, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 3, done.stderr  # the machine, not the content
    assert done.stderr.startswith(
        f"127.0.0.1 port {port}: error: the port is in use by another program (another "
        f"site-builder serve?)\n    hint: stop it, or serve on another port: --port {port + 1}"
    ), done.stderr
    assert not (site / "output").exists()  # it failed before building anything


def test_serve_survives_a_symlink_loop_and_goes_on(site):
    with serving(site, "--root", ".") as served:
        version = wait_for(served.url, -1)["version"]
        loop = site / "content/cases/loop"
        loop.symlink_to("loop")
        state = wait_until(served, lambda s: s["version"] > version and s["errors"])
        assert any("loop" in line for line in state["errors"]), state["errors"]
        loop.unlink()
        wait_until(served, lambda s: s["errors"] is None)
        edit_and_wait(served, "After the loop.", wait_for(served.url, -1)["version"])
        assert "After the loop." in get(served.url + "cases/only-case/")
        assert "Traceback" not in served.log()


def test_serve_survives_a_fifo_and_goes_on(site):
    with serving(site, "--root", ".") as served:
        version = wait_for(served.url, -1)["version"]
        fifo = site / "content/cases/pipe.md"
        os.mkfifo(fifo)
        state = wait_until(served, lambda s: s["version"] > version and s["errors"])
        assert any("pipe.md" in line for line in state["errors"]), state["errors"]
        fifo.unlink()
        wait_until(served, lambda s: s["errors"] is None)
        edit_and_wait(served, "After the pipe.", wait_for(served.url, -1)["version"])
        assert "After the pipe." in get(served.url + "cases/only-case/")


def test_serve_rearms_its_watch_when_content_comes_back(site, tmp_path):
    with serving(site, "--root", ".") as served:
        version = wait_for(served.url, -1)["version"]
        shutil.move(site / "content", tmp_path / "content-aside")
        state = wait_until(served, lambda s: s["version"] > version and s["errors"])
        shutil.copytree(tmp_path / "content-aside", site / "content")
        state = wait_until(served, lambda s: s["errors"] is None)
        edit_and_wait(served, "In the restored folder.", state["version"])
        assert "In the restored folder." in get(served.url + "cases/only-case/")


def test_rebuilds_say_unchanged_warnings_in_one_line(site):
    """A warning is printed when it appears; later rebuilds say it stands in one line."""
    (site / "content/notes.txt").write_text("not a case", encoding="utf-8")
    with serving(site, "--root", ".") as served:
        version = wait_for(served.url, -1)["version"]
        state = edit_and_wait(served, "First edit.", version)
        edit_and_wait(served, "Second edit.", state["version"])
        log = served.log()
        assert log.count("content/notes.txt: warning[stray-file]") == 1, log
        assert log.count("1 warning as before (fix them with `check`)") == 2, log
