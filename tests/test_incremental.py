"""Incremental builds must be indistinguishable from clean ones.

The property test applies random sequences of edits a writer or maintainer makes (body, tags,
new case, deleted case, renamed file, template, config) and after every step compares the
incremental output tree with a clean build of the same content, byte for byte.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.build import BuildOptions, build_site
from site_builder.cache import FILE_NAME, LastBuild
from site_builder.config import load_config
from site_builder.incremental import read_inputs, same_inputs

TESTS = Path(__file__).parent
CASE = """---
title: {title}
date: 2024-03-{day:02d}
tags: [{tags}]
countries: [Estonia]
---

## Summary

{summary}

## Response

The claim is false.
"""


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _build(root: Path, output: Path, **options: object) -> tuple[int, int]:
    result, _ = build_site(root, output, options=BuildOptions(**options))  # type: ignore[arg-type]
    return result.written, result.removed


def _kept_search_state(root: Path, output: Path) -> object | None:
    """The search state the cache keeps for `output`, decoded (None: none, or unreadable)."""
    from site_builder.cache import open_cache
    from site_builder.search_index import decode_state

    cache = open_cache(root / load_config(root).cache_dir)
    try:
        kept = cache.state(str(output.resolve()), "search")
    finally:
        cache.close()
    return decode_state(kept) if kept is not None else None


def _clean_tree(root: Path, clean: Path) -> dict[str, bytes]:
    """The tree a clean build (no cache, serial) of `root` gives, built into `clean`."""
    shutil.rmtree(clean, ignore_errors=True)
    _build(root, clean, jobs=1, use_cache=False)
    return _tree(clean)


def _cases(root: Path) -> list[Path]:
    return sorted((root / "content" / "cases").rglob("*.md"))


def _edit(root: Path, kind: str, n: int) -> None:
    cases = _cases(root)
    target = cases[n % len(cases)]
    text = target.read_text(encoding="utf-8")
    if kind == "body":
        target.write_text(text.replace("## Response", f"Edit {n}.\n\n## Response", 1))
    elif kind == "rewrite":  # another case's text: moves related entries across the site
        other = cases[(n + 1) % len(cases)].read_text(encoding="utf-8")
        head = text.split("## Summary", 1)[0]
        target.write_text(head + "## Summary" + other.split("## Summary", 1)[-1])
    elif kind == "title":  # shown on the pages of the cases related to this one
        target.write_text(re.sub(r"(?m)^title: ", f"title: Retitled {n} ", text, count=1))
    elif kind == "tags":
        target.write_text(text.replace("tags: [", f"tags: [edited-{n % 3}, ", 1))
    elif kind == "add":
        (root / "content" / "cases" / f"added-{n}.md").write_text(
            CASE.format(title=f"Added {n}", day=n % 28 + 1, tags="Added", summary=f"New {n}.")
        )
    elif kind == "delete" and len(cases) > 2 and "related:" not in text:
        referenced = any(target.stem in c.read_text(encoding="utf-8") for c in cases if c != target)
        if not referenced:
            target.unlink()
    elif kind == "rename" and "related:" not in text:
        referenced = any(target.stem in c.read_text(encoding="utf-8") for c in cases if c != target)
        if not referenced:
            target.rename(target.with_name(f"renamed-{n}.md"))
    elif kind == "template":
        templates = root / "templates"
        templates.mkdir(exist_ok=True)
        (templates / "404.html").write_text(
            f'{{% extends "base.html" %}}{{% block main %}}<h1>Gone {n}</h1>{{% endblock %}}\n'
        )
    elif kind == "config":
        config = root / "site.toml"
        config.write_text(
            config.read_text(encoding="utf-8").replace('title = "', f'title = "{n} ', 1)
        )


EDITS = st.lists(
    st.tuples(
        st.sampled_from(
            ["body", "rewrite", "title", "tags", "add", "delete", "rename", "template", "config"]
        ),
        st.integers(min_value=0, max_value=50),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_incremental_equals_clean(edits, tmp_path_factory):
    base = tmp_path_factory.mktemp("incremental")
    root, incremental, clean = base / "site", base / "inc", base / "clean"
    shutil.copytree(TESTS / "fixtures" / "sites" / "full", root)
    _build(root, incremental, jobs=1)
    for kind, n in edits:
        _edit(root, kind, n)
        _build(root, incremental, jobs=1)
        assert _tree(incremental) == _clean_tree(root, clean), f"after {kind} {n}"


def test_one_body_edit_rewrites_only_that_page(fixture_site, tmp_path, monkeypatch):
    from site_builder import search_index

    patched = []
    original = search_index.update_files
    monkeypatch.setattr(
        search_index,
        "update_files",
        lambda model, state, changed: (
            patched.append(sorted(changed)) or original(model, state, changed)
        ),
    )
    root = fixture_site("full")
    output = tmp_path / "out"
    _build(root, output, jobs=1)
    assert patched == []  # a cold build has no postings to patch
    before = _tree(output)
    target = _cases(root)[0]
    target.write_text(
        target.read_text(encoding="utf-8").replace("## Response", "A new line.\n\n## Response", 1)
    )
    written, removed = _build(root, output, jobs=1)
    # The search index was updated from the last build's postings, for that one case only.
    assert patched == [[target.stem]]
    after = _tree(output)
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert written == len(changed) >= 1
    assert removed == 0
    # The page itself, the search index's manifest plus the term shard(s) and typo lists
    # of the new words, and the /check/ index (it holds every case's word counts).
    assert f"cases/{target.stem}/index.html" in changed
    others = [p for p in changed if not p.startswith(f"cases/{target.stem}/")]
    assert "search/manifest.json" in others and "check/index.json" in others
    searched = [p for p in others if p != "check/index.json"]
    assert all(p.startswith("search/") for p in searched) and len(searched) <= 5, changed


def test_text_edit_renders_only_the_pages_it_reaches(fixture_site, tmp_path, monkeypatch):
    """Summary/Response edits keep list pages, feeds and sitemaps without planning them."""
    from site_builder import plan

    root = fixture_site("full")
    output = tmp_path / "out"
    _build(root, output, jobs=1)
    cases = _cases(root)
    rendered: list[str] = []
    original, original_units = plan._case_pages, plan.graph_free_units
    monkeypatch.setattr(
        plan, "_case_pages", lambda m, c, case: rendered.append(case.slug) or original(m, c, case)
    )

    def refuse(*_: object) -> None:
        raise AssertionError("list pages were planned after a text edit")

    monkeypatch.setattr(plan, "graph_free_units", refuse)
    for kind in ("body", "rewrite"):
        rendered.clear()
        _edit(root, kind, 0)
        _build(root, output, jobs=1)
        assert cases[0].stem in rendered and len(rendered) < len(cases), (kind, rendered)
        monkeypatch.setattr(plan, "graph_free_units", original_units)
        clean = tmp_path / f"clean-{kind}"
        _build(root, clean, jobs=1, use_cache=False)
        monkeypatch.setattr(plan, "graph_free_units", refuse)
        assert _tree(output) == _tree(clean), kind


def test_text_edit_that_moves_related_entries_rerenders_their_pages(tmp_path):
    """One case takes another's wording: both related lists change, and so do the pages of
    the cases around them; those are rendered, the rest of the site is kept."""
    from site_builder.corpus import generate_site

    root, output, clean = tmp_path / "site", tmp_path / "out", tmp_path / "clean"
    generate_site(root, 150, seed=5)
    _build(root, output, jobs=1)
    before = _tree(output)
    _edit(root, "rewrite", 40)
    _build(root, output, jobs=1)
    after = _tree(output)
    changed = {p.split("/")[1] for p in after if p.startswith("cases/") and after[p] != before[p]}
    assert len(changed - {_cases(root)[40].stem}) > 1, "the edit should move other cases' lists"
    assert len(changed) < 50, "most of the site should be kept"
    assert _tree(output) == _clean_tree(root, clean)


def test_text_edit_after_outputs_were_tampered_with(fixture_site, tmp_path):
    """A kept output must still be on disk as the last build wrote it, or it is rendered."""
    root = fixture_site("full")
    output, clean = tmp_path / "out", tmp_path / "clean"
    _build(root, output, jobs=1)
    _edit(root, "body", 0)
    (output / "tags" / "index.html").write_text("tampered")
    other = next(p for p in (output / "cases").iterdir() if p.name != _cases(root)[0].stem)
    (other / "index.html").unlink()
    _build(root, output, jobs=1)
    assert _tree(output) == _clean_tree(root, clean)


def test_retitled_case_rerenders_the_pages_that_link_to_it(fixture_site, tmp_path):
    """Case pages are skipped by their inputs; a neighbour's title is one of them."""
    root = fixture_site("full")
    output = tmp_path / "out"
    _build(root, output, jobs=1)
    target = next(p for p in _cases(root) if "related:" in p.read_text(encoding="utf-8"))
    text = target.read_text(encoding="utf-8")
    linked = re.search(r"related:\s*\[?\s*-?\s*([a-z0-9-]+)", text)
    assert linked, text
    neighbour = root / "content" / "cases" / f"{linked.group(1)}.md"
    neighbour_text = neighbour.read_text(encoding="utf-8")
    neighbour.write_text(re.sub(r"(?m)^title: ", "title: Renamed ", neighbour_text, count=1))
    _build(root, output, jobs=1)
    page = (output / "cases" / target.stem / "index.html").read_text(encoding="utf-8")
    assert "Renamed " in page
    assert _tree(output) == _clean_tree(root, tmp_path / "clean")


