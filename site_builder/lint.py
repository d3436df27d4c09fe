"""Data-quality rules for `site-builder check`, and the settings every rule-carrying warning obeys.

The content contract (validate, graph, taxonomy) decides what can be built; these rules flag
what builds but is probably wrong: a missing archive copy, a misspelt term, a link to a case
that does not exist. Each rule is one pure function over the loaded `SiteModel`; it returns
warnings with `rule=` set so a site (`[lint] disable`) or a file (`lint_ignore`) can opt out.

`apply_settings` is the one place where opting out and `--strict` happen, for these rules and
for the warnings the build stages emit (unknown-key, orphan-case, ...), so every rule id behaves
the same wherever it comes from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from urllib.parse import unquote, urljoin, urlsplit

from .config import LintConfig, SiteConfig
from .diagnostics import Diagnostic, warning
from .markdown import link_lines
from .model import TAXONOMIES, Case, SiteModel

# A body needs parsing only if it may hold a link that is not http(s), mailto or a fragment.
_MAYBE_INTERNAL = re.compile(
    r"\]\(\s*<?\s*(?!https?:|mailto:|#)|^ {0,3}\[[^\]]+\]:\s*<?\s*(?!https?:|mailto:|#)",
    re.IGNORECASE | re.MULTILINE,
)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class LintContext:
    """What every rule may read. `today` is passed in so no rule ever reads the clock."""

    model: SiteModel
    config: SiteConfig
    today: dt.date


RuleFunction = Callable[[LintContext], Iterable[Diagnostic]]


def _key_line(case: Case, *keys: str) -> int | None:
    """The first of `keys` the case's file has a line for (item, then its list key)."""
    return next((line for key in keys if (line := case.line(key)) is not None), None)


def outlet_no_archive(ctx: LintContext) -> Iterator[Diagnostic]:
    for case in ctx.model.cases:
        for index, outlet in enumerate(case.outlets):
            if outlet.archived is None:
                yield warning(
                    case.source_path,
                    _key_line(case, f"outlets[{index}]", "outlets"),
                    f"outlet '{outlet.name}' has no archived copy",
                    "add 'archived:' with a web-archive URL of the page; originals disappear",
                    rule="outlet-no-archive",
                )


def missing_required_term(ctx: LintContext) -> Iterator[Diagnostic]:
    for case in ctx.model.cases:
        for taxonomy in ctx.config.lint.required_taxonomies:
            if not case.terms(taxonomy):
                yield warning(
                    case.source_path,
                    case.line(taxonomy),
                    f"no {taxonomy} given; site.toml requires at least one",
                    f"add '{taxonomy}: [...]' ([lint] required_taxonomies in site.toml)",
                    rule="missing-required-term",
                )


def term_spelling(ctx: LintContext) -> Iterator[Diagnostic]:
    """Spellings merged into one term page (by slug) should still be written one way.

    Only terms with more than one spelling are visited, so a tidy site costs one dict pass.
    """
    model = ctx.model
    terms = {(t.taxonomy, t.slug): t for group in model.terms.values() for t in group}
    variants = sorted(
        {
            key
            for (taxonomy, label), slug in model.term_slugs.items()
            if (key := (taxonomy, slug)) in terms and terms[key].label != label
        }
    )
    for taxonomy, slug in variants:
        term = terms[(taxonomy, slug)]
        uses = [
            (model.by_slug[case_slug], label)
            for case_slug in term.case_slugs
            for label in dict.fromkeys(model.by_slug[case_slug].terms(taxonomy))
            if model.term_slugs.get((taxonomy, label)) == slug
        ]
        main_count = sum(1 for _, label in uses if label == term.label)
        for case, label in uses:
            if label != term.label:
                yield warning(
                    case.source_path,
                    case.line(taxonomy),
                    f"{taxonomy} term '{label}' is written '{term.label}' in {main_count} other "
                    f"case{'s' * (main_count != 1)}",
                    f"write '{term.label}' so the term reads the same everywhere",
                    rule="term-spelling",
                )


