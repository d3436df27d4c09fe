"""Each folder in tests/fixtures/invalid/ is a site with one kind of mistake.

`expected.txt` holds `exit: N` and then the exact stderr. The build must fail with that text and
leave the previous good output byte-identical. Run with --update-golden to rewrite expectations.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

INVALID = Path(__file__).parent / "fixtures" / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())


def _copy(name: str, tmp_path: Path) -> Path:
    """Builds write a cache into the site root; keep the checked-in fixtures pristine."""
    root = tmp_path / "sites" / name
    shutil.copytree(INVALID / name, root, ignore=shutil.ignore_patterns("expected.txt", ".cache"))
    return root


@pytest.mark.parametrize("name", CASES)
def test_invalid_site_reports_and_keeps_output(
    name, run_cli, read_tree, fixture_site, tmp_path, update_golden
):
    output = tmp_path / "output"
    assert run_cli("build", "--root", fixture_site("minimal"), "--output", output).code == 0
    before = read_tree(output)

    result = run_cli("build", "--root", _copy(name, tmp_path), "--output", output)
    actual = f"exit: {result.code}\n{result.err}"
    expected_file = INVALID / name / "expected.txt"
    if update_golden:
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
    assert result.code in (1, 2)
    assert "Traceback" not in result.err
    assert read_tree(output) == before, "a failed build changed the previous output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "sites"]


# Found after the search index started rendering in a background process (jobs > 1): the
# build must stop that process and leave no staging directory behind.
LATE = ["alias-collision", "alias-shadows-generated", "page-shadows-generated", "template-error"]


@pytest.mark.parametrize("name", LATE)
def test_late_errors_stop_the_parallel_build_cleanly(
    name, run_cli, read_tree, fixture_site, tmp_path, monkeypatch
):
    from site_builder import build

    monkeypatch.setattr(build, "BACKGROUND_MIN", 0)  # fixtures are small; force the overlap
    output = tmp_path / "output"
    assert run_cli("build", "--root", fixture_site("minimal"), "--output", output).code == 0
    before = read_tree(output)
    result = run_cli("build", "--root", _copy(name, tmp_path), "--output", output, "--jobs", "2")
    expected = (INVALID / name / "expected.txt").read_text(encoding="utf-8")
    assert f"exit: {result.code}\n{result.err}" == expected
    assert read_tree(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "sites"]


@pytest.mark.parametrize("name", CASES)
def test_check_reports_the_same_problems(name, run_cli, tmp_path):
    expected = (INVALID / name / "expected.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    result = run_cli("check", "--root", _copy(name, tmp_path))
    if name.startswith("template"):  # check does not render, so template errors are build-only
        assert result.code == 0
    else:
        assert result.err == expected
        assert result.code in (1, 2)
