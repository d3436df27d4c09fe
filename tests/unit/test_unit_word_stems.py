"""Unit tests for site_builder.word_stems: one stem per word family, per site language."""

import numpy as np

from site_builder.word_stems import algorithm, stem_ids


def test_site_languages_pick_snowball_algorithms():
    assert algorithm("en") == "english"
    assert algorithm("pt-BR") == "portuguese"
    assert algorithm("de_AT") == "german"
    assert algorithm("xx") is None


def test_word_families_share_a_stem_numbered_by_their_first_word():
    found = stem_ids(["vaccines", "claim", "vaccinated", "claims", "vaccination"], "en")
    assert found is not None
    ids, stems = found
    assert ids.tolist() == [0, 1, 0, 1, 0]
    assert stems == ["vaccin", "claim"]
    assert ids.dtype == np.int32


def test_no_stemming_when_nothing_merges_or_no_stemmer():
    assert stem_ids(["moon", "base"], "en") is None
    assert stem_ids(["claims", "claim"], "xx") is None
    assert stem_ids([], "en") is None


def test_russian_words_are_stemmed_too():
    found = stem_ids(["вакцины", "вакцина"], "ru")
    assert found is not None and found[0].tolist() == [0, 0]