def _max_distance(length: int) -> int:
    """Edits allowed between near-duplicate slugs: none for short words (Iran/Iraq)."""
    return 0 if length < 5 else 1 if length < 10 else 2


def _near_duplicates(sizes: Mapping[str, int]) -> dict[str, str]:
    """slug -> the more used slug it is probably a misspelling of.

    Only slugs of similar length are compared (edit distance is at least the length
    difference), with rapidfuzz's C++ Levenshtein, so ~2k terms take milliseconds.
    Slugs whose numbers differ ("election-2023" / "election-2024") are never paired.
    """
    # Here, not at the top: every build imports this module for `apply_settings`.
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    by_length: dict[int, list[str]] = defaultdict(list)
    for slug in sorted(sizes):
        by_length[len(slug)].append(slug)
    found: dict[str, str] = {}
    for slug in sorted(sizes):
        limit = _max_distance(len(slug))
        if not limit:
            continue
        pool = [s for n in range(len(slug) - limit, len(slug) + limit + 1) for s in by_length[n]]
        matches = process.extract(
            slug, pool, scorer=Levenshtein.distance, score_cutoff=limit, limit=None
        )
        candidates = [
            other
            for other, distance, _ in matches
            if other != slug
            and distance <= _max_distance(min(len(slug), len(other)))
            and _DIGITS.findall(other) == _DIGITS.findall(slug)
            and (sizes[other], slug) > (sizes[slug], other)
        ]
        if candidates:
            found[slug] = max(candidates, key=lambda s: (sizes[s], s))
    return found


def near_duplicate_term(ctx: LintContext) -> Iterator[Diagnostic]:
    for taxonomy in TAXONOMIES:
        terms = {t.slug: t for t in ctx.model.terms.get(taxonomy, ())}
        pairs = _near_duplicates({slug: len(t.case_slugs) for slug, t in terms.items()})
        for slug, better in sorted(pairs.items()):
            rare, common = terms[slug], terms[better]
            for case_slug in rare.case_slugs:
                case = ctx.model.by_slug[case_slug]
                yield warning(
                    case.source_path,
                    case.line(taxonomy),
                    f"{taxonomy} term '{rare.label}' ({len(rare.case_slugs)} case"
                    f"{'s' * (len(rare.case_slugs) != 1)}) looks like a misspelling of "
                    f"'{common.label}' ({len(common.case_slugs)} cases)",
                    f"write '{common.label}', or add near-duplicate-term to lint_ignore if both are meant",
                    rule="near-duplicate-term",
                )


def future_date(ctx: LintContext) -> Iterator[Diagnostic]:
    """Drafts are exempt: a draft dated ahead is how a case is scheduled."""
    for case in ctx.model.cases:
        if case.draft:
            continue
        for key, value in (("date", case.date), ("updated", case.updated)):
            if value is not None and value > ctx.today:
                yield warning(
                    case.source_path,
                    case.line(key),
                    f"'{key}' {value.isoformat()} is in the future (today is {ctx.today.isoformat()})",
                    "correct the date, or keep the case 'draft: true' until that day",
                    rule="future-date",
                )


def duplicate_title(ctx: LintContext) -> Iterator[Diagnostic]:
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in ctx.model.cases:
        groups[" ".join(case.title.casefold().split())].append(case)
    for cases in groups.values():
        if len(cases) < 2:
            continue
        paths = sorted(c.source_path for c in cases)
        for case in cases:
            others = [p for p in paths if p != case.source_path]
            shown = ", ".join(others[:3]) + (
                f" and {len(others) - 3} more" if len(others) > 3 else ""
            )
            yield warning(
                case.source_path,
                case.line("title"),
                f"title '{case.title}' is also used by {shown}",
                "make each title say what is particular to the case",
                rule="duplicate-title",
            )


