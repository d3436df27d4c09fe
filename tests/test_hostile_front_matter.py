"""Hostile front matter next to good cases: each file is refused with its line, quickly and
in little memory, through the installed console script; the previous output survives."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.frontmatter import parse
from site_builder.model import SourceFile

BODY = "## Summary\n\nThe claim.\n\n## Response\n\nThe refutation.\n"
SCRIPT = Path(sys.executable).with_name("site-builder")


def _case(front: str) -> str:
    return "---\ntitle: T\ndate: 2024-01-01\n" + front + "---\n" + BODY


def _bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\ntags: *a{levels - 1}\n"


HOSTILE = {
    "alias-bomb.md": (_bomb(9), 5, "YAML alias '*a0' is not allowed in front matter"),
    "deep.md": ("x: " + "[" * 900 + "]" * 900 + "\n", 4, "more than 20 deep"),
    "many-keys.md": ("".join(f"k{i}: {i}\n" for i in range(100_000)), 5001, "10000 values"),
    "many-items.md": ("tags: [" + ", ".join(["'a'"] * 300_000) + "]\n", 4, "10000 values"),
    "huge-key.md": ("? '" + "k" * 1_000_000 + "'\n: 1\n", 4, "key of 1000000 characters"),
}


def _limit_memory() -> None:
    # The alias bomb reached 4.1 GB before the limits; a refused file needs a few MB.
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _site_builder(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args, "--root", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,  # a guard, not a measurement: the bomb ran for minutes before
        preexec_fn=_limit_memory,
        check=False,
    )


def test_hostile_front_matter_is_refused_and_the_output_kept(tmp_path):
    root = tmp_path / "site"
    (root / "content/cases").mkdir(parents=True)
    # A site may raise max_file_bytes (its default refuses these files by size alone): the
    # YAML bounds must hold whatever the file-size limit is.
    (root / "site.toml").write_text(
        'title = "Hostile"\nmax_file_bytes = 2000000\n', encoding="utf-8"
    )
    (root / "content/cases/good-case.md").write_text(_case(""), encoding="utf-8")
    assert _site_builder(root, "build").returncode == 0
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    for name, (front, _, _) in HOSTILE.items():
        (root / "content/cases" / name).write_text(_case(front), encoding="utf-8")

    for command in ("check", "build"):
        result = _site_builder(root, command)
        assert result.returncode == 1, result.stderr
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert len(errors) == len(HOSTILE), errors
        for name, (_, line, message) in HOSTILE.items():
            prefix = f"content/cases/{name}:{line}: error: "
            assert any(e.startswith(prefix) and message in e for e in errors), (name, errors)
    after = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    assert after == before


_SCALAR = st.sampled_from(["x", "'q'", "1", "~", "&a x", "*a", "&b [x]", "*b", "!!str s"])


def _nest(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(inner, max_size=12).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(inner, max_size=12).map(
            lambda items: "{" + ", ".join(f"k{i}: {v}" for i, v in enumerate(items)) + "}"
        ),
        inner.map(lambda value: "&c " + value),
        st.integers(1, 40).map(lambda n: "[" * n + "x" + "]" * n),
    )


HOSTILE_VALUE = st.recursive(_SCALAR, _nest, max_leaves=40)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["tags", "a", "b", "<<", "k"]), HOSTILE_VALUE), max_size=8)
)
def test_fuzzed_hostile_shapes_give_a_value_or_errors_never_an_exception(entries):
    """Anchors, aliases, merge keys, nesting and width in any mix: parsed or refused."""
    text = _case("".join(f"{key}: {value}\n" for key, value in entries))
    front, problems = parse(SourceFile("content/cases/fuzz.md", text, ""))
    assert (front is None) == bool(problems)
    assert all(p.line is not None and p.line >= 1 for p in problems)
