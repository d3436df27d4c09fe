"""Rating scales: `[ratings]` in site.toml, a case's `rating`, and what ClaimReview says."""

import pytest

from site_builder.config import SiteConfig, parse_config
from site_builder.diagnostics import UserError
from site_builder.model import FrontMatter
from site_builder.placeholders import SKELETON_BODY
from site_builder.seo import claim_review
from site_builder.validate import validate_case

SCALE = """
[ratings]
scale = ["False", "Misleading", "Missing context", "True"]

[ratings.descriptions]
"False" = "The claim is wrong."
"Missing context" = "True facts, told so that they mislead."
"""
BODY = "## Summary\n\nThe claim.\n\n## Response\n\nThe answer.\n"


def case(config: SiteConfig, body: str = BODY, **data):
    data = {"title": "T", "date": "2024-03-01", **data}
    lines = {key: n for n, key in enumerate(data, start=2)}
    return validate_case(FrontMatter("content/cases/c.md", data, lines, body, 8), "c", config)


def errors_of(text: str) -> list[str]:
    with pytest.raises(UserError) as info:
        parse_config(text)
    return [f"{d.line}: {d.message} | {d.hint}" for d in info.value.diagnostics]


def test_scale_and_descriptions_are_parsed_in_scale_order():
    config = parse_config(SCALE)
    assert config.ratings.scale == ("False", "Misleading", "Missing context", "True")
    assert config.ratings.descriptions == (
        ("False", "The claim is wrong."),
        ("Missing context", "True facts, told so that they mislead."),
    )
    assert config.ratings.value("missing CONTEXT") == 3 and config.ratings.value("Fals") is None
    assert config.default_rating == ""  # with a scale, every case says where it stands


def test_default_rating_must_be_on_the_scale_with_a_guess():
    text = 'default_rating = "Misleadin"\n' + SCALE
    assert errors_of(text) == [
        "1: 'default_rating' 'Misleadin' (did you mean 'Misleading'?) is not on the rating "
        "scale | ratings.scale: False, Misleading, Missing context, True"
    ]
    assert parse_config('default_rating = "misleading"\n' + SCALE).default_rating == "Misleading"


def test_bad_scale_and_description_keys_are_reported_at_once():
    text = '[ratings]\nscale = ["True", "true"]\ncolour = 1\n[ratings.descriptions]\nFake = "x"\n'
    found = errors_of(text)
    assert any("unknown key 'ratings.colour'" in line for line in found)
    assert any("ratings listed twice" in line for line in found)
    assert len(found) == 2  # no scale, so descriptions are not checked against one


def test_rating_on_the_scale_takes_the_scale_spelling():
    found, diags = case(parse_config(SCALE), rating="missing context")
    assert diags == [] and found is not None and found.rating == "Missing context"


def test_rating_off_the_scale_is_an_error_with_did_you_mean():
    found, diags = case(parse_config(SCALE), rating="Fals")
    assert found is None
    (diag,) = diags
    assert (diag.line, diag.message) == (4, "rating 'Fals' is not on the site's rating scale")
    assert diag.hint == (
        "did you mean 'False'? the scale in site.toml: False, Misleading, Missing context, True"
    )


def test_missing_rating_with_a_scale_and_no_default_is_an_error():
    found, diags = case(parse_config(SCALE))
    assert found is None and diags[0].message == "missing 'rating'"


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        (False, "YAML reads False as a boolean", 'rating: "False"'),
        (True, "YAML reads True as a boolean", 'rating: "True"'),
        (3, "YAML reads 3 as a number", 'rating: "3"'),
    ],
)
def test_rating_yaml_reads_as_boolean_or_number_shows_the_quoted_form(value, message, hint):
    for config in (SiteConfig(), parse_config(SCALE)):
        found, diags = case(config, rating=value)
        assert found is None
        assert message in diags[0].message and diags[0].hint == f"put it in quotes: {hint}"


def test_claim_review_carries_the_position_on_the_scale():
    config = parse_config(SCALE)
    found, _ = case(config, rating="Misleading")
    assert claim_review(found, config)["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Misleading",
        "ratingValue": 2,
        "worstRating": 1,
        "bestRating": 4,
    }
    plain, _ = case(SiteConfig(), rating="Misleading")
    assert "ratingValue" not in claim_review(plain, SiteConfig())["reviewRating"]


def test_placeholder_text_is_flagged_on_published_cases_only():
    found, diags = case(SiteConfig(), SKELETON_BODY, claim="")
    assert found is not None
    assert [(d.line, d.rule) for d in diags] == [
        (4, "placeholder-text"),
        (10, "placeholder-text"),
        (14, "placeholder-text"),
    ]
    _, drafts = case(SiteConfig(), SKELETON_BODY, claim="", draft=True)
    assert drafts == []
