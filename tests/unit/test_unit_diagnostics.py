"""Unit tests for site_builder.diagnostics."""

from site_builder.diagnostics import (
    Diagnostic,
    UserError,
    error,
    has_errors,
    sorted_diagnostics,
    summary,
    warning,
)


def test_format_with_line():
    assert error("a.md", 3, "bad").format() == "a.md:3: error: bad"


def test_format_without_line_omits_colon_number():
    assert error("a.md", None, "bad").format() == "a.md: error: bad"


def test_format_hint_on_indented_second_line():
    text = error("a.md", 1, "bad", hint="fix it").format()
    assert text.splitlines() == ["a.md:1: error: bad", "    hint: fix it"]


def test_format_rule_in_label():
    assert warning("a.md", 2, "odd", rule="unknown-key").format() == (
        "a.md:2: warning[unknown-key]: odd"
    )


def test_summary_counts_and_plurals():
    diags = [error("a.md", 1, "x"), warning("a.md", 2, "y"), warning("b.md", 1, "z")]
    assert summary(diags) == "1 error, 2 warnings in 2 files"
    assert summary([error("a.md", 1, "x")]) == "1 error, 0 warnings in 1 file"


def test_summary_no_problems():
    assert summary([]) == "no problems"


def test_sorting_by_path_then_line_and_dedup():
    diags = [
        error("b.md", 1, "b1"),
        error("a.md", 10, "a10"),
        error("a.md", None, "a-none"),
        error("a.md", 2, "a2"),
        error("a.md", 2, "a2"),
    ]
    ordered = [d.message for d in sorted_diagnostics(diags)]
    assert ordered == ["a-none", "a2", "a10", "b1"]


def test_has_errors_and_is_error():
    assert not has_errors([warning("a.md", 1, "w")])
    assert has_errors([warning("a.md", 1, "w"), error("a.md", 1, "e")])
    assert Diagnostic("a.md", 1, "error", "m").is_error


def test_user_error_keeps_all_diagnostics_in_message():
    exc = UserError([error("a", 1, "one"), error("b", 2, "two")])
    assert len(exc.diagnostics) == 2
    assert str(exc) == "a:1: error: one\nb:2: error: two"
