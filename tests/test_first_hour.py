"""A newcomer's first hour, through the console script of a freshly installed package.

Install site-builder into a new virtual environment from this checkout (offline: the build
backend and dependencies come from the test environment), then, in a folder of its own:
`init`, `new`, edit the case, `check`, `serve` with an edit, the reload signal open pages wait
for and the site's 404 page, and `build` for a sub-path `base_url`, with every link of the
result checked. The installed tool sees only its declared dependencies. Nothing here imports
the checkout: the commands are the ones the README gives, run from the site's folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
TITLE = "Ghost ships carry Ukrainian grain"
SLUG = "ghost-ships-carry-ukrainian-grain"
FINISHED = """\
---
title: Ghost ships carry Ukrainian grain to Russia
date: 2024-03-05
claim: "Ships with their transponders off carry stolen Ukrainian grain to Russian ports."
rating: misleading
tags: [grain, shipping]
topics: [Economy]
countries: [Ukraine]
outlets:
  - name: Harbour Watch
    url: https://harbour-watch.example/ghost-ships
    archived: https://archive.example/ghost-ships
---

## Summary

A post said that ships with their transponders switched off carry grain stolen in Ukraine.

## Response

Some ships did switch transponders off, but port records show the grain was bought and sold.
See [all ratings](/ratings/) and the [methodology](/methodology/).
"""


def _dependencies(tmp: Path) -> Path:
    """The test environment's packages, minus this project (its editable install would
    shadow the package under test): the new environment builds the wheel with them."""
    deps = tmp / "deps"
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name.lower()
        if not name.startswith(("site_builder", "_editable_impl_site_builder", "__editable__")):
            (deps / entry.name).symlink_to(entry)
    return deps


def _runtime_dependencies(tmp: Path) -> Path:
    """Only what pyproject.toml's dependencies pull in, transitively, so a module the tool
    imports but forgot to declare (say bs4, a test dependency) fails here as it would for a
    user's `pip install`."""
    deps = tmp / "runtime-deps"
    deps.mkdir()
    todo, seen = ["site-builder"], set()
    while todo:
        for requirement in metadata.requires(todo.pop()) or []:
            name = re.match(r"[A-Za-z0-9._-]+", requirement)[0]  # type: ignore[index]
            key = re.sub(r"[-_.]+", "-", name).lower()
            if "extra ==" in requirement or key in seen:
                continue
            try:
                dist = metadata.distribution(name)
            except metadata.PackageNotFoundError:  # excluded by its marker (colorama)
                continue
            seen.add(key)
            todo.append(name)
            files = dist.files or []
            for top in {f.parts[0] for f in files if f.parts[0] != ".."}:
                if not (deps / top).exists():
                    (deps / top).symlink_to(dist.locate_file(top))
    return deps


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A new venv with site-builder pip-installed from the checkout; its environment."""
    tmp = tmp_path_factory.mktemp("first-hour")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    pth = Path(purelib) / "test-dependencies.pth"
    pth.write_text(f"{_dependencies(tmp)}\n")
    install = [python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps"]
    install += ["--no-build-isolation", "--no-cache-dir", str(REPO)]
    subprocess.run(install, check=True, timeout=600, cwd=tmp)
    pth.write_text(f"{_runtime_dependencies(tmp)}\n")  # from here on, what pip would install
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    return env


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["site-builder", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _started_site(installed: dict[str, str], tmp_path: Path) -> Path:
    """`init` and `new` as the README's quick start gives them; returns the site folder."""
    made = run(installed, tmp_path, "init", "fact-desk")
    assert made.returncode == 0, made.stderr
    assert made.stdout.endswith(
        '\nNext:\n  cd fact-desk\n  site-builder new "The claim you checked"\n'
        "  site-builder serve\n"
    ), made.stdout
    site = tmp_path / "fact-desk"
    new = run(installed, site, "new", TITLE, "--tag", "grain")
    assert (new.returncode, new.stdout) == (0, f"content/cases/{SLUG}.md\n"), new.stderr
    return site


def test_commands_run_before_init_leave_nothing_that_stops_it(installed, tmp_path):
    """A newcomer tries `new` or `check` in an empty folder, or in a fresh clone of an empty
    repository, before `init`: told to run `init`, which then works there."""
    new = run(installed, tmp_path, "new", TITLE)  # no stray content/ outside a site
    assert new.returncode == 1 and "error: no site here" in new.stderr, new.stderr
    assert "'site-builder init'" in new.stderr
    checked = run(installed, tmp_path, "check")
    assert checked.returncode == 1
    assert "hint: no site here yet: 'site-builder init' starts one" in checked.stderr
    assert list(tmp_path.iterdir()) == []  # no .cache/ left behind
    (tmp_path / ".git").mkdir()
    made = run(installed, tmp_path, "init")
    assert made.returncode == 0, made.stderr
    assert run(installed, tmp_path, "check").returncode == 0


