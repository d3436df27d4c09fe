"""Unit tests for site_builder.frontmatter.parse."""

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.frontmatter import parse
from site_builder.model import SourceFile
from site_builder.yaml_front import _Loader


def run(text: str):
    return parse(SourceFile("content/cases/x.md", text, "digest"))


GOOD = """---
title: A claim
date: 2024-01-02
related:
  - first-case
  - second-case
---
## Summary
"""


def test_good_file_parses():
    fm, diags = run(GOOD)
    assert diags == []
    assert fm is not None
    assert fm.path == "content/cases/x.md"
    assert fm.data["title"] == "A claim"
    assert fm.data["related"] == ["first-case", "second-case"]
    assert fm.body == "## Summary\n"
    assert fm.body_line == 8


def test_dates_stay_strings():
    fm, _ = run(GOOD)
    assert fm.data["date"] == "2024-01-02"
    assert type(fm.data["date"]) is str
    fm, _ = run("---\nwhen: 2024-01-02T10:00:00Z\n---\n")
    assert type(fm.data["when"]) is str


def test_key_lines_are_file_lines():
    fm, _ = run(GOOD)
    assert fm.key_lines["title"] == 2
    assert fm.key_lines["date"] == 3
    assert fm.key_lines["related"] == 4
    assert fm.key_lines["related[0]"] == 5
    assert fm.key_lines["related[1]"] == 6


def test_key_lines_after_blank_and_comment_lines():
    fm, _ = run("---\n# a comment\n\ntitle: x\ntags: [a,\n  b]\n---\nbody\n")
    assert fm.key_lines == {"title": 4, "tags": 5, "tags[0]": 5, "tags[1]": 6}
    assert fm.body_line == 8


def test_python_tag_rejected_and_not_executed(monkeypatch):
    import os

    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    fm, diags = run('---\ntitle: x\nboom: !!python/object/apply:os.system ["echo hi"]\n---\n')
    assert fm is None and calls == []
    (diag,) = diags
    assert diag.is_error
    assert "python/object/apply:os.system" in diag.message
    assert "tag not allowed" in diag.message


def test_python_tag_error_line():
    _, diags = run('---\ntitle: x\nboom: !!python/object/apply:os.system ["echo hi"]\n---\n')
    assert diags[0].line == 3


def test_malformed_yaml_is_an_error():
    fm, diags = run("---\ntitle: x\n  bad: y\n---\n")
    assert fm is None
    assert len(diags) == 1 and diags[0].message.startswith("invalid YAML")


def test_malformed_yaml_line():
    # '  bad: y' on file line 3 is where PyYAML reports 'mapping values are not allowed'.
    _, diags = run("---\ntitle: x\n  bad: y\n---\n")
    assert diags[0].line == 3


def test_unclosed_flow_list_reported_where_it_opens():
    _, diags = run("---\ntitle: x\ntags: [a, b\ndate: 2024-01-01\n---\n")
    assert diags[0].line == 3


def test_list_front_matter_is_an_error():
    fm, diags = run("---\n- a\n- b\n---\nbody\n")
    assert fm is None
    assert "not a mapping" in diags[0].message


def test_blank_front_matter_is_an_error():
    fm, diags = run("---\n\n---\nbody\n")
    assert fm is None and "empty" in diags[0].message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "file is empty"),
        ("   \n\n", "file is empty"),
        ("title: x\n---\n", "missing front matter"),
        ("\n---\ntitle: x\n---\n", "missing front matter"),
        ("---\ntitle: x\nbody\n", "not closed"),
    ],
)
def test_fence_errors(text, needle):
    fm, diags = run(text)
    assert fm is None
    (diag,) = diags
    assert diag.line == 1 and needle in diag.message and diag.is_error


def test_duplicate_keys_error():
    fm, diags = run("---\ntitle: x\ndate: 2024-01-01\ntitle: y\n---\n")
    assert fm is None
    (diag,) = diags
    assert "duplicate key 'title'" in diag.message


def test_duplicate_key_lines():
    _, diags = run("---\ntitle: x\ndate: 2024-01-01\ntitle: y\n---\n")
    assert diags[0].line == 4
    assert "first on line 2" in diags[0].message


