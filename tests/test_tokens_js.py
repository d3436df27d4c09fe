"""The browser's tokeniser (static/tokens.js, run under Node) must give exactly the tokens of
the build's (site_builder/tokens.py): over every word of the starter site and a multilingual
list, for English and for sites in other languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.nodejs import run_script, static_dir
from site_builder.tokens import Tokeniser

REPO = Path(__file__).parent.parent
WORDS = Path(__file__).parent / "fixtures" / "words" / "multilingual.txt"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _texts() -> list[str]:
    files = sorted((REPO / "content").rglob("*.md"))
    assert len(files) > 50, "the starter site's content is missing"
    return [f.read_text(encoding="utf-8") for f in files] + WORDS.read_text("utf-8").splitlines()


@pytest.mark.parametrize("language", ["en", "fr", "ru", "ar", "sr", "de-AT"])
def test_node_tokens_equal_python_tokens(language: str) -> None:
    tokeniser = Tokeniser(language)
    texts = _texts()
    payload = {"static": f"{static_dir()}/", "config": tokeniser.config(), "texts": texts}
    got = run_script("tokenise.mjs", payload)
    expected = [tokeniser.tokens(text) for text in texts]
    assert isinstance(got, list) and len(got) == len(expected)
    for text, js, py in zip(texts, got, expected, strict=True):
        assert js == py, f"tokens differ for {text[:60]!r}"
    vocabulary = {token for tokens in expected for token in tokens}
    assert len(vocabulary) > 1000


def test_stems_join_word_forms() -> None:
    tokens = Tokeniser("en").tokens("vaccinations vaccines vaccinated")
    assert len(set(tokens)) == 1
    assert Tokeniser("en").tokens("Вакцинация вакцинации") == ["вакцинац", "вакцинац"]
    assert len(set(Tokeniser("en").tokens("اللقاحات لقاح"))) == 1
