"""Runs the stages in order and returns what happened; never prints.

load (config, content) -> check -> graph + taxonomy -> plan -> render -> write.
If any error is found before writing, nothing is written and `UserError` carries every
diagnostic; warnings travel back in the `Loaded`/`BuildResult` values.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig, load_config
from .content import load_content
from .diagnostics import Diagnostic, UserError, has_errors, sorted_diagnostics
from .graph import check_links, compute_graph, graph_diagnostics
from .model import BuildResult, SiteModel
from .plan import DataFile, collisions, plan_site, site_view
from .render import make_environment, render_page, template_dirs
from .taxonomy import build_terms
from .writer import check_output_dir, staged_output

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Loaded:
    config: SiteConfig
    model: SiteModel
    diagnostics: tuple[Diagnostic, ...]
    timings: tuple[tuple[str, float], ...]


class _Timer:
    def __init__(self) -> None:
        self.phases: list[tuple[str, float]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.phases.append((name, time.perf_counter() - start))


def load_site(root: Path, *, drafts: bool = False, timer: _Timer | None = None) -> Loaded:
    """Everything except rendering and writing; raises `UserError` if any error was found."""
    timer = timer or _Timer()
    with timer.phase("load"):
        config = load_config(root)
        content = load_content(root, config)
    with timer.phase("graph"):
        draft_slugs = {c.slug for c in content.cases if c.draft}
        problems = list(content.diagnostics)
        problems += check_links(
            content.cases,
            content.slugs,
            draft_slugs,
        )
        cases = tuple(c for c in content.cases if drafts or not c.draft)
        terms, term_slugs, term_problems = build_terms(cases)
        problems += term_problems
        related = compute_graph(cases, config.related, term_slugs)
        problems += graph_diagnostics(related, cases)
        model = SiteModel(
            cases, {c.slug: c for c in cases}, content.pages, related.graph, terms, term_slugs
        )
        problems += collisions(model)
    diagnostics = tuple(sorted_diagnostics(problems))
    if has_errors(diagnostics):
        raise UserError(diagnostics)
    return Loaded(config, model, diagnostics, tuple(timer.phases))


def build_site(
    root: Path, output: Path, *, drafts: bool = False
) -> tuple[BuildResult, tuple[Diagnostic, ...]]:
    """Build the site at `root` into `output`, replacing it only when everything succeeded."""
    timer = _Timer()
    loaded = load_site(root, drafts=drafts, timer=timer)
    check_output_dir(root, output)
    env = make_environment(root)
    site = site_view(loaded.model, loaded.config)
    pages = 0
    with timer.phase("render+write"), staged_output(output) as staging:
        for page in plan_site(loaded.model, loaded.config):
            if isinstance(page, DataFile):
                staging.write(page.output, page.data)
            else:
                staging.write(page.output, render_page(env, page, site, root))
            pages += 1
        # Same override order as templates: the site's own static files win over the theme's.
        staging.copy_trees([d / "static" for d in reversed(template_dirs(root))], "static")
        written = staging.count
    result = BuildResult(written, 0, 0, len(loaded.model.cases), pages, tuple(timer.phases))
    return result, loaded.diagnostics