def claim_too_long(ctx: LintContext) -> Iterator[Diagnostic]:
    limit = ctx.config.lint.max_claim_length
    for case in ctx.model.cases:
        if case.claim and len(case.claim) > limit:
            yield warning(
                case.source_path,
                case.line("claim"),
                f"'claim' is {len(case.claim)} characters; keep it to {limit}",
                "state the claim in one short sentence; details belong in the Summary",
                rule="claim-too-long",
            )


@dataclass(frozen=True, slots=True)
class _Targets:
    """The site's internal URLs that links may point at, without the leading '/'."""

    cases: frozenset[str]
    drafts: frozenset[str]
    aliases: frozenset[str]
    terms: dict[str, frozenset[str]]
    # Sorted once, so "did you mean" hints are deterministic and cheap.
    sorted_cases: tuple[str, ...]
    sorted_terms: dict[str, tuple[str, ...]]


def _targets(model: SiteModel) -> _Targets:
    """Case files with errors count as existing, and so do their terms: a link to them is
    not broken, only the file is, and `check` reports that once."""
    from .taxonomy import term_slug

    stubs: defaultdict[str, set[str]] = defaultdict(set)
    for taxonomy, label in model.stub_terms:
        stubs[taxonomy].add(term_slug(label))
    terms = {
        t: tuple(sorted({term.slug for term in model.terms.get(t, ())} | stubs[t]))
        for t in TAXONOMIES
    }
    return _Targets(
        frozenset(model.by_slug) | model.unbuilt,
        frozenset(c.slug for c in model.cases if c.draft),
        frozenset(a.strip("/") for c in model.cases if not c.draft for a in c.aliases),
        {t: frozenset(slugs) for t, slugs in terms.items()},
        tuple(sorted(frozenset(model.by_slug) | model.unbuilt)),
        {t: tuple(sorted(slugs)) for t, slugs in terms.items()},
    )


def _suggest(name: str, known: tuple[str, ...]) -> str | None:
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    best = process.extractOne(name, known, scorer=Levenshtein.distance, score_cutoff=3)
    return f"did you mean '{best[0]}'?" if best else None


def _case_link_problem(
    parts: list[str], targets: _Targets, from_draft: bool
) -> tuple[str, str | None] | None:
    if len(parts) == 1:
        return "link to /cases/, which has no index page", "link to a case: /cases/<slug>/"
    slug = parts[1]
    if slug not in targets.cases:
        return f"link to case '{slug}', which does not exist", _suggest(slug, targets.sorted_cases)
    if len(parts) > 2 and "." not in parts[-1]:
        # Usually `[x](other-case/)` written on a case page: relative to the case itself.
        hint = f"did you mean '/cases/{parts[-1]}/'?" if parts[-1] in targets.cases else None
        return f"link to '/{'/'.join(parts)}/', which has no page", hint
    if slug in targets.drafts and not from_draft:
        return f"link to draft case '{slug}'; it is broken until the draft is published", None
    return None


def _term_link_problem(parts: list[str], targets: _Targets) -> tuple[str, str | None] | None:
    taxonomy = parts[0]
    if len(parts) == 1:
        return None
    if parts[1] not in targets.terms[taxonomy]:
        message = f"link to {taxonomy} term '{parts[1]}', which has no page"
        return message, _suggest(parts[1], targets.sorted_terms[taxonomy])
    if len(parts) > 2 and not (len(parts) == 4 and parts[2] == "page" and parts[3].isdigit()):
        return f"link to '/{'/'.join(parts)}/', which has no page", None
    return None


def _link_problem(path: str, targets: _Targets, from_draft: bool) -> tuple[str, str | None] | None:
    """(message, hint) when the site path `path` (no leading '/') has no page, else None.

    Only the sections this tool generates from content are checked; other paths (static
    files, feeds, search...) come from templates and plugins this stage cannot see.
    """
    parts = path.split("/")
    if path in targets.aliases:
        return None
    if parts[0] == "cases":
        return _case_link_problem(parts, targets, from_draft)
    if parts[0] in TAXONOMIES:
        return _term_link_problem(parts, targets)
    return None


