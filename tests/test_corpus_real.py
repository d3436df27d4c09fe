"""The real-shaped bench corpus keeps the database's shape and is the same on every run.

Uses the built-in shape (never ../shared): the project must test without the real export.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from site_builder.corpus_real import SHAPE_FILE, generate_site, load_shape


def _terms(root: Path) -> tuple[int, dict[str, Counter[str]]]:
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("tags", "countries", "languages")}
    counts["outlets"] = Counter()
    files = sorted((root / "content" / "cases").rglob("*.md"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        for key in ("tags", "countries", "languages"):
            cell = re.search(rf"^{key}: \[(.*)\]$", text, re.M)
            assert cell is not None, path
            counts[key].update(v.strip('"') for v in cell.group(1).split(", ") if v)
        counts["outlets"].update(re.findall(r"^  - name: (.*)$", text, re.M))
    return len(files), counts


def test_built_in_shape_gives_a_database_sized_long_tailed_corpus(tmp_path):
    shape = load_shape(tmp_path / "absent.csv")
    assert SHAPE_FILE.name in shape.source and "absent" in shape.source
    shape_again = load_shape(tmp_path / "absent.csv")
    generate_site(tmp_path / "a", shape=shape)
    generate_site(tmp_path / "b", shape=shape_again)
    cases, counts = _terms(tmp_path / "a")
    assert 10_000 <= cases <= 11_000
    assert 550 <= len(counts["tags"]) <= 650
    assert 100 <= len(counts["countries"]) <= 120
    assert 25 <= len(counts["languages"]) <= 35
    assert 2_500 <= len(counts["outlets"]) <= 2_900
    small = sum(1 for c in counts["outlets"].values() if c <= 3)
    assert small / len(counts["outlets"]) > 0.7  # most outlets have one to three cases
    hubs = {t for t, _ in counts["tags"].most_common(3)}
    tag_lines = [
        re.search(r"^tags: (.*)$", p.read_text(encoding="utf-8"), re.M)
        for p in (tmp_path / "a" / "content" / "cases").rglob("*.md")
    ]
    with_hub = sum(1 for m in tag_lines if m and hubs & set(re.findall(r'"([^"]+)"', m[1])))
    assert 0.2 < with_hub / cases < 0.45  # hub keywords on about a third of the cases
    words = [len(p.read_text(encoding="utf-8").split()) for p in (tmp_path / "a").rglob("*.md")]
    assert 150 < sum(words) / len(words) < 700
    a = sorted((tmp_path / "a").rglob("*.md"))
    b = sorted((tmp_path / "b").rglob("*.md"))
    assert [p.relative_to(tmp_path / "a") for p in a] == [p.relative_to(tmp_path / "b") for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))
