"""One body, one document: references, footnotes and heading ids across Summary and Response."""

from __future__ import annotations

import re
from pathlib import Path

from site_builder.case_body import render_body
from site_builder.heading_ids import TEMPLATE_IDS
from site_builder.markdown import render

TEMPLATES = Path(__file__).parents[2] / "templates"


def body(summary: str, response: str, allow_html: bool = False):
    return render_body(summary, response, link_prefix="../../", allow_html=allow_html)


def test_reference_defined_in_response_resolves_in_summary():
    out = body("The claim cites a [report].", "It does not say so.\n\n[report]: https://e.org/r")
    assert '<a href="https://e.org/r">report</a>' in out.summary_html
    assert "[report]" not in out.summary_html
    assert out.link_lines == (("https://e.org/r", 1, 2),)  # where the URL is written


def test_footnote_in_summary_is_listed_once_after_the_response():
    out = body("Spread on TV[^tv].", "False.\n\n[^tv]: Channel 1, 2024-03-01.")
    assert '<a href="#fn1" id="fnref1">[1]</a>' in out.summary_html
    assert "footnotes" not in out.summary_html
    assert out.response_html.count('<section class="footnotes">') == 1
    assert '<li id="fn1" class="footnote-item"><p>Channel 1' in out.response_html


def test_heading_ids_are_unique_across_both_parts():
    out = body("Claim.\n\n## Sources\n\nA.", "Reply.\n\n## Sources\n\nB.\n\n### Sources")
    ids = re.findall(r'id="([^"]+)"', out.summary_html + out.response_html)
    assert ids == ["sources", "sources-1", "sources-2"]


def test_heading_never_takes_a_template_id_and_its_links_follow():
    out = body("## Main\n\nSee [below](#summary-heading).", "## Summary heading\n\n[Up](#main)")
    assert '<h2 id="main-1">Main</h2>' in out.summary_html
    assert '<h2 id="summary-heading-1">' in out.response_html
    assert 'href="#summary-heading-1"' in out.summary_html
    assert 'href="#main-1"' in out.response_html


def test_a_heading_of_punctuation_gets_a_valid_id():
    assert '<h2 id="section">' in render("## !!!\n\ntext").html


def test_plain_parts_take_the_fast_path_and_read_the_same():
    out = body("Plain words and [a link](/cases/x/).", "More *words*.")
    assert out.summary_html == '<p>Plain words and <a href="../../cases/x/">a link</a>.</p>\n'
    assert out.response_html == "<p>More <em>words</em>.</p>\n"
    assert out.link_lines == (("/cases/x/", 0, 0),)


def test_summary_blocks_close_before_the_response():
    """Each part reads as it would alone: a list, a quote and code end at the Response."""
    summary = "- one\n- two\n\n> quoted\n\n    code\n\n```\nfenced\n```"
    out = body(summary, "Reply with [ref].\n\n[ref]: /cases/y/")
    assert out.summary_html == render(summary).html
    assert out.response_html == '<p>Reply with <a href="../../cases/y/">ref</a>.</p>\n'


def test_raw_html_parts_are_sanitised_and_prefixed():
    out = body('<a href="/cases/x/" onclick="x()">x</a>[^1]', "No.\n\n[^1]: n", allow_html=True)
    assert (
        '<a href="../../cases/x/">x</a>' in out.summary_html and "onclick" not in out.summary_html
    )
    assert '<section class="footnotes">' in out.response_html


def test_every_template_id_is_reserved():
    """A new id in a template must join TEMPLATE_IDS, or a body heading could take it."""
    found = set()
    for template in TEMPLATES.glob("*.html"):
        found |= set(re.findall(r'\bid="([A-Za-z][\w-]*)"', template.read_text("utf-8")))
    assert found and found <= TEMPLATE_IDS, found - TEMPLATE_IDS