YAML_LINES = st.sampled_from(
    [
        "title: A claim", "date: 2024-01-02", "draft: true", "draft: no", "menu: 3", "menu: 0x1F",
        "menu: 1_000", "ratio: 1.5e3", "none: ~", "empty:", "tags: [a, b, 'c']", "tags: []",
        "tags:", "  - one", "  - 2", "  - name: Outlet", "    url: https://e.org", "outlets:",
        "base: &b {name: X}", "copy: *b", "<<: *b", "<<: {k: v}", "=: eq", "1: int key",
        "? [a]", ": x", "year: !!str 2024", "bad: !custom x", "set: !!set {a, b}",
        "pairs: !!omap [a: 1]", "bin: !!binary aGk=", "nested: [[1, [2, [3]]]]", "dup: 1", "dup: 2",
        "self: &s [*s]", "str: !!str", "long: 'a''b'", 'quoted: "x\\ty"', "# comment", "",
    ]
)  # fmt: skip


def _reference(text: str):
    """PyYAML's own constructor on the same loader: what the fast path must reproduce."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return loader.construct_document(node) if isinstance(node, yaml.MappingNode) else None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        return type(exc)
    finally:
        loader.dispose()


@settings(max_examples=1500)
@given(st.lists(YAML_LINES, max_size=8))
def test_fast_construction_equals_pyyaml(lines):
    """Plain front matter is built without PyYAML's constructor; the values must not change."""
    text = "\n".join(lines)
    front, problems = run(f"---\n{text}\n---\nBody\n")
    expected = _reference(text + "\n")
    if front is not None:
        # repr: compares types too (1 vs '1', True vs 'true') and survives recursive aliases
        assert repr(front.data) == repr(expected) and type(front.data) is dict
    elif isinstance(expected, type):
        assert problems


