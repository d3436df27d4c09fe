"""The catalogue of rule ids: every warning that can be disabled carries one of these.

A rule id is a stable public name: writers put it in `lint_ignore`, sites in `[lint] disable`,
CI in `--format json`/`github` output. Keeping the catalogue in one immutable table, below every
stage, lets `config` and `validate` reject unknown ids and lets the README table be checked
against it, whichever stage emits the warning.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Stage = Literal["build", "check"]


@dataclass(frozen=True, slots=True)
class Rule:
    """`stage` says where the rule runs: "build" rules run in build, check and serve; "check"
    rules are the data-quality lint that only `site-builder check` runs."""

    id: str
    stage: Stage
    checks: str
    fix: str


RULES: tuple[Rule, ...] = (
    Rule(
        "unknown-key",
        "build",
        "a front matter key the contract does not know (often a typo such as `tgas:`)",
        "fix the spelling or remove the key",
    ),
    Rule(
        "stray-file",
        "build",
        "a file under `content/` that is not Markdown (`.md`); it is ignored",
        "rename it to `.md` or move it out of `content/`",
    ),
    Rule(
        "unsafe-link",
        "build",
        "a link with a `javascript:`, `vbscript:` or `data:` URL; it is removed from the page",
        "link to an http(s) page instead",
    ),
    Rule(
        "related-draft",
        "build",
        "`related` names a draft case; the link is hidden until the draft is published",
        "publish the draft or remove the link",
    ),
    Rule(
        "orphan-case",
        "build",
        "a case with no related case at all (computed by the related-cases graph)",
        "add tags shared with similar cases, or a `related:` link",
    ),
    Rule(
        "near-duplicate-case",
        "build",
        "two cases whose text is nearly the same (computed by the related-cases graph)",
        "merge them (keep one, add the other's URL to its `aliases`) or make them distinct",
    ),
    Rule(
        "placeholder-text",
        "build",
        "a published case that still holds the text `site-builder new` wrote, or an empty `claim`",
        "write the Summary, Response and claim, or keep the case `draft: true`",
    ),
    Rule(
        "base-url-unset",
        "build",
        "`base_url` is the default (`http://localhost/`) or an example host, so canonical "
        "links, feeds, the sitemap and ClaimReview would point there",
        "set `base_url` in site.toml to the published address (or `build --base-url URL` for "
        "a preview)",
    ),
    Rule(
        "outlet-no-archive",
        "check",
        "an outlet without an `archived` copy; the original may disappear",
        "save the page in a web archive and add `archived: <url>`",
    ),
    Rule(
        "missing-required-term",
        "check",
        "a case with no term in a taxonomy listed in `[lint] required_taxonomies`",
        "add at least one term, e.g. `countries: [Germany]`",
    ),
    Rule(
        "term-spelling",
        "check",
        "a term written differently from the same term elsewhere (case, accents, punctuation)",
        "use the spelling the message names, so the term page shows one label",
    ),
    Rule(
        "near-duplicate-term",
        "check",
        "a term one or two letters away from a more used term in the same taxonomy "
        "(`Ukrainee` / `Ukraine`)",
        "use the existing term, or ignore the rule in this file if both are meant",
    ),
    Rule(
        "future-date",
        "check",
        "`date` or `updated` after today",
        "correct the date; to schedule a case, keep it `draft: true` until the day",
    ),
    Rule(
        "duplicate-title",
        "check",
        "two or more cases with the same title (ignoring case and spacing)",
        "make the titles say how the cases differ, or merge the cases",
    ),
    Rule(
        "claim-too-long",
        "check",
        "a `claim` longer than `[lint] max_claim_length` characters (default 140)",
        "shorten the claim to one plain sentence; details belong in the Summary",
    ),
    Rule(
        "broken-link",
        "check",
        "a link in a body to a case, term page or taxonomy index that does not exist, "
        "or to a draft case",
        "fix the slug (the file name of the case) or the term, or remove the link",
    ),
)

RULE_IDS: frozenset[str] = frozenset(rule.id for rule in RULES)


def rule(rule_id: str) -> Rule:
    """The catalogue entry for `rule_id`; raises KeyError for ids not in the catalogue."""
    for entry in RULES:
        if entry.id == rule_id:
            return entry
    raise KeyError(rule_id)


def unknown_rule_hint(name: str) -> str:
    """'did you mean ...?' for a near miss, else the whole list, for unknown-id diagnostics."""
    close = difflib.get_close_matches(name, sorted(RULE_IDS), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"rule ids: {', '.join(sorted(RULE_IDS))}"
