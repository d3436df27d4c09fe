"""Unit tests for site_builder.scaffold.new_case."""

import datetime as dt

import pytest

from site_builder.config import SiteConfig
from site_builder.diagnostics import UserError
from site_builder.frontmatter import parse
from site_builder.model import SourceFile
from site_builder.scaffold import new_case
from site_builder.validate import validate_case

TODAY = dt.date(2024, 1, 2)
TITLE = "Vaccines rewrite DNA!"
REL = "content/cases/vaccines-rewrite-dna.md"


def test_writes_file_with_slug_name(tmp_path):
    path = new_case(tmp_path, TITLE, tags=("x",), today=TODAY)
    assert path == tmp_path / REL and path.is_file()
    fm, diags = parse(SourceFile(REL, path.read_text(encoding="utf-8"), ""))
    assert diags == []
    assert fm.data["title"] == TITLE
    assert fm.data["date"] == "2024-01-02"
    assert fm.data["tags"] == ["x"]


def test_skeleton_validates_cleanly(tmp_path):
    path = new_case(tmp_path, TITLE, tags=("x",), today=TODAY)
    fm, _ = parse(SourceFile(REL, path.read_text(encoding="utf-8"), ""))
    case, diags = validate_case(fm, "vaccines-rewrite-dna", SiteConfig())
    assert diags == []
    assert case is not None and case.date == TODAY and case.tags == ("x",)


def test_second_call_does_not_overwrite(tmp_path):
    path = new_case(tmp_path, TITLE, today=TODAY)
    path.write_text("edited by hand\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        new_case(tmp_path, TITLE, today=dt.date(2025, 5, 5))
    (diag,) = info.value.diagnostics
    assert diag.path == REL and "already exists" in diag.message
    assert path.read_text(encoding="utf-8") == "edited by hand\n"


def test_existing_case_in_sub_folder_blocks(tmp_path):
    nested = tmp_path / "content/cases/2023/vaccines-rewrite-dna.md"
    nested.parent.mkdir(parents=True)
    nested.write_text("old\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        new_case(tmp_path, TITLE, today=TODAY)
    assert info.value.diagnostics[0].path == "content/cases/2023/vaccines-rewrite-dna.md"
    assert not (tmp_path / REL).exists()
    assert nested.read_text(encoding="utf-8") == "old\n"


def test_title_without_letters_is_rejected(tmp_path):
    with pytest.raises(UserError, match="cannot make a file name"):
        new_case(tmp_path, "!!!", today=TODAY)
    assert not (tmp_path / "content").exists()


def test_with_a_rating_scale_the_case_starts_rated_and_lists_the_scale(tmp_path):
    from site_builder.config import parse_config

    config = parse_config('[ratings]\nscale = ["False", "Misleading", "True"]\n')
    path = new_case(tmp_path, TITLE, today=TODAY, ratings=config.ratings)
    text = path.read_text(encoding="utf-8")
    assert "\nrating: 'False'  # one of: False, Misleading, True\n" in text
    fm, _ = parse(SourceFile(REL, text, ""))
    case, diags = validate_case(fm, "vaccines-rewrite-dna", config)
    assert diags == [] and case is not None and case.rating == "False" and case.draft