def test_noop_build_stops_after_the_stat_walk(fixture_site, tmp_path):
    root = fixture_site("full")
    output = tmp_path / "out"
    _build(root, output, jobs=1)
    stats = {p: p.stat().st_mtime_ns for p in output.rglob("*")}
    result, _ = build_site(root, output, options=BuildOptions(jobs=1))
    assert (result.written, result.removed) == (0, 0)
    assert [name for name, _ in result.timings] == ["check"], "the no-op path was not taken"
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*")} == stats


def test_edit_that_restores_size_and_mtime_is_still_seen(fixture_site, tmp_path):
    """`cp -p`, `rsync -t` and `tar x` restore mtimes; the inode change time still moves."""
    root = fixture_site("full")
    output = tmp_path / "out"
    target = _cases(root)[0]
    _build(root, output, jobs=1)
    stat = target.stat()
    text = target.read_text(encoding="utf-8")
    title = next(line for line in text.split("\n") if line.startswith("title: "))
    target.write_text(text.replace(title, "title: " + title[7:].swapcase(), 1), encoding="utf-8")
    assert target.stat().st_size == stat.st_size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _build(root, output, jobs=1)
    assert _tree(output) == _clean_tree(root, tmp_path / "clean")


def test_deleted_case_removes_its_outputs(fixture_site, tmp_path):
    root = fixture_site("minimal")
    output = tmp_path / "out"
    (root / "content/cases/extra.md").write_text(
        CASE.format(title="Extra", day=3, tags="Extra", summary="Extra.")
    )
    _build(root, output, jobs=1)
    assert (output / "cases/extra/index.html").is_file()
    (root / "content/cases/extra.md").unlink()
    _, removed = _build(root, output, jobs=1)
    assert removed >= 2  # the case page and its now-empty tag page at least
    assert not (output / "cases/extra").exists()
    assert not (output / "tags/extra").exists()


