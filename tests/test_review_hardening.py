"""Probes of a hostile contributor and an unlucky operator that the first hardening rounds
missed, run through the installed console script from the site folder with relative paths."""

from __future__ import annotations

import os

import pytest
from reliability import build, check, good_site, leftovers, run, snapshot


@pytest.mark.parametrize("kind", ["fifo", "dangling-link"])
def test_site_toml_that_is_not_a_regular_file_is_an_error_not_a_hang(tmp_path, kind):
    """A FIFO `site.toml` hung `build` in `open()`; a dangling link meant "all defaults"."""
    site = good_site(tmp_path)
    assert build(site).returncode == 0
    before = snapshot(site / "output")
    config = site / "site.toml"
    config.unlink()
    if kind == "fifo":
        os.mkfifo(config)
        reason = "a FIFO (named pipe), not a regular file; refusing to open it"
    else:
        config.symlink_to("nowhere.toml")
        reason = "No such file or directory"
    for done in (build(site, timeout=30), check(site, timeout=30)):
        assert done.returncode == 2, done.stderr
        assert f"site.toml: error: cannot read config: {reason}" in done.stderr.splitlines()
        assert "Traceback" not in done.stderr
    assert snapshot(site / "output") == before
    assert leftovers(site) == []


@pytest.mark.parametrize("args", [(), ("--clean",)])
def test_output_folder_is_readable_by_a_web_server_of_another_user(tmp_path, args):
    """The staging folder came from mkdtemp (0700) and became the output as it was, so nginx
    running as www-data answered 403 for the whole site; the umask now decides, as for every
    folder inside it."""
    site = good_site(tmp_path)
    with_umask = ("sh", "-c", 'umask 022; exec "$@"', "sh")
    for _ in range(2):  # the first build and a full rebuild over it
        done = build(site, *args, prefix=with_umask)
        assert done.returncode == 0, done.stderr
        assert (site / "output").stat().st_mode & 0o777 == 0o755
        assert (site / "output/cases").stat().st_mode & 0o777 == 0o755


def test_thousands_of_headings_of_one_text_get_sequential_ids(tmp_path):
    """Two short lines per heading (setext) stay within the markup limit; the ids must still
    be the first free ones, in order, each once on the page."""
    import re

    site = good_site(tmp_path)
    case = site / "content/cases/second-case.md"
    text = case.read_text("utf-8").replace("The refutation.", "Sources\n-\n" * 3000)
    case.write_text(text, encoding="utf-8")
    done = build(site)
    assert done.returncode == 0, done.stderr
    page = (site / "output/cases/second-case/index.html").read_text("utf-8")
    ids = re.findall(r'<h2 id="(sources[^"]*)">Sources</h2>', page)
    assert ids == ["sources"] + [f"sources-{n}" for n in range(1, 3000)]


def test_unique_ids_resume_where_the_last_search_stopped(monkeypatch):
    """The search for a free id used to restart at 1 for every heading: 5,000 headings of one
    text cost 12 million look-ups (3 s for one file). Counted, not timed."""
    from site_builder import heading_ids

    calls = 0
    taken = heading_ids._taken

    def counting(slug: str, used: set[str]) -> bool:
        nonlocal calls
        calls += 1
        return taken(slug, used)

    monkeypatch.setattr(heading_ids, "_taken", counting)
    used: set[str] = set()
    tried: dict[str, int] = {}
    found = [heading_ids.unique_id("main", used, tried) for _ in range(5000)]
    assert found[:3] == ["main-1", "main-2", "main-3"]  # 'main' is the template's
    assert len(set(found)) == 5000
    assert calls < 3 * 5000


def test_raw_html_ids_never_duplicate_a_heading_or_a_footnote(tmp_path):
    """With allow_html, `<span id="sources">` beside `## Sources` gave two id="sources", and
    `<span id="fn1">` took the footnote link's target away from the footnote."""
    import collections
    import re

    site = good_site(tmp_path)
    config = site / "site.toml"
    config.write_text("allow_html = true\n" + config.read_text("utf-8"), encoding="utf-8")
    case = site / "content/cases/second-case.md"
    body = (
        'See <span id="sources">here</span>, <span id="fn1">there</span> and a note[^1].\n\n'
        '<div id="sources">again</div>\n\n## Sources\n\n[^1]: The note.\n'
    )
    case.write_text(case.read_text("utf-8").replace("The refutation.\n", body), "utf-8")
    done = build(site)
    assert done.returncode == 0, done.stderr
    page = (site / "output/cases/second-case/index.html").read_text("utf-8")
    ids = collections.Counter(re.findall(r'\sid="([^"]*)"', page))
    assert [name for name, count in ids.items() if count > 1] == []
    assert '<span id="sources">here</span>' in page  # the author's first anchor stays
    assert '<h2 id="sources-1">Sources</h2>' in page
    assert re.search(r'<li id="fn1" class="footnote-item">', page), page
    assert "<span>there</span>" in page


@pytest.mark.parametrize("output", ["content/out", "templates/static/out", "content/cases"])
def test_output_inside_the_inputs_is_refused_before_anything_is_made(tmp_path, output):
    """`--output templates/static/out` copied the whole previous site into static/ again on
    every build (4.5, 9, 14 MB ...); under content/ the next build warned about every page."""
    site = good_site(tmp_path)
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    done = run(site, "build", "--root", ".", "--output", output)
    assert done.returncode == 1, done.stderr
    assert (
        f"{output}: error: the output directory must not be inside content/ or templates/; "
        "the next build would read the site as input"
    ) in done.stderr.splitlines()
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before


def test_an_output_that_is_a_symlink_is_published_through(tmp_path):
    """`output -> /srv/www/site`: the web server's folder gets the site, the link stays."""
    site = good_site(tmp_path)
    served = tmp_path / "www"
    served.mkdir()
    (site / "output").symlink_to(served, target_is_directory=True)
    for args in ((), ("--clean",)):
        done = build(site, *args)
        assert done.returncode == 0, done.stderr
        assert (site / "output").is_symlink()
        assert (served / "cases/second-case/index.html").is_file()
    assert not leftovers(site) and not list(tmp_path.glob(".www.*"))
