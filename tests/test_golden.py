"""The fixture site's whole output tree must equal tests/golden/<site>/ byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def _compare(actual: dict[str, bytes], expected: dict[str, bytes]) -> list[str]:
    problems = [f"missing: {p}" for p in sorted(set(expected) - set(actual))]
    problems += [f"unexpected: {p}" for p in sorted(set(actual) - set(expected))]
    problems += [
        f"differs: {p}" for p in sorted(set(actual) & set(expected)) if actual[p] != expected[p]
    ]
    return problems


@pytest.mark.parametrize("site", ["full", "minimal"])
def test_output_matches_golden(site, fixture_site, run_cli, read_tree, tmp_path, update_golden):
    root = fixture_site(site)
    output = tmp_path / "out"
    result = run_cli("build", "--root", root, "--output", output, "--quiet")
    assert result.code == 0, result.err
    actual = {k: v for k, v in read_tree(output).items() if not k.startswith("static/")}
    golden = GOLDEN / site
    if update_golden:
        shutil.rmtree(golden, ignore_errors=True)
        for rel, data in actual.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_bytes(data)
        pytest.skip("golden files updated; review the diff")
    problems = _compare(actual, read_tree(golden))
    assert not problems, (
        "output differs from golden (run pytest --update-golden and review):\n"
        + "\n".join(problems)
    )


def test_build_is_deterministic(fixture_site, run_cli, read_tree, tmp_path):
    root = fixture_site("full")
    trees = []
    for name in ("a", "b"):
        assert run_cli("build", "--root", root, "--output", tmp_path / name, "--quiet").code == 0
        trees.append(read_tree(tmp_path / name))
    assert trees[0] == trees[1]