@pytest.mark.parametrize("background", [True, False])
def test_parallel_and_serial_builds_are_identical(tmp_path, monkeypatch, background):
    """Also with the search index rendered in the background while the graph is computed
    (big sites only, so the thresholds are lowered here), cold and then incremental."""
    from site_builder import build
    from site_builder.corpus import generate_site

    monkeypatch.setattr(build, "BACKGROUND_MIN", 0 if background else 10**9)
    # and the outputs a text edit keeps checked by a process forked before loading
    monkeypatch.setattr(build, "CHECK_MIN", 0 if background else 10**9)
    root = tmp_path / "site"
    generate_site(root, 300, seed=3)
    _build(root, tmp_path / "serial", jobs=1, use_cache=False)
    _build(root, tmp_path / "parallel", jobs=2)
    assert _tree(tmp_path / "serial") == _tree(tmp_path / "parallel")
    _edit(root, "body", 7)
    _edit(root, "title", 8)
    _build(root, tmp_path / "parallel", jobs=2)
    assert _clean_tree(root, tmp_path / "serial") == _tree(tmp_path / "parallel")
    # A text edit: the background process checks the kept files; one list page and one
    # case page were damaged meanwhile, and must be rendered again.
    _edit(root, "rewrite", 11)
    parallel = tmp_path / "parallel"
    (parallel / "tags" / "index.html").write_text("tampered")
    next(p for p in sorted((parallel / "cases").iterdir()) if p.is_dir()).joinpath(
        "index.html"
    ).unlink()
    _build(root, parallel, jobs=2)
    assert _clean_tree(root, tmp_path / "serial") == _tree(parallel)
    # The search state the background wrote itself (`Cache.stage_state`) is the one kept.
    assert _kept_search_state(root, parallel) is not None


