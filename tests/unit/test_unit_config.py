"""Unit tests for site_builder.config.parse_config."""

import pytest

from site_builder.config import RelatedConfig, SiteConfig, parse_config
from site_builder.diagnostics import UserError


def problems(text: str):
    with pytest.raises(UserError) as info:
        parse_config(text)
    return info.value.diagnostics


def test_empty_text_gives_defaults():
    config = parse_config("")
    assert config == SiteConfig()
    assert config.related == RelatedConfig()
    assert config.base_url == "http://localhost/"
    assert config.per_page == 20 and config.allow_html is False


def test_values_are_parsed():
    config = parse_config(
        'title = "  My Site "\nper_page = 5\n[related]\nlimit = 3\nmin_score = 2\n'
    )
    assert config.title == "My Site"
    assert config.per_page == 5
    assert config.related.limit == 3
    assert config.related.min_score == 2.0 and isinstance(config.related.min_score, float)


def test_every_bad_key_reported_at_once_with_lines():
    diags = problems('title = "x"\ntitel = "typo"\nper_page = "ten"\n')
    assert len(diags) == 2
    by_line = {d.line: d.message for d in diags}
    assert set(by_line) == {2, 3}
    assert "unknown key 'titel'" in by_line[2]
    assert "per_page" in by_line[3] and "positive integer" in by_line[3]
    assert all(d.path == "site.toml" and d.is_error for d in diags)


def test_base_url_gets_trailing_slash():
    assert parse_config('base_url = "https://example.org"').base_url == "https://example.org/"


def test_base_path_for_sub_path_url():
    config = parse_config('base_url = "https://example.org/debunks"')
    assert config.base_url == "https://example.org/debunks/"
    assert config.base_path == "/debunks/"
    assert parse_config('base_url = "https://example.org"').base_path == "/"


@pytest.mark.parametrize("url", ["example.org", "ftp://example.org/", "https://", 5])
def test_bad_base_url(url):
    value = f'"{url}"' if isinstance(url, str) else url
    (diag,) = problems(f"base_url = {value}\n")
    assert diag.line == 1 and "http(s) URL" in diag.message


def test_bool_is_not_an_int():
    (diag,) = problems("per_page = true\n")
    assert "per_page" in diag.message


def test_related_must_be_a_table():
    (diag,) = problems("related = 3\n")
    assert diag.line == 1 and "'related' must be a table" in diag.message


def test_related_table_keys_validated_with_lines():
    diags = problems('title = "x"\n\n[related]\nlimit = 0\nbogus = 1\nweight_tags = -1\n')
    by_line = {d.line: d.message for d in diags}
    assert set(by_line) == {4, 5, 6}
    assert "'related.limit'" in by_line[4]
    assert "unknown key 'related.bogus'" in by_line[5]
    assert "'related.weight_tags'" in by_line[6]


def test_invalid_toml_is_reported():
    (diag,) = problems('title = "x"\n\nper_page = = 3\n')
    assert diag.message.startswith("invalid TOML")


def test_invalid_toml_has_line():
    (diag,) = problems('title = "x"\n\nper_page = = 3\n')
    assert diag.line == 3


def test_related_wording_and_date_keys():
    config = parse_config(
        "[related]\nweight_text = 3\nweight_date = 0\ndate_half_life = 60\nkeywords = 8\n"
        "max_word_share = 0.5\nnear_duplicate = 0.95\n"
    )
    related = config.related
    assert (related.weight_text, related.weight_date, related.date_half_life) == (3.0, 0.0, 60)
    assert (related.keywords, related.max_word_share, related.near_duplicate) == (8, 0.5, 0.95)
    diags = problems("[related]\ndate_half_life = 0\nkeywords = 2.5\nweight_text = -1\n")
    assert [d.line for d in diags] == [2, 3, 4]


def test_related_text_terms_and_language_from_the_site():
    config = parse_config('language = "de"\n[related]\ntext_terms = 40\n')
    assert (config.related.text_terms, config.related.language) == (40, "de")
    assert parse_config("").related.language == "en"
    (diag,) = problems("[related]\ntext_terms = 0\n")
    assert "'related.text_terms': expected a positive integer" in diag.message
    (diag,) = problems('[related]\nlanguage = "de"\n')
    assert "unknown key 'related.language'" in diag.message