# Values near the edges of the line reader's grammar (`frontmatter._lines_front`): words YAML
# reads as booleans, null or numbers, colons, hashes, quotes, escapes, odd spaces.
_VALUE = st.one_of(
    st.sampled_from(
        [
            "yes",
            "No",
            "ON",
            "null",
            "~",
            "1",
            "012",
            "1.5",
            "1_000",
            "0x1F",
            "1:30",
            ".inf",
            "2024-01-02",
            "2024-1-2",
            "true",
            "True",
            "false",
            "x: y",
            "a:b",
            "a #b",
            "a#b",
            "it's",
            "'q'",
            '"q"',
            '"a\\"b"',
            '"tab\\t"',
            '"a, b"',
            "",
            " ",
            "-",
            "- x",
            "&a x",
            "*a",
            "!!str x",
            "?",
            "Kraków",
            "15-minute cities",
            "https://a.example/x-1",
            "a  b",
            "a ",
            "[x]",
            "{x}",
            "a, b",
            "%x",
            "@x",
        ]
    ),
    st.from_regex(r'"[ -~\u00e9\u2028]{0,6}"', fullmatch=True),
    st.from_regex(r"[A-Za-z\u00e9][A-Za-z0-9 .,:#'()/_-]{0,10}", fullmatch=True),
)
_FLOW = st.lists(_VALUE, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
_FRONT_LINE = st.one_of(
    st.builds("{}: {}".format, st.sampled_from(["title", "claim", "tags", "x", "title", "on", "No", "null", "y"]), st.one_of(_VALUE, _FLOW)),
    st.builds("  - {}: {}".format, st.sampled_from(["name", "url", "yes"]), _VALUE),
    st.builds("    {}: {}".format, st.sampled_from(["url", "archived", "name", "off"]), _VALUE),
    st.sampled_from(["outlets:", "tags:", "", "# comment", "  - plain", "title:", " x: y", "tags: [ a ]"]),
)  # fmt: skip


_ENTRY = st.one_of(
    st.builds("{}: {}".format, st.just("@KEY@"), st.one_of(_VALUE, _FLOW)),
    st.lists(
        st.lists(st.builds("{}: {}".format, st.sampled_from(["name", "url", "archived"]), _VALUE),
                 min_size=1, max_size=3, unique_by=lambda line: line.split(":")[0]),
        min_size=1, max_size=2,
    ).map(lambda items: "@KEY@:\n" + "\n".join(
        "\n".join(("  - " if i == 0 else "    ") + line for i, line in enumerate(item))
        for item in items)),
)  # fmt: skip
# Whole documents of well-formed entries with distinct keys: most take the line reader.
_DOCUMENT = st.lists(_ENTRY, min_size=1, max_size=6).map(
    lambda entries: [e.replace("@KEY@", f"k{i}") for i, e in enumerate(entries)]
)


@settings(max_examples=3000)
@given(st.one_of(st.lists(_FRONT_LINE, min_size=1, max_size=8), _DOCUMENT))
def test_line_reader_gives_exactly_what_pyyaml_gives(lines):
    """Where the line reader answers, its values, key lines and everything else equal the
    YAML path's; where it does not, PyYAML reads the file as before."""
    from unittest import mock

    from site_builder import frontmatter

    text = "---\n" + "\n".join(lines) + "\n---\nBody\n"
    fast = run(text)
    with mock.patch.object(frontmatter, "_lines_front", lambda yaml_text: None):
        slow = run(text)
    assert repr(fast) == repr(slow)


def test_line_reader_takes_common_front_matter():
    from site_builder.frontmatter import _lines_front

    read = _lines_front(
        '\ntitle: "A claim"\ndate: 2024-01-02\ntags: [EU, "grain, wheat", Kraków]\n'
        "outlets:\n  - name: Lepa TV\n    url: https://lepa.example/a-1\ndraft: true\nmenu: 2\n"
    )
    assert read is not None
    data, lines = read
    assert data["tags"] == ["EU", "grain, wheat", "Kraków"] and data["draft"] is True
    assert data["outlets"] == [{"name": "Lepa TV", "url": "https://lepa.example/a-1"}]
    assert lines["outlets[0]"] == 6 and lines["menu"] == 9 and data["menu"] == 2
    for tricky in ("\nx: yes\n", "\nx: 012\n", "\nx: [a, on]\n", "\nx: 'q'\n", "\n# c\nx: y\n"):
        assert _lines_front(tricky) is None, tricky


def _bomb(levels: int) -> str:
    """The "billion laughs": each level lists the previous one ten times."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\ntags: *a{levels - 1}\n"


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        (_bomb(9), 4, "YAML alias '*a0' is not allowed in front matter"),
        ("base: &b {name: X}\n<<: *b\n", 4, "YAML alias '*b' is not allowed"),
        ("x: " + "[" * 900 + "]" * 900 + "\n", 3, "more than 20 deep"),
        ("x:\n" + "".join("  " * i + "-\n" for i in range(30)), 23, "more than 20 deep"),
        ("".join(f"k{i}: {i}\n" for i in range(20_000)), 5001, "more than 10000 values"),
        ("tags: [" + ", ".join(["'a'"] * 20_000) + "]\n", 3, "more than 10000 values"),
        ("tags:\n" + "- a\n" * 20_000, 9_999, "more than 10000 values"),
        ("k" * 100 + ": 1\n", 3, "front matter key of 100 characters; the limit is 64"),
        ("? '" + "k" * 100_000 + "'\n: 1\n", 3, "key of 100000 characters"),
    ],
    ids=["bomb", "merge-alias", "deep-flow", "deep-block", "many-keys", "many-items",
         "many-block-items", "long-key", "huge-key"],
)  # fmt: skip
def test_hostile_front_matter_is_refused_with_its_line(yaml_text, line, message):
    """Every shape costs milliseconds and a few MB; before the limits the bomb took >60 s."""
    fm, diags = run("---\ntitle: t\n" + yaml_text + "---\n## Summary\n")
    assert fm is None
    (diag,) = diags
    assert diag.is_error and diag.line == line and message in diag.message


def test_guarded_composer_builds_what_the_c_composer_builds():
    """Long front matter takes the guarded path; its values are those of the C composer."""
    lines = [f"k{i}: [a, 'b', {{c: {i}}}, 2024-01-01, yes]" for i in range(900)]
    text = "---\n" + "\n".join(lines) + "\n---\n"
    fm, diags = run(text)
    assert diags == [] and fm is not None
    assert fm.data == _reference("\n".join(lines) + "\n")
    assert fm.key_lines["k899"] == 901


@settings(max_examples=300)
@given(st.lists(YAML_LINES, max_size=8))
def test_guarded_composer_equals_the_c_composer(lines):
    """The same text through both loaders gives the same values or fails on both."""
    from site_builder import yaml_front

    text = "\n".join(lines) + "\n"
    if "*" in text:
        return  # aliases: refused by the guarded loader alone (tested above)
    loaders = (yaml_front._Loader(text), yaml_front._GuardedLoader(text))
    results = []
    for loader in loaders:
        try:
            node = loader.get_single_node()
            results.append(repr(loader.construct_document(node)) if node else None)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            results.append(type(exc).__name__)
        finally:
            loader.dispose()
    assert results[0] == results[1]
