"""Bounded cost per file: each hostile shape beside good files is an error with `path:line`
(or, raised in `[limits]`, builds without the square growth), through the console script."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from reliability import build, check, good_site, snapshot

BODY = "\n## Summary\n\nThe claim.\n\n## Response\n\nThe refutation.\n"


def _case(site: Path, name: str, front: str, body: str = BODY) -> None:
    text = f"---\ntitle: Hostile {name}\ndate: 2024-02-01\n{front}---\n{body}"
    (site / "content/cases" / f"{name}.md").write_text(text, encoding="utf-8")


def _errors(done) -> list[str]:  # type: ignore[no-untyped-def]
    return [line for line in done.stderr.splitlines() if ": error: " in line]


def _built(tmp_path: Path, config: str = "") -> tuple[Path, dict[str, bytes]]:
    site = good_site(tmp_path)
    (site / "site.toml").write_text(config, encoding="utf-8")
    assert build(site).returncode == 0
    return site, snapshot(site / "output")


def _refused(site: Path, before: dict[str, bytes], expected: list[str]) -> None:
    for done in (build(site), check(site)):
        assert done.returncode == 1, done.stderr
        assert _errors(done) == expected, done.stderr
    assert snapshot(site / "output") == before


def test_too_many_terms_is_an_error_at_the_key(tmp_path):
    site, before = _built(tmp_path, "")
    # Within the front matter bound of 10,000 values, which refuses more before counting.
    tags = ", ".join(f"tag{n}" for n in range(5_000))
    _case(site, "many-tags", f"topics: [a]\ntags: [{tags}]\n")
    outlets = "".join(f"  - name: Outlet {n}\n    url: https://o{n}.example/\n" for n in range(201))
    _case(site, "many-outlets", f"outlets:\n{outlets}")
    _refused(
        site,
        before,
        [
            "content/cases/many-outlets.md:4: error: 'outlets' has 201 distinct values; the "
            "limit is 200 per taxonomy",
            "content/cases/many-tags.md:4: error: the case has 5001 terms in all taxonomies; "
            "the limit is 300",
            "content/cases/many-tags.md:5: error: 'tags' has 5000 distinct values; the limit "
            "is 200 per taxonomy",
        ],
    )


def test_duplicates_do_not_count_and_cards_show_a_few_terms(tmp_path):
    site = good_site(tmp_path)
    (site / "site.toml").write_text("max_file_bytes = 2000000\n", encoding="utf-8")
    tags = ", ".join(f"tag{n % 150}" for n in range(9_000))  # under the 10,000-value bound
    topics = ", ".join(f"topic {n}" for n in range(7))
    _case(site, "busy-case", f"tags: [{tags}]\ntopics: [{topics}]\n")
    done = build(site)
    assert done.returncode == 0, done.stderr
    page = BeautifulSoup((site / "output/tags/tag42/index.html").read_bytes(), "html.parser")
    meta = page.select_one(".case-card .meta")
    assert meta is not None
    assert [t.get_text() for t in meta.select(".topic")] == ["topic 0", "topic 1", "topic 2"]
    assert meta.select_one(".topic-more").get_text() == "+4 more"
    case = BeautifulSoup((site / "output/cases/busy-case/index.html").read_bytes(), "html.parser")
    assert len(case.select('a[href*="tags/tag"]')) == 150  # the case page lists them all


def test_terms_limit_is_configurable(tmp_path):
    site = good_site(tmp_path)
    (site / "site.toml").write_text("[limits]\nterms = 300\n", encoding="utf-8")
    tags = ", ".join(f"tag{n}" for n in range(250))
    _case(site, "many-tags", f"tags: [{tags}]\n")
    done = build(site)
    assert done.returncode == 0, done.stderr
    feed = (site / "output/tags/tag7/feed.xml").read_text(encoding="utf-8")
    assert feed.count('<category term="tag') == 10  # a few per taxonomy, not all 250


def test_oversized_title_and_claim_are_errors(tmp_path):
    site, before = _built(tmp_path, "max_file_bytes = 2000000\n")
    (site / "content/cases/huge-title.md").write_text(
        f"---\ntitle: {'T' * 1_000_000}\ndate: 2024-02-01\n---\n{BODY}", encoding="utf-8"
    )
    _case(site, "long-claim", f"claim: {'c' * 1001}\n")
    _refused(
        site,
        before,
        [
            "content/cases/huge-title.md:2: error: 'title' is 1000000 characters long; the "
            "limit is 500",
            "content/cases/long-claim.md:4: error: 'claim' is 1001 characters long; the limit "
            "is 1000",
        ],
    )


def test_too_many_aliases_is_an_error_and_the_limit_is_configurable(tmp_path):
    """Each alias is a redirect page: 9,000 of them made 76 MB of output from one file."""
    site, before = _built(tmp_path, "")
    aliases = ", ".join(f"/old/{n}/" for n in range(51))
    _case(site, "many-aliases", f"aliases: [{aliases}]\n")
    _refused(
        site,
        before,
        ["content/cases/many-aliases.md:4: error: 'aliases' has 51 entries; the limit is 50"],
    )
    (site / "site.toml").write_text("[limits]\naliases = 60\n", encoding="utf-8")
    assert build(site).returncode == 0
    assert (site / "output/old/50/index.html").is_file()


def test_pathological_emphasis_is_refused_with_its_line(tmp_path):
    site, before = _built(tmp_path, "max_file_bytes = 2000000\n")
    body = "\n## Summary\n\n" + "*a* " * 250_000 + "\n\n## Response\n\nNo.\n"
    _case(site, "emphasis-bomb", "", body)
    _refused(
        site,
        before,
        [
            "content/cases/emphasis-bomb.md:8: error: the body has 500012 Markdown markup "
            "characters (*_[]!|<>&`\\~#) and line breaks; the limit is 10000, passed on this line"
        ],
    )


def test_default_file_size_limit_refuses_a_megabyte(tmp_path):
    site, before = _built(tmp_path, "")
    _case(
        site,
        "emphasis-bomb",
        "",
        "\n## Summary\n\n" + "*a* " * 250_000 + "\n\n## Response\n\nNo.\n",
    )
    _refused(
        site,
        before,
        [
            "content/cases/emphasis-bomb.md: error: file is 1000086 bytes; the limit is 256000 "
            "(max_file_bytes in site.toml)"
        ],
    )


def test_nul_character_is_an_error_with_its_line(tmp_path):
    site, before = _built(tmp_path, "")
    _case(site, "nul-front", "claim: a\0b\n")
    _case(site, "nul-body", "", BODY.replace("The claim.", "The\0claim."))
    _refused(
        site,
        before,
        [
            "content/cases/nul-body.md:8: error: NUL character (\\0) at column 4",
            "content/cases/nul-front.md:4: error: NUL character (\\0) at column 9",
        ],
    )


def test_language_and_base_url_are_validated(tmp_path):
    site = good_site(tmp_path)
    (site / "site.toml").write_text(
        'language = "../../etc"\nbase_url = "https://example.org/fact checks/"\n',
        encoding="utf-8",
    )
    for done in (build(site), check(site)):
        assert done.returncode == 2
        assert _errors(done) == [
            "site.toml:1: error: 'language': expected a BCP 47 language tag such as 'en' or "
            "'pt-BR', got '../../etc'",
            "site.toml:2: error: 'base_url': expected an http(s) URL such as "
            "'https://example.org/', got 'https://example.org/fact checks/': ' ' is not allowed "
            "in a URL (percent-encode it)",
        ], done.stderr
    (site / "site.toml").write_text('language = "sr-Latn-RS"\n', encoding="utf-8")
    assert build(site).returncode == 0
    assert '<html lang="sr-Latn-RS"' in (site / "output/index.html").read_text("utf-8")