def test_install_init_new_edit_check_build_under_a_sub_path(installed, tmp_path):
    where = subprocess.run(
        ["python", "-c", "import site_builder; print(site_builder.__file__)"],
        env=installed, capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert "site-packages" in where and str(REPO) not in where  # the installed copy runs
    site = _started_site(installed, tmp_path)
    assert (site / ".github/workflows/site.yml").is_file()
    assert (site / ".gitignore").read_text().splitlines()[1:] == ["output/", ".cache/"]
    assert "draft: true" in (site / f"content/cases/{SLUG}.md").read_text()

    (site / f"content/cases/{SLUG}.md").write_text(FINISHED, encoding="utf-8")
    checked = run(installed, site, "check")
    assert checked.returncode == 0, checked.stderr
    warnings = re.findall(r"warning\[([a-z-]+)\]", checked.stderr)
    assert warnings == ["base-url-unset"], checked.stderr  # the example address, named

    toml = site / "site.toml"
    toml.write_text(
        toml.read_text().replace('"https://example.org/"', '"https://checks.newsroom.org/desk/"')
    )
    built = run(installed, site, "build")
    assert built.returncode == 0 and built.stderr == "", built.stderr
    assert built.stdout.startswith("built 1 case into output:")  # the example stays a draft
    out = site / "output"
    page = BeautifulSoup((out / f"cases/{SLUG}/index.html").read_text(), "html.parser")
    assert page.select_one("link[rel=canonical]")["href"] == (
        f"https://checks.newsroom.org/desk/cases/{SLUG}/"
    )
    assert page.select_one(".case-rating a").get_text() == "Misleading"  # the scale's spelling
    assert (out / "static/style.css").is_file()  # the theme ships inside the package
    assert not (out / "cases/example-5g-masts-spread-coronavirus").exists()
    assert _broken_links(out) == []


def _broken_links(out: Path) -> list[str]:
    """Every internal link of every page, resolved as if the site sat under /desk/."""
    broken = []
    for path in sorted(out.rglob("*.html")):
        rel = PurePosixPath(path.relative_to(out).as_posix())
        for tag in BeautifulSoup(path.read_text(), "html.parser").select("[href], [src]"):
            target = str(tag.get("href") or tag.get("src"))
            if urlsplit(target).scheme or target.startswith(("#", "mailto:")):
                continue
            if str(rel) == "404.html":  # served at any depth: its links start at base_url's path
                assert target.startswith("/desk/"), f"404.html: {target}"
                resolved = target.removeprefix("/desk/")
            else:
                assert not target.startswith("/"), f"{rel}: root-relative {target}"
                resolved = os.path.normpath(str(rel.parent / urlsplit(target).path))
            file = out / resolved
            if not (file.is_file() or (file / "index.html").is_file()):
                broken.append(f"{rel}: {target}")
    return broken


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_serve_with_the_default_root_rebuilds_after_an_edit(installed, tmp_path):
    site = _started_site(installed, tmp_path)
    case = site / f"content/cases/{SLUG}.md"
    case.write_text(FINISHED, encoding="utf-8")
    server = subprocess.Popen(
        ["site-builder", "serve", "--port", "0"],
        cwd=site, env=installed, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", server.stderr.readline())
            url = found[1] if found else None
        assert url, "serve did not start"
        assert "port records show" in _get(f"{url}cases/{SLUG}/")
        version = int(re.findall(r"var version = (\d+);", _get(f"{url}__live.js"))[0])
        case.write_text(FINISHED.replace("port records show", "customs files prove"))
        # What an open page waits on: the long poll answers once a new build is served.
        deadline = time.monotonic() + 60
        while "customs files prove" not in _get(f"{url}cases/{SLUG}/"):
            assert time.monotonic() < deadline, "the edit was never rebuilt"
            state = json.loads(_get(f"{url}__live?version={version}"))
            assert state["errors"] is None, state
            version = state["version"]
        with pytest.raises(urllib.error.HTTPError) as missing:
            _get(f"{url}cases/no-such-case/")
        assert missing.value.code == 404
        assert "Page not found" in missing.value.read().decode("utf-8")  # the site's 404.html
    finally:
        server.terminate()
        _, rest = server.communicate(timeout=10)
    assert "Traceback" not in rest, rest
