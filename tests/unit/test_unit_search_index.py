"""Unit tests for site_builder.search_index: tokens, ids, shards, file format, stability."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder import search_index as si
from site_builder.build import load_site
from site_builder.model import Case, Outlet, RelatedGraph, SiteModel
from site_builder.taxonomy import build_terms

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sites"
REPO = Path(__file__).parents[2]


def case(n: int, **changes: object) -> Case:
    values: dict[str, object] = {
        "slug": f"case-{n}",
        "title": f"Claim number {n} about topic{n % 37}",
        "date": dt.date(2015, 1, 1) + dt.timedelta(days=n % 3000),
        "summary": f"A post says word{n % 101} and word{n % 53} spread.",
        "response": f"No evidence for unique{n}; see [the source](https://example.org/{n}).",
        "source_path": f"content/cases/case-{n}.md",
        "claim": f"Something about thing{n % 17}.",
        "tags": (f"tag{n % 23}",),
        "countries": (("Germany", "Poland", "Kraków")[n % 3],),
        "outlets": (Outlet(f"Outlet {n % 7}", "https://o.example/", None),),
    }
    values.update(changes)
    return Case(**values)  # type: ignore[arg-type]


def model_of(cases: list[Case]) -> SiteModel:
    ordered = tuple(sorted(cases, key=lambda c: (c.date, c.slug), reverse=True))
    terms, slugs, problems = build_terms(ordered)
    assert problems == []
    return SiteModel(ordered, {c.slug: c for c in ordered}, (), RelatedGraph({}), terms, slugs)


def decode(lists: list[list[int]]) -> list[list[int]]:
    out = []
    for deltas in lists:
        ids, total = [], 0
        for delta in deltas:
            total += delta
            ids.append(total)
        out.append(ids)
    return out


def parsed(files: dict[str, bytes]) -> dict[str, object]:
    return {path: json.loads(data) for path, data in files.items()}


# ------------------------------------------------------------------------- tokens


def test_normalise_folds_case_and_accents() -> None:
    assert si.normalise("Kraków ŁÓDŹ Straße naïve") == "krakow łodz straße naive"
    assert si.normalise("İstanbul") == "istanbul"
    assert si.normalise("ﬁnance ²") == "finance 2"  # NFKD compatibility forms


def test_tokenise_drops_stop_words_short_and_overlong_words() -> None:
    text = "The EU said a 5G mast is in Kraków, not_true " + "x" * 41
    assert si.tokenise(text) == ["eu", "said", "5g", "mast", "krakow", "true"]


def test_tokenise_splits_on_any_punctuation() -> None:
    assert si.tokenise("it\u2019s COVID\u201119 left\u2014right e-mail") == [
        "covid",
        "19",
        "left",
        "right",
        "mail",
    ]


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_fast_path_gives_exactly_the_tokens_of_tokenise(text: str) -> None:
    fast = {token for raw in si.raw_words(text) for token in si.clean_word(raw)}
    assert fast == set(si.tokenise(text))


def test_fnv1a_matches_reference_vectors() -> None:
    assert si.fnv1a("") == 0x811C9DC5
    assert si.fnv1a("a") == 0xE40C292C
    assert si.fnv1a("foobar") == 0xBF9CF968


def test_tokens_sharing_a_prefix_share_a_shard() -> None:
    assert si.shard_of("vaccine", 64) == si.shard_of("vaccines", 64) == si.shard_of("vac", 64)


def test_plain_text_keeps_link_text_and_drops_urls_tags_and_markup() -> None:
    markdown = "**Bold** [the agency](https://a.example/x) <b>tag</b> https://b.example[^1]\n\n[r]: https://c"
    assert si.plain_text(markdown) == "Bold the agency tag"


# ---------------------------------------------------------------------------- ids


@given(st.sets(st.text(min_size=1, max_size=12), max_size=200))
def test_stable_ids_are_unique_and_in_range(keys: set[str]) -> None:
    space = si.index_shape(len(keys)).doc_space
    ids = si.stable_ids(keys, space)
    assert set(ids) == keys
    assert len(set(ids.values())) == len(keys)
    assert all(0 <= v < space for v in ids.values())


def test_adding_a_key_moves_no_other_key_without_a_collision() -> None:
    keys = [f"case-{n}" for n in range(1000)]
    before = si.stable_ids(keys, 4096)
    after = si.stable_ids([*keys, "a-brand-new-case"], 4096)
    moved = [k for k in keys if before[k] != after[k]]
    assert len(moved) <= 2
    assert si.stable_ids(reversed(keys), 4096) == before  # order of input does not matter


def test_shape_grows_in_powers_of_two() -> None:
    assert si.index_shape(46) == si.IndexShape(256, 1, 256, 128)
    small, big = si.index_shape(10_000), si.index_shape(100_000)
    assert (small.doc_space, small.shards) == (32768, 32)
    assert (big.doc_space, big.shards) == (262144, 256)
    assert big.doc_space // big.meta_width <= si.MAX_META_CHUNKS


# ------------------------------------------------------------------------- format


def test_encode_shard_equals_json_of_the_same_lists() -> None:
    shard = {"zeta": ([1, 5, 9], [], []), "alpha": ([2], [3], [4, 8]), "eu": ([], [7], [])}
    expected = {
        token: [decoded for decoded in _deltas_trimmed(lists)] for token, lists in shard.items()
    }
    assert si.encode_shard(shard) == si.encode(expected)


def _deltas_trimmed(lists: tuple[list[int], ...]) -> list[list[int]]:
    out = [[b - a for a, b in zip([0, *ids], ids, strict=False)] for ids in lists]
    while not out[-1]:
        out.pop()
    return out


def test_manifest_schema_and_file_set() -> None:
    model = model_of([case(n) for n in range(600)])
    files = si.build_index(model)
    manifest = json.loads(files["manifest.json"])
    assert set(manifest) == {
        "version", "cases", "years", "digest", "doc_space", "shards", "meta_width",
        "docs_width", "tokens", "fields", "weights", "taxonomies",
    }  # fmt: skip
    assert manifest["version"] == si.INDEX_VERSION and manifest["cases"] == 600
    assert manifest["shards"] == 2 and manifest["fields"] == ["body", "claim", "title"]
    assert sum(manifest["years"].values()) == 600
    assert set(manifest["tokens"]["stop_words"]) == si.STOP_WORDS
    assert sorted(f"search/{p}" for p in files) == sorted(si.search_outputs(600))
    for data in files.values():  # compact, sorted keys: re-encoding gives the same bytes
        assert si.encode(json.loads(data)) == data


def test_postings_list_each_case_once_under_its_best_field() -> None:
    cases = [
        case(1, title="Vaccine harms", claim="Vaccine claim", summary="vaccine", response="r"),
        case(2, title="Other", claim="A vaccine story", summary="vaccine", response="r"),
        case(3, title="Other", claim=None, summary="The vaccines", response="vaccine"),
    ]
    model = model_of(cases)
    shape = si.index_shape(3)
    ids = si.stable_ids([c.slug for c in cases], shape.doc_space)
    shard = json.loads(si.build_index(model)[f"terms/{si.shard_of('vaccine', shape.shards)}.json"])
    body, claim, title = decode(shard["vaccin"])  # "vaccine" and "vaccines", stemmed
    assert (body, claim, title) == ([ids["case-3"]], [ids["case-2"]], [ids["case-1"]])
    assert "vaccine" not in shard and "vaccines" not in shard


def test_index_agrees_with_the_reference_tokeniser_on_the_starter_site() -> None:
    """Every posting decoded from the files equals what `tokenise` says, case by case."""
    model = load_site(REPO).model
    files = parsed(si.build_index(model))
    shape = si.index_shape(len(model.cases))
    ids = si.stable_ids([c.slug for c in model.cases], shape.doc_space)
    expected: dict[str, list[set[int]]] = {}
    for c in model.cases:
        body = set(si.tokenise(si.searchable_text(f"{c.summary}\n\n{c.response}")))
        claim, title = set(si.tokenise(c.claim or "")), set(si.tokenise(c.title))
        for field, tokens in enumerate((body - claim - title, claim - title, title)):
            for token in tokens:
                expected.setdefault(token, [set(), set(), set()])[field].add(ids[c.slug])
    actual: dict[str, list[set[int]]] = {}
    for path, shard in files.items():
        if path.startswith("terms/"):
            for token, lists in shard.items():  # type: ignore[union-attr]
                assert si.shard_of(token, shape.shards) == int(path[6:-5])
                decoded = [set(ids) for ids in decode(lists)]
                actual[token] = decoded + [set()] * (3 - len(decoded))
    assert actual == expected


def test_tables_hold_every_published_case_once() -> None:
    model = load_site(FIXTURES / "full").model
    files = parsed(si.build_index(model))
    docs = [row for p, rows in files.items() if p.startswith("docs/") for row in rows]  # type: ignore[union-attr]
    meta = [row for p, rows in files.items() if p.startswith("meta/") for row in rows]  # type: ignore[union-attr]
    assert sorted(row[1] for row in docs) == sorted(c.slug for c in model.cases)
    assert "unpublished-draft" not in {row[1] for row in docs}
    assert sorted(row[0] for row in meta) == sorted(row[0] for row in docs)
    facets = files["facets.json"]
    countries = {slug: (fid, n) for fid, _label, slug, n in facets["countries"]}  # type: ignore[index]
    fid, n = countries["poland"]
    in_model = sum("Poland" in c.countries for c in model.cases)
    assert n == sum(fid in row[3:] for row in meta) == in_model == 2


# ---------------------------------------------------------------------- stability


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def test_index_is_deterministic() -> None:
    cases = [case(n) for n in range(300)]
    assert si.build_index(model_of(cases)) == si.build_index(model_of(list(reversed(cases))))


def test_editing_one_case_text_rewrites_only_the_shard_of_the_new_word() -> None:
    cases = [case(n) for n in range(1500)]
    before = si.build_index(model_of(cases))
    cases[700] = dataclasses.replace(cases[700], response=cases[700].response + " zebra")
    after = si.build_index(model_of(cases))
    shards = si.index_shape(1500).shards
    assert shards == 4
    assert changed(before, after) == {
        "manifest.json",
        f"terms/{si.shard_of('zebra', shards)}.json",
        "words/5.json",  # the typo-tolerance list of 5-letter stems
    }


def test_retitling_one_case_rewrites_its_display_chunk_and_token_shards_only() -> None:
    cases = [case(n) for n in range(1500)]
    before = si.build_index(model_of(cases))
    cases[42] = dataclasses.replace(cases[42], title="Giraffes were never real")
    after = si.build_index(model_of(cases))
    shape = si.index_shape(1500)
    case_id = si.stable_ids([c.slug for c in cases], shape.doc_space)["case-42"]
    old_tokens = si.tokenise(before_title := "Claim number 42 about topic5")
    assert before_title == case(42).title
    touched = {si.shard_of(t, shape.shards) for t in old_tokens + si.tokenise(cases[42].title)}
    expected = {"manifest.json", f"docs/{case_id // shape.docs_width}.json"}
    expected |= {f"terms/{k}.json" for k in touched}
    # the typo-tolerance lists of the stems that came or went
    expected |= {f"words/{len(t)}.json" for t in old_tokens + si.tokenise(cases[42].title)}
    assert changed(before, after) <= expected
    assert f"docs/{case_id // shape.docs_width}.json" in changed(before, after)


def test_adding_a_case_leaves_other_chunks_alone() -> None:
    cases = [case(n) for n in range(1500)]
    before = si.build_index(model_of(cases))
    after = si.build_index(model_of([*cases, case(5000)]))
    touched = changed(before, after)
    shape = si.index_shape(1501)
    case_id = si.stable_ids([f"case-{n}" for n in [*range(1500), 5000]], shape.doc_space)[
        "case-5000"
    ]
    assert {p for p in touched if p.startswith(("docs/", "meta/"))} <= {
        f"docs/{case_id // shape.docs_width}.json",
        f"meta/{case_id // shape.meta_width}.json",
    }
    # 256 display chunks and 4 shards: only a handful of files change.
    assert len(touched) <= 2 + 2 + shape.shards + 1 + 1  # + the word list of "unique5000"


WORDS = st.sampled_from(["zebra", "giraffe", "vaccine", "Kraków", "a", "the", "5g", "x1", "pie"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 39),
            st.sampled_from(["title", "claim", "summary", "response"]),
            st.lists(WORDS, max_size=4).map(" ".join),
        ),
        min_size=0,
        max_size=6,
    )
)
def test_patched_postings_equal_a_fresh_index(edits) -> None:
    """Edits to a few cases' texts: patching the previous state gives the same bytes (and
    the same state) as indexing from scratch."""
    cases = [case(n) for n in range(40)]
    _, state = si.index_files(model_of(cases))
    for n, field, words in edits:
        value = f"{getattr(cases[n], field) or ''} {words}".strip() or "x"
        cases[n] = dataclasses.replace(cases[n], **{field: value})
    model = model_of(cases)
    assert si.index_files(model, state) == si.index_files(model)
    assert si.index_files(model, si.decode_state(si.encode_state(state))) == si.index_files(model)


def test_a_state_for_other_cases_or_damaged_bytes_is_not_used() -> None:
    cases = [case(n) for n in range(40)]
    _, state = si.index_files(model_of(cases))
    fewer = model_of(cases[:-1])
    assert si.index_files(fewer, state) == si.index_files(fewer)
    assert si.decode_state(b"\xc1\xc1") is None
    broken = si.SearchState(state.shape, state.ids, {}, {"zebra": (b"\x01\x02\x03", b"", b"")})
    model = model_of(cases)
    assert si.index_files(model, broken)[0] == si.index_files(model)[0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 39),
            st.sampled_from(["summary", "response"]),
            st.text(alphabet="abcdéfghij \u2019-", max_size=30),
        ),
        min_size=0,
        max_size=6,
    )
)
def test_updated_index_equals_a_fresh_index(edits) -> None:
    """After edits of case text, `update_files` re-encodes some files and keeps the rest:
    together they are the fresh index, and its state is the fresh state, edit after edit.
    Cases without a claim show their Summary as the snippet."""
    cases = [case(n, claim=None) if n % 2 else case(n) for n in range(40)]
    files, state = si.index_files(model_of(cases))
    for n, field, words in edits:
        value = f"{getattr(cases[n], field)} {words}".strip() or "x"
        cases[n] = dataclasses.replace(cases[n], **{field: value})
        model = model_of(cases)
        updated = si.update_files(model, si.decode_state(si.encode_state(state)), {cases[n].slug})
        assert updated is not None
        fresh, fresh_state = si.index_files(model)
        written, kept, state = updated
        assert {f"search/{path}": data for path, data in fresh.items()} == {
            **{f"search/{path}": files[path] for path in (k[7:] for k in kept)},
            **written,
        }
        assert state == fresh_state
        files = fresh


def test_update_refuses_a_state_of_other_cases() -> None:
    cases = [case(n) for n in range(40)]
    _, state = si.index_files(model_of(cases))
    assert si.update_files(model_of(cases[:-1]), state, set()) is None
    no_files = msgspec.structs.replace(state, files={})
    assert si.update_files(model_of(cases), no_files, set()) is None