def test_tampered_output_file_is_rewritten(fixture_site, tmp_path):
    root = fixture_site("minimal")
    output = tmp_path / "out"
    _build(root, output, jobs=1)
    page = output / "index.html"
    original = page.read_bytes()
    page.write_bytes(b"tampered")
    _build(root, output, jobs=1)
    assert page.read_bytes() == original


@pytest.mark.parametrize(
    "damage",
    [
        lambda db: db.write_bytes(b"this is not a database" * 100),
        lambda db: _sql(db, "UPDATE meta SET value = 'other' WHERE key = 'code'"),
        lambda db: _sql(db, "UPDATE compiled SET blob = x'c1c1c1'"),
        lambda db: _sql(db, "DROP TABLE outputs"),
        lambda db: _sql(db, "DELETE FROM words WHERE id = 1"),
        lambda db: _sql(db, "UPDATE compiled SET ids = x'ffffff7f', counts = x'01000000'"),
        lambda db: _sql(db, "UPDATE compiled SET ids = x'000000', counts = x''"),
        lambda db: _damage_states(db, b"\xc1\xc1\xc1", "*"),
        lambda db: _damage_states(db, b"\x80", "*-site"),
        lambda db: _sql(db, "UPDATE states SET token = 'from another build'"),
    ],
    ids=[
        "garbage-file",
        "foreign-version",
        "corrupt-entries",
        "missing-table",
        "word-gap",
        "word-id-out-of-range",
        "truncated-ids",
        "corrupt-states",
        "empty-site-state",
        "states-of-another-build",
    ],
)
def test_damaged_cache_is_discarded_not_trusted(damage, fixture_site, tmp_path):
    root = fixture_site("full")
    output, clean = tmp_path / "out", tmp_path / "clean"
    _build(root, output, jobs=1)
    target = _cases(root)[0]
    target.write_text(
        target.read_text(encoding="utf-8").replace("## Response", "X.\n\n## Response")
    )
    damage(root / ".cache" / FILE_NAME)
    _build(root, output, jobs=1)
    assert _tree(output) == _clean_tree(root, clean)


def test_clean_option_rebuilds_everything(fixture_site, tmp_path):
    root = fixture_site("minimal")
    output = tmp_path / "out"
    first, _ = _build(root, output, jobs=1)
    again, _ = _build(root, output, jobs=1, clean=True)
    assert again == first > 0


def _damage_states(db: Path, data: bytes, pattern: str) -> None:
    """Keep each state file's token line (so it is read) and replace what follows."""
    files = sorted((db.parent / "states").glob(pattern))
    assert files
    for path in files:
        token = path.read_bytes().split(b"\n", 1)[0]
        path.write_bytes(token + b"\n" + data)


def _sql(db: Path, statement: str) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute(statement)


def test_files_too_fresh_for_their_timestamps_are_compared_by_content(fixture_site):
    """Racy git: an edit within one timestamp tick keeps ctime and size; the hash decides."""
    root = fixture_site("minimal")
    inputs = read_inputs(root, drafts=False, strict=False)
    target = _cases(root)[0]
    assert target.relative_to(root).as_posix() in dict(inputs.fresh), "just copied: fresh"
    last = LastBuild(inputs.key, (), 1, inputs.fresh)
    assert same_inputs(root, inputs, last)
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("title: ", "title: X", 1)[:-1], encoding="utf-8")
    # The next build's look: the same key (as if the stat had not moved), fresh files hashed.
    again = dataclasses.replace(inputs, fresh=read_inputs(root, drafts=False, strict=False).fresh)
    assert not same_inputs(root, again, last)
    # A file fresh last time but not now is hashed by the comparison itself.
    assert not same_inputs(root, dataclasses.replace(inputs, fresh=()), last)


def test_noop_build_trusts_files_that_are_no_longer_fresh(fixture_site, tmp_path, monkeypatch):
    """A no-op after a build of just-written files records them as trusted, so the next one
    hashes none of them; a file still fresh stays on the list."""
    from site_builder import incremental
    from site_builder.cache import open_cache

    root, out = fixture_site("minimal"), tmp_path / "out"
    _build(root, out)
    cache_dir = root / load_config(root).cache_dir

    def fresh() -> tuple[tuple[str, str], ...]:
        cache = open_cache(cache_dir)
        try:
            last = cache.last_build(str(out.resolve()))
        finally:
            cache.close()
        assert last is not None
        return last.fresh

    copied = fresh()
    assert copied, "the fixture was copied moments ago: its files are fresh"
    hashed: list[str] = []
    real = incremental._hashes
    monkeypatch.setattr(
        incremental, "_hashes", lambda r, paths: hashed.extend(paths) or real(r, paths)
    )
    monkeypatch.setattr(incremental, "trusted_mtime", lambda ns: ns)  # time has passed
    assert _build(root, out) == (0, 0)  # a no-op
    assert sorted(hashed) == sorted(p for p, _ in copied), "checked by content once"
    assert fresh() == ()
    # The compile cache now trusts their stat too: the next build that loads content does
    # not read them again.
    with sqlite3.connect(root / load_config(root).cache_dir / FILE_NAME) as db:
        stats = dict(db.execute("SELECT path, mtime_ns FROM sources").fetchall())
    assert stats and all(stats[rel] == os.stat(root / rel).st_ctime_ns for rel in stats), (
        "entries carry the files' change times, not -1"
    )
    hashed.clear()
    assert _build(root, out)[0] == 0
    assert hashed == [], "nothing left to hash"


