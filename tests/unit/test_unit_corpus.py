"""Unit tests for site_builder.corpus: the synthetic site must build and be reproducible."""

import re
from pathlib import Path

from site_builder.build import load_site
from site_builder.corpus import generate_site, main, stories


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def test_generated_site_loads_without_errors(tmp_path: Path) -> None:
    generate_site(tmp_path, 120, seed=3)
    loaded = load_site(tmp_path)
    assert len(loaded.model.cases) == 120
    assert not [d for d in loaded.diagnostics if d.is_error]


def test_same_seed_same_bytes_other_seed_other_site(tmp_path: Path) -> None:
    generate_site(tmp_path / "a", 40, seed=7)
    generate_site(tmp_path / "b", 40, seed=7)
    generate_site(tmp_path / "c", 40, seed=8)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_cases_have_realistic_shape(tmp_path: Path) -> None:
    generate_site(tmp_path, 80)
    cases = load_site(tmp_path).model.cases
    for case in cases:
        words = len(re.findall(r"\w+", case.summary + " " + case.response))
        assert 400 <= words <= 700, (case.slug, words)
        assert 3 <= len(case.tags) <= 8
        assert 1 <= len(case.topics) <= 2
        assert 1 <= len(case.countries) <= 3
        assert 1 <= len(case.languages) <= 3
        assert 1 <= len(case.outlets) <= 3
        assert all(o.archived for o in case.outlets)
    assert sum(bool(c.related) for c in cases) >= len(cases) // 10


def test_stories_name_every_case_and_editor_links_stay_in_story(tmp_path: Path) -> None:
    generate_site(tmp_path, 150, seed=1)
    story = stories(150, seed=1)
    cases = load_site(tmp_path).model.cases
    assert set(story) == {c.slug for c in cases}
    sizes = {s: list(story.values()).count(s) for s in set(story.values())}
    assert max(sizes.values()) >= 3
    for case in cases:
        assert all(story[target] == story[case.slug] for target in case.related)


def test_story_members_share_wording(tmp_path: Path) -> None:
    """Planted clusters must be recoverable: same-story texts overlap more than others do."""
    generate_site(tmp_path, 60, seed=2)
    story = stories(60, seed=2)
    texts = {
        c.slug: set(f"{c.summary} {c.response}".lower().split())
        for c in load_site(tmp_path).model.cases
    }

    def overlap(a: str, b: str) -> float:
        return len(texts[a] & texts[b]) / len(texts[a] | texts[b])

    slugs = sorted(texts)
    same = [overlap(a, b) for a in slugs for b in slugs if a < b and story[a] == story[b]]
    other = [overlap(a, b) for a in slugs for b in slugs if a < b and story[a] != story[b]]
    assert sum(same) / len(same) > 1.5 * sum(other) / len(other)


def test_cli_writes_site(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path / "site"), "--n", "5"]) == 0
    assert "wrote 5 cases" in capsys.readouterr().out
    assert len(files(tmp_path / "site")) == 5
    assert (tmp_path / "site" / "site.toml").is_file()