def _site_path(target: str, page_url: str) -> str | None:
    """Resolve a link target against the page it is on; None for external links."""
    if target.startswith(("https:", "http:", "mailto:", "#")):
        return None
    if target.startswith("/") and not target.startswith("//") and "/." not in target:
        path = target.partition("#")[0].partition("?")[0]  # the common case, without urljoin
        return unquote(path).strip("/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return unquote(urljoin(page_url, parts.path)).strip("/")


def _page_links(text: str, first_line: int, allow_html: bool) -> Iterator[tuple[str, int]]:
    if _MAYBE_INTERNAL.search(text):  # most pages link only outwards: skip the parse
        for target, offset in link_lines(text, allow_html=allow_html):
            yield target, first_line + offset


def _links(model: SiteModel, allow_html: bool) -> Iterator[tuple[str, int, str, bool, str]]:
    """(file, line, page URL, is draft, target) for every link in a rendered body. Case links
    were collected when the sections were found; plain pages are parsed here."""
    for case in model.cases:
        url = f"/cases/{case.slug}/"
        for target, line in case.links:
            yield case.source_path, line, url, case.draft, target
    for page in model.pages:
        for target, line in _page_links(page.body, page.body_line, allow_html):
            yield page.source_path, line, f"/{page.slug}/", False, target


def broken_link(ctx: LintContext) -> Iterator[Diagnostic]:
    targets = _targets(ctx.model)
    for source, line, url, draft, target in _links(ctx.model, ctx.config.allow_html):
        path = _site_path(target, url)
        problem = _link_problem(path, targets, draft) if path is not None else None
        if problem:
            yield warning(source, line, problem[0], problem[1], rule="broken-link")


CHECK_RULES: tuple[tuple[str, RuleFunction], ...] = (
    ("outlet-no-archive", outlet_no_archive),
    ("missing-required-term", missing_required_term),
    ("term-spelling", term_spelling),
    ("near-duplicate-term", near_duplicate_term),
    ("future-date", future_date),
    ("duplicate-title", duplicate_title),
    ("claim-too-long", claim_too_long),
    ("broken-link", broken_link),
)


def lint_site(model: SiteModel, config: SiteConfig, *, today: dt.date) -> list[Diagnostic]:
    """Run every check rule the site has not disabled. Per-file opt-outs are applied later,
    together with the build stages' warnings, by `apply_settings`."""
    ctx = LintContext(model, config, today)
    problems: list[Diagnostic] = []
    for rule_id, function in CHECK_RULES:
        if rule_id not in config.lint.disable:
            problems += function(ctx)
    return problems


def file_ignores(model: SiteModel) -> dict[str, frozenset[str]]:
    """Source path -> the rule ids its `lint_ignore` lists."""
    ignores = {c.source_path: frozenset(c.lint_ignore) for c in model.cases if c.lint_ignore}
    ignores.update((p.source_path, frozenset(p.lint_ignore)) for p in model.pages if p.lint_ignore)
    return ignores


def apply_settings(
    diagnostics: Iterable[Diagnostic],
    config: LintConfig,
    ignores: Mapping[str, frozenset[str]],
    *,
    strict: bool = False,
) -> list[Diagnostic]:
    """Drop warnings whose rule the site or their file opted out of; under `strict`, the
    remaining warnings become errors. Errors are never dropped: they are the contract."""
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        rule_id = diagnostic.rule
        if (
            not diagnostic.is_error
            and rule_id is not None
            and (rule_id in config.disable or rule_id in ignores.get(diagnostic.path, ()))
        ):
            continue
        kept.append(replace(diagnostic, severity="error") if strict else diagnostic)
    return kept