def test_fresh_case_files_are_recorded_by_the_bytes_the_build_compiled(
    fixture_site, tmp_path, monkeypatch
):
    """A cold build does not read just-written case files one more time to hash them: it
    records the digest of the bytes it compiled, and the next build compares against it."""
    import hashlib

    from site_builder import incremental
    from site_builder.cache import open_cache

    root, out = fixture_site("minimal"), tmp_path / "out"
    hashed: list[str] = []
    real = incremental._hashes
    monkeypatch.setattr(
        incremental, "_hashes", lambda r, paths: hashed.extend(paths) or real(r, paths)
    )
    _build(root, out)
    cases = {p.relative_to(root).as_posix() for p in _cases(root)}
    assert cases and not cases & set(hashed), "case files were hashed before compiling"
    cache = open_cache(root / load_config(root).cache_dir)
    try:
        last = cache.last_build(str(out.resolve()))
    finally:
        cache.close()
    assert last is not None
    recorded = dict(last.fresh)
    assert cases <= set(recorded)
    for rel in cases:
        assert recorded[rel] == hashlib.sha256((root / rel).read_bytes()).hexdigest()
    hashed.clear()
    assert _build(root, out) == (0, 0)  # a no-op: the recorded digests match
    assert cases <= set(hashed), "a no-op checks fresh files by their bytes"


def test_a_reset_vocabulary_drops_the_states_that_number_words_by_it(tmp_path):
    """The graph state keeps keyword rows by word id: a new vocabulary makes it meaningless."""
    from site_builder.cache import open_cache

    cache = open_cache(tmp_path / "cache")
    cache.put_states("/out", {"graph": b"rows", "search": b"postings"})
    assert cache.state("/out", "graph") == b"rows"
    cache.forget_sources()
    assert cache.state("/out", "graph") is None and cache.state("/out", "search") is None


def test_search_state_is_kept_when_built_in_process(fixture_site, tmp_path):
    """A small site builds its search index in this process (no background): the state it
    stages for the cache is the one the next build reads."""
    root, out = fixture_site("full"), tmp_path / "out"
    _build(root, out, jobs=1)
    assert _kept_search_state(root, out) is not None


def test_an_edit_past_what_check_reads_keeps_its_data(fixture_site, tmp_path, monkeypatch):
    """/check/ reads a case's title, claim and the start of its text: an edit further down
    keeps check/ as it is instead of rebuilding it; an edit of the claim rebuilds it."""
    from site_builder import check_index

    calls: list[int] = []
    original = check_index.plan_check
    monkeypatch.setattr(check_index, "plan_check", lambda model: calls.append(1) or original(model))
    root = fixture_site("full")
    output = tmp_path / "out"
    target = _cases(root)[0]
    long = "A long paragraph about the claim and what it says, word after word. " * 8
    target.write_text(
        target.read_text(encoding="utf-8").replace("## Summary\n", f"## Summary\n\n{long}\n", 1)
    )
    _build(root, output, jobs=1)
    assert len(calls) == 1
    before = (output / "check" / "index.json").read_bytes()
    target.write_text(target.read_text(encoding="utf-8") + "\nOne more closing sentence.\n")
    _build(root, output, jobs=1)
    assert len(calls) == 1, "check/ was rebuilt for an edit it does not read"
    assert (output / "check" / "index.json").read_bytes() == before
    text = target.read_text(encoding="utf-8")
    target.write_text(re.sub(r"(?m)^title: .*$", "title: A wholly new zebra title", text, count=1))
    _build(root, output, jobs=1)
    assert len(calls) == 2
    assert b"zebra" in (output / "check" / "index.json").read_bytes()
