"""`site-builder graph-eval --checkthat DIR` through the installed console script, on a tiny
copy of the CheckThat! 2022 2A format (tests/fixtures/checkthat; the real data is never needed
by the tests): the fact-checks become a site, the real build builds it, check.js ranks the
tweets under Node, and the table has every split beside BM25."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.checkthat import metrics, slug_of

REPO = Path(__file__).parent.parent
CONSOLE = Path(sys.executable).parent / "site-builder"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CONSOLE), *args], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_checkthat_table_ranks_every_split_with_the_shipped_javascript() -> None:
    result = _run("graph-eval", "--checkthat", "tests/fixtures/checkthat")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert "5 fact-checks, 1 train tweets, 1 dev tweets, 2 dev-test tweets" in lines[0]
    header = next(line for line in lines if line.startswith("| scorer"))
    for split in ("train", "dev", "dev-test"):
        assert f"{split} MAP@5" in header and f"{split} MRR@5" in header
    ours = next(line for line in lines if line.startswith("| /check/"))
    assert ours.count("1.000") == 9, ours  # every tweet finds its fact-check first
    assert any(line.startswith("| BM25 |") for line in lines)
    assert any(line.startswith("| BM25, Snowball-stemmed |") for line in lines)
    assert "check/ files:" in result.stdout and "/check/ in Chromium" in result.stdout


def test_checkthat_without_the_data_is_skipped_with_a_message(tmp_path: Path) -> None:
    result = _run("graph-eval", "--checkthat", str(tmp_path / "absent"))
    assert result.returncode == 0
    assert "CheckThat! skipped" in result.stdout and "vclaims.jsonl" in result.stdout


def test_map_at_5_counts_every_relevant_fact_check() -> None:
    qrels = {"q1": {"a", "b"}, "q2": {"c"}}
    ranked = {"q1": ["a", "x", "b"], "q2": ["x", "c"]}
    found = metrics(ranked, qrels)
    assert found["MAP@5"] == pytest.approx(((1 + 2 / 3) / 2 + 1 / 2) / 2)
    assert found["MRR@5"] == pytest.approx((1 + 1 / 2) / 2)
    assert found["P@1"] == 0.5


def test_claim_ids_become_valid_slugs() -> None:
    assert slug_of("vclaim-sno-johnson--johnson") == "vclaim-sno-johnson-johnson"
    assert slug_of("vclaim-sno-trump_floyd_tweet") == "vclaim-sno-trump-floyd-tweet"
