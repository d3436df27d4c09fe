"""Unit tests for site_builder.similarity: bags, keyword vectors and sparse shortlists."""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.content import _Words
from site_builder.similarity import keyword_matrix, pair_dots, shortlist, table_keyword_matrix
from site_builder.words import Bag, text_bag


def test_text_bag_lowercases_splits_on_punctuation_and_digits_and_counts():
    bag = text_bag("Vaccines—vaccines! It is THE 5G “chip”, the chip; don't.")
    assert dict(zip(bag.words, bag.counts, strict=True)) == {
        "vaccines": 2,
        "it": 1,
        "is": 1,
        "the": 2,
        "g": 1,
        "chip": 2,
        "don": 1,
        "t": 1,
    }


def test_stop_words_and_short_words_never_become_keywords():
    bags = [text_bag("the chip is in the vaccine"), text_bag("the chip is in the blood")]
    matrix = keyword_matrix(bags, keywords=10, max_share=1.0, max_df=10)
    assert matrix.nnz == 2  # "chip" in both; "the", "is", "in" are ignored


def test_keyword_matrix_keeps_strongest_shared_words_per_row():
    bags = [
        Bag(("alpha", "beta", "gamma", "solo"), (5, 1, 1, 9)),
        Bag(("alpha", "beta", "gamma"), (5, 1, 1)),
        Bag(("beta", "gamma", "delta"), (1, 1, 1)),
        Bag(("delta", "omega"), (1, 1)),
    ]
    matrix = keyword_matrix(bags, keywords=2, max_share=1.0, max_df=10)
    assert matrix.getnnz(axis=1).tolist() == [2, 2, 2, 1]  # "solo" and "omega" match nothing
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0)
    similarity = (matrix @ matrix.T).toarray()
    assert similarity[0, 1] > 0.99 and similarity[0, 3] == 0


def test_keyword_matrix_drops_words_on_too_many_cases():
    bags = [Bag(("common", f"w{i}"), (3, 1)) for i in range(10)]
    assert keyword_matrix(bags, keywords=5, max_share=0.5, max_df=100).nnz == 0
    assert keyword_matrix(bags, keywords=5, max_share=1.0, max_df=5).nnz == 0
    assert keyword_matrix(bags, keywords=5, max_share=1.0, max_df=10).nnz == 10


def brute_force_top(dense: np.ndarray, size: int) -> set[tuple[int, int]]:
    scores = dense @ dense.T
    found = set()
    for i in range(len(dense)):
        ranked = sorted(
            (j for j in range(len(dense)) if j != i and scores[i, j] > 0),
            key=lambda j: (-round(scores[i, j], 9), j),
        )
        found.update((i, j) for j in ranked[:size])
    return found


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 3), min_size=6, max_size=6), min_size=2, max_size=30),
    st.integers(1, 6),
)
def test_shortlist_equals_brute_force_top_k(rows, size):
    dense = np.array(rows, dtype=float)
    result = shortlist(sp.csr_matrix(dense), size)
    assert set(zip(result.rows.tolist(), result.cols.tolist(), strict=True)) == brute_force_top(
        dense, size
    )
    assert result.candidates.tolist() == [
        int(((dense @ dense.T)[i] > 0).sum() - ((dense[i] @ dense[i]) > 0))
        for i in range(len(dense))
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 3), min_size=6, max_size=6), min_size=2, max_size=30),
    st.integers(1, 6),
    st.data(),
)
def test_shortlist_of_some_rows_equals_those_rows_of_the_whole(rows, size, data):
    """What an incremental graph relies on: a row's short list depends on its products only."""
    features = sp.csr_matrix(np.array(rows, dtype=float))
    whole = shortlist(features, size)
    some = sorted(data.draw(st.sets(st.integers(0, len(rows) - 1), min_size=1)))
    part = shortlist(features, size, np.array(some))
    pairs = set(zip(whole.rows.tolist(), whole.cols.tolist(), strict=True))
    mine = {(i, j) for i, j in pairs if i in some}
    assert set(zip(part.rows.tolist(), part.cols.tolist(), strict=True)) == mine
    assert part.candidates.tolist() == whole.candidates[some].tolist()


def test_pair_dots_match_dense_products():
    rng = np.random.default_rng(0)
    left = sp.random(20, 8, density=0.4, random_state=1, format="csr")
    right = sp.random(20, 8, density=0.4, random_state=2, format="csr")
    rows, cols = rng.integers(0, 20, 50), rng.integers(0, 20, 50)
    expected = (left.toarray()[rows] * right.toarray()[cols]).sum(axis=1)
    assert np.allclose(pair_dots(left, right, rows, cols), expected)


WORDS = ("alpha", "beta", "gamma", "delta", "omega", "the", "chip", "grain", "ab", "vaccine")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(WORDS), st.integers(1, 4), max_size=len(WORDS)),
        min_size=1,
        max_size=25,
    ),
    st.randoms(use_true_random=False),
    st.integers(1, 4),
)
def test_table_keyword_matrix_is_bit_identical_to_keyword_matrix(counts, random, keywords):
    """Loading order differs from slug order (and between runs with other --jobs): the table's
    renumbering must give exactly the matrix built from the bags, ties and all."""
    bags = [Bag(tuple(c), tuple(c.values())) for c in counts]
    slugs = [f"case-{i:03d}" for i in range(len(bags))]
    loading = list(range(len(bags)))
    random.shuffle(loading)
    words, stored = _Words(), {}
    for i in loading:
        stored[slugs[i]] = words.add_bag(slugs[i], bags[i])
    table = words.table()
    # The same bags coming back from the cache as ids into the stored vocabulary.
    cached = _Words(list(table.vocabulary))
    for i in reversed(loading):
        assert cached.add_ids(slugs[i], *stored[slugs[i]])
    again = cached.table()
    assert [again.words(s) for s in slugs] == [table.words(s) for s in slugs]
    options = {"keywords": keywords, "max_share": 1.0, "max_df": 10}
    expected = keyword_matrix(bags, **options)
    actual = table_keyword_matrix(table, slugs, **options)
    assert actual.shape == expected.shape
    for name in ("data", "indices", "indptr"):
        assert getattr(actual, name).tolist() == getattr(expected, name).tolist()
    assert [table.words(s) for s in slugs] == [(b.words, b.counts) for b in bags]
