"""Runs the stages in order and returns what happened; never prints.

load (config, content) -> check -> graph + taxonomy -> plan -> render -> write.
If any error is found before writing, nothing is written and `UserError` carries every
diagnostic; warnings travel back in the `Loaded`/`BuildResult` values.

Incremental builds (fingerprints: `incremental.py`): an output whose fingerprint and file on
disk match the cache's manifest is skipped; the others are rendered into a staging directory
and moved into place only after all of them rendered, so a template error mid-way leaves the
previous site untouched.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .base_url import base_url_warnings
from .cache import Cache, LastBuild, OutputRecord, new_token, open_cache
from .config import SiteConfig, load_config
from .content import CASES_DIR
from .diagnostics import Diagnostic, UserError, has_errors, sorted_diagnostics
from .environment import failure, require_writable
from .incremental import (
    Inputs,
    fingerprint,
    intact_records,
    live_stat,
    now_trusted,
    outputs_intact,
    read_inputs,
    same_inputs,
    unchanged,
    unit_fingerprints,
    with_pending,
)
from .inventory import template_problems
from .lock import BuildLock
from .model import BuildResult, DataFile, RelatedEntry, RelatedGraph, SiteModel
from .parallel import Tick, default_jobs
from .theme import theme_problems
from .writer import MARKER, remove_leftovers

# The stages past the no-op check (Markdown, YAML, Jinja, numpy...) are imported inside the
# functions that run them: a build with nothing to do must not pay ~0.2 s for their imports.
if TYPE_CHECKING:
    from jinja2 import Environment

    from .changes import SiteState
    from .graph import GraphResult, GraphState
    from .parallel import Background, WorkQueue
    from .plan import SiteView, Unit
    from .stats import Found
    from .writer import Staging

# Progress: (phase, total) -> a context manager yielding a tick function. The CLI passes a
# progress bar; everything else passes nothing.
ProgressFactory = Callable[[str, int], AbstractContextManager[Tick]]
# Fewer outputs than this render in-process: forking would cost more than it saves.
PARALLEL_MIN = 200
UNITS_PER_CHUNK = 32
# Below this many outputs, checking them in the parent costs less than forking for it.
CHECK_MIN = 2000
# Graph-free units are small (a term page, 256 feeds): small chunks let all processes finish
# together.
SHARED_CHUNK = 8
# Below this many cases the graph and the search index take a fraction of a second each:
# overlapping them saves less than a fork costs (and `serve` forks from a threaded process).
BACKGROUND_MIN = 500


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    jobs: int = field(default_factory=default_jobs)
    clean: bool = False
    use_cache: bool = True
    strict: bool = False
    cache_dir: Path | None = None
    progress: ProgressFactory | None = None
    # `build --base-url URL`: replaces site.toml's base_url, for previews.
    base_url: str | None = None
    # Another build holds the output's lock: wait for it (told once through `on_wait`) or fail.
    wait: bool = False
    on_wait: Callable[[str], None] | None = None


@dataclass(frozen=True, slots=True)
class Loaded:
    config: SiteConfig
    model: SiteModel
    diagnostics: tuple[Diagnostic, ...]
    timings: tuple[tuple[str, float], ...]
    related: GraphResult | None = None
    # path -> SHA-256 of each case file as read (`Content.files`).
    files: Mapping[str, str] = field(default_factory=dict)


class _Timer:
    def __init__(self) -> None:
        self.phases: list[tuple[str, float]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.phases.append((name, time.perf_counter() - start))


def _bar(options: BuildOptions, phase: str, total: int) -> AbstractContextManager[Tick | None]:
    return options.progress(phase, total) if options.progress else nullcontext(None)


def load_site(
    root: Path,
    *,
    drafts: bool = False,
    timer: _Timer | None = None,
    cache: Cache | None = None,
    options: BuildOptions | None = None,
    strict: bool = False,
    keep_errors: bool = False,
    on_content: Callable[[SiteConfig, SiteModel], GraphState | None] | None = None,
    walked: Sequence[Found] | None = None,
) -> Loaded:
    """Everything except rendering and writing; raises `UserError` if any error was found
    (warnings count as errors under `strict`) unless `keep_errors`, for `check`.

    `on_content` sees the model before the graph exists (its graph raises if read), if no
    error was found by then: the build starts graph-free work there, and may return the last
    build's graph state when only case text changed since (`graph.compute_graph`).
    """
    from .content import load_content
    from .lint import apply_settings, file_ignores
    from .plan import collisions
    from .taxonomy import build_terms

    timer = timer or _Timer()
    options = options or BuildOptions(drafts=drafts, jobs=1)
    with timer.phase("load"):
        config = load_config(root)
        if options.base_url:
            config = replace(config, base_url=options.base_url)
        # Counting files is a second walk of content/: only worth it for a visible bar.
        total = (
            sum(1 for _ in (root / "content" / "cases").rglob("*.md")) if options.progress else 0
        )
        with _bar(options, "load", total) as tick:
            content = load_content(
                root, config, cache=cache, jobs=options.jobs, tick=tick, walked=walked
            )
    with timer.phase("graph"):
        # Imported here: numpy and scipy take 0.15 s to import, and a no-op rebuild (which
        # stops before this stage) should not pay for them.
        from .graph import check_links, compute_graph, graph_diagnostics

        draft_slugs = {c.slug for c in content.cases if c.draft}
        problems = list(content.diagnostics)
        problems += base_url_warnings(root, config, overridden=bool(options.base_url))
        problems += theme_problems(root, config.theme.stylesheets, config.theme.head)
        problems += template_problems(root)
        problems += check_links(content.cases, content.slugs, draft_slugs)
        cases = tuple(c for c in content.cases if drafts or not c.draft)
        terms, term_slugs, term_problems = build_terms(cases)
        problems += term_problems
        digests = {c.slug: content.digests[c.slug] for c in cases if c.slug in content.digests}
        previous = None
        if on_content is not None and not has_errors(problems):
            by_slug = {c.slug: c for c in cases}
            previous = on_content(
                config,
                SiteModel(
                    cases,
                    by_slug,
                    content.pages,
                    _NO_GRAPH,
                    terms,
                    term_slugs,
                    digests,
                    language=config.language,
                ),
            )
        related = compute_graph(cases, config.related, term_slugs, content.words, previous)
        problems += graph_diagnostics(related, cases)
        model = SiteModel(
            cases,
            {c.slug: c for c in cases},
            content.pages,
            related.graph,
            terms,
            term_slugs,
            digests,
            unbuilt=content.slugs - {c.slug for c in content.cases},
            stub_terms=content.stub_terms,
            language=config.language,
        )
        # A graph state comes back only when nothing but case text changed since a build that
        # succeeded: the same slugs, aliases, terms and pages, so the same (no) collisions.
        problems += collisions(model, config) if previous is None else []
    problems = apply_settings(problems, config.lint, file_ignores(model), strict=strict)
    diagnostics = tuple(sorted_diagnostics(problems))
    if has_errors(diagnostics) and not keep_errors:
        raise UserError(diagnostics)
    return Loaded(config, model, diagnostics, tuple(timer.phases), related, content.files)


class _NotYet(dict[str, tuple[RelatedEntry, ...]]):
    """The edges of a graph that is still being computed: reading them is a bug."""

    def get(self, *_: object) -> NoReturn:  # type: ignore[override]
        raise RuntimeError("the related graph was read before it was computed")

    __getitem__ = get


_NO_GRAPH = RelatedGraph(_NotYet())


def _site_cache(root: Path, directory: Path) -> Cache | None:
    """No cache where there is no site yet: a `check` in the wrong (or a new, empty) folder
    must not leave a `.cache/` behind, which would also make `init` find it not empty."""
    return open_cache(directory) if (root / CASES_DIR).is_dir() else None


def check_site(root: Path, *, today: dt.date, strict: bool = False) -> Loaded:
    """`check`: every stage's problems plus the lint rules, drafts included, nothing written.

    Errors do not stop the lint rules: they run over every case that validated, so one run
    reports everything. Raises `UserError` only for problems that leave no site (config).
    """
    from .lint import apply_settings, file_ignores, lint_site

    cache = _site_cache(root, root / load_config(root).cache_dir)
    try:
        loaded = load_site(root, drafts=True, keep_errors=True, cache=cache)
    finally:
        if cache is not None:
            cache.close()
    found = lint_site(loaded.model, loaded.config, today=today)
    found = apply_settings(found, loaded.config.lint, file_ignores(loaded.model))
    diagnostics = sorted_diagnostics([*loaded.diagnostics, *found])
    if strict:
        diagnostics = apply_settings(diagnostics, loaded.config.lint, {}, strict=True)
    return replace(loaded, diagnostics=tuple(diagnostics))


@dataclass(frozen=True, slots=True)
class _Job:
    """What every render worker needs; inherited by forked workers, never pickled."""

    root: Path
    output: Path
    site: SiteView
    env_key: bytes
    manifest: dict[str, OutputRecord]
    staging: Staging
    # After a text edit: the manifest's outputs found not as recorded (`damaged_outputs`),
    # so kept outputs are checked without another stat call.
    damaged: frozenset[str] | None = None
    # Writes the new search state for the cache (`Cache.stage_state`) where it is made,
    # often the background process: 19 MB at 10k cases need not travel back through a pipe.
    stage_search: Callable[[bytes], None] | None = None


# output, fingerprint, new record (None: unchanged), staged (written to the staging tree)
Done = tuple[str, str, OutputRecord | None, bool]


def _render_unit(unit: Unit, job: _Job, env: Environment) -> list[Done]:
    """Fingerprint and (if changed) render one unit's outputs.

    A `CaseUnit` is fingerprinted from its inputs, so when none changed it is skipped without
    building its views; other outputs are fingerprinted from their finished context.
    """
    from .plan import CaseUnit
    from .render import render_page

    keyed = unit_fingerprints(unit, job.env_key) if isinstance(unit, CaseUnit) else None
    if keyed is not None and all(
        unchanged(job.output, path, fp, job.manifest.get(path)) for path, fp in keyed.items()
    ):
        return [(path, fp, None, False) for path, fp in keyed.items()]
    done: list[Done] = []
    for item in unit():
        fp = keyed[item.output] if keyed is not None else fingerprint(item, job.env_key)
        if keyed is None and unchanged(job.output, item.output, fp, job.manifest.get(item.output)):
            done.append((item.output, fp, None, False))
            continue
        if isinstance(item, DataFile):
            data = item.data
        else:
            data = render_page(env, item, job.site, job.root)
        live = live_stat(job.output, item.output, data) if job.manifest else None
        if live is not None:  # new inputs, same bytes: leave the file alone
            done.append((item.output, fp, OutputRecord(fp, *live), False))
            continue
        size, mtime = job.staging.write(item.output, data)
        done.append((item.output, fp, OutputRecord(fp, size, mtime), True))
    return done


@dataclass(frozen=True, slots=True)
class _Shared:
    """Units with a queue that every process forked after it was made draws from: the
    background process starts on the graph-free units while the parent computes the graph,
    and the render workers take what is left of them once their own units are done."""

    units: list[Unit]
    queue: WorkQueue


def _shared(units: list[Unit]) -> _Shared:
    from .parallel import WorkQueue

    return _Shared(units, WorkQueue(len(units), SHARED_CHUNK))


def _drain(
    queues: Iterable[tuple[list[Unit], Iterable[range]]],
    job: _Job,
    env: Environment,
    tick: Tick | None = None,
) -> tuple[list[Done], list[str]]:
    """Render the units of each queue's chunks; also returns the outputs of the
    `ListingUnit`s, which the next build may keep after a text edit."""
    from .plan import ListingUnit

    done: list[Done] = []
    listed: list[str] = []
    for units, queue in queues:
        for chunk in queue:
            if tick is not None:
                tick(len(chunk))
            for i in chunk:
                results = _render_unit(units[i], job, env)
                done += results
                if isinstance(units[i], ListingUnit):
                    listed += [r[0] for r in results]
    return done, listed


def _render_units(
    units: list[Unit],
    job: _Job,
    options: BuildOptions,
    env: Environment,
    *,
    heavy: bool = False,
    shared: _Shared | None = None,
) -> tuple[list[Done], list[str]]:
    """Plan, fingerprint and (if changed) render every unit, then help with what is left of
    the `shared` units; returns results and the outputs of `ListingUnit`s.

    Units are handed out in chunks to `jobs` forked processes, so planning (building the
    views) is shared across cores as well as rendering. A few `heavy` units (the graph page
    and the open data of a big site) are worth a fork too, one unit at a time.
    """
    from .parallel import WorkQueue, run_sharded

    jobs = options.jobs if len(units) >= PARALLEL_MIN or heavy or shared else 1
    if shared is not None:
        # The background process is still at work on `shared`, on a core of its own: one
        # worker fewer keeps one process per core (and with two cores, this process renders
        # instead of forking a copy of itself). Three processes on two cores cost 10% more
        # CPU, and a third of the system time, in page copies and switches.
        jobs = max(1, jobs - 1)
    queue = WorkQueue(len(units), max(1, min(UNITS_PER_CHUNK, len(units) // (4 * jobs))))
    queues = [(units, queue), *([(shared.units, shared.queue)] if shared else [])]
    with _bar(options, "render", len(units)) as tick:
        parts = run_sharded(lambda k, n, tick: _drain(queues, job, env, tick), jobs, tick)
    return sorted(r for part in parts for r in part[0]), [p for part in parts for p in part[1]]


def _render_search(
    model: SiteModel,
    job: _Job,
    previous: bytes | None,
    env: Environment,
    changed: frozenset[str] | None = None,
) -> tuple[list[Done], bytes | None]:
    """The search index files, patched from the last build's postings when few cases changed,
    or (after a text edit, `changed`) updated in the files those cases reach, and /check/'s
    data (`check_index`, rebuilt whole: ~1 s at 10k cases, off the critical path in the
    background process when there is one); returns them
    with the new state for the cache (None: staged by `job.stage_search`)."""
    import msgspec

    from .check_index import check_outputs, field_digests, plan_check
    from .search_index import SearchState, decode_state, encode_state, search_files, update_files

    def keep(fresh: SearchState) -> bytes | None:
        data = encode_state(fresh)
        if job.stage_search is None:
            return data
        job.stage_search(data)
        return None

    state = decode_state(previous) if previous else None
    if state is not None and changed is not None:
        found = update_files(model, state, changed)
        kept = _kept(job, found[1]) if found else None
        if found is not None and kept is not None:
            files = [DataFile(path, data, "content/cases") for path, data in found[0].items()]
            edited = field_digests(model, changed)
            same = all(state.check.get(slug) == digest for slug, digest in edited.items())
            kept_check = _kept(job, check_outputs(len(model.cases))) if same else None
            if kept_check is None:  # /check/'s data, beside the index it is a twin of
                files += plan_check(model)
            check = state.check if kept_check is not None else field_digests(model)
            fresh = msgspec.structs.replace(found[2], check=check)
            return kept + (kept_check or []) + _render_unit(lambda: files, job, env), keep(fresh)
    outputs, fresh = search_files(model, state)
    outputs += plan_check(model)
    fresh = msgspec.structs.replace(fresh, check=field_digests(model))
    return _render_unit(lambda: outputs, job, env), keep(fresh)


def _render_graph_free(
    model: SiteModel, job: _Job, previous: bytes | None, shared: _Shared
) -> tuple[list[Done], bytes | None, list[str]]:
    """What the background process renders: the search index, then `shared` graph-free
    units until none is left."""
    from .render import make_environment

    env = make_environment(job.root)
    searched, state = _render_search(model, job, previous, env)
    done, listed = _drain([(shared.units, shared.queue)], job, env)
    return searched + done, state, listed


def _kept(job: _Job, paths: Iterable[str]) -> list[Done] | None:
    """The manifest's records of `paths` if every file is still as that build wrote it."""
    found = intact_records(job.output, job.manifest, paths, job.damaged)
    return None if found is None else [(p, r.fingerprint, None, False) for p, r in found]


def _recorded(job: _Job, paths: Iterable[str]) -> list[Done]:
    """The manifest's records of `paths`, already checked on disk (`_check_kept`)."""
    return [(path, job.manifest[path].fingerprint, None, False) for path in paths]


def _check_kept(
    model: SiteModel, config: SiteConfig, job: _Job, listing: Sequence[str]
) -> tuple[bool, frozenset[str]]:
    """After a text edit: whether the list outputs are on disk as recorded, and the cases
    whose page (or an alias) is not."""
    from .plan import CaseUnit

    broken = frozenset(
        case.slug
        for case in model.cases
        if _kept(job, CaseUnit(model, config, case).paths()) is None
    )
    return _kept(job, listing) is not None, broken


def _search_and_check(
    model: SiteModel,
    config: SiteConfig,
    job: _Job,
    previous: bytes | None,
    changed: frozenset[str],
    listing: Sequence[str],
) -> tuple[list[Done], bytes | None, tuple[bool, frozenset[str]]]:
    """The background's work after a text edit: update the search index, check kept files."""
    from .render import make_environment

    done, state = _render_search(model, job, previous, make_environment(job.root), changed)
    return done, state, _check_kept(model, config, job, listing)


@dataclass(frozen=True, slots=True)
class _TextEdit:
    """A build after an edit of case text only (`changes.text_edit`): what it may keep."""

    changed: frozenset[str]
    state: SiteState


def build_site(
    root: Path,
    output: Path,
    *,
    drafts: bool = False,
    options: BuildOptions | None = None,
    keep: list[object] | None = None,
) -> tuple[BuildResult, tuple[Diagnostic, ...]]:
    """Build the site at `root` into `output`, replacing it only when everything succeeded.

    `keep` receives the loaded site and the build's bookkeeping, for a caller about to exit:
    freeing them object by object costs 0.07 s at 10k cases.
    """
    from .writer import check_output_place

    options = options or BuildOptions(drafts=drafts)
    # An output that is a symlink (`output -> /srv/www/site`) is published through: swapping
    # the link itself for a folder would leave the web server's folder stale.
    output = Path(os.path.realpath(output)) if output.is_symlink() else output
    check_output_place(root, output)  # before the lock creates the output's parent
    with BuildLock(output, wait=options.wait, on_wait=options.on_wait):
        require_writable(output.parent, output)
        notes = _cleanup_note(output, remove_leftovers(output))
        cache_dir = options.cache_dir or root / load_config(root).cache_dir
        cache = _site_cache(root, cache_dir) if options.use_cache else None
        try:
            result, diagnostics = _build_unlocked(root, output, options, cache, keep)
        except OSError as exc:
            raise failure(output, exc, "building the site") from None
        if cache is not None and cache.trouble:
            notes.append(
                f"{cache_dir}: warning: cannot write the build cache ({cache.trouble}); the "
                "site was published anyway, the next build will be slower"
            )
    return replace(result, notes=tuple(notes)), diagnostics


def _cleanup_note(output: Path, removed: list[str]) -> list[str]:
    if not removed:
        return []
    what = "folder" if len(removed) == 1 else f"{len(removed)} folders"
    return [
        f"{output}: note: removed {what} that interrupted builds left beside it: "
        + ", ".join(removed)
    ]


def _build_unlocked(
    root: Path, output: Path, options: BuildOptions, cache: Cache | None, keep: list[object] | None
) -> tuple[BuildResult, tuple[Diagnostic, ...]]:
    timer = _Timer()
    # The model is tens of thousands of long-lived, acyclic objects: cyclic GC passes over
    # them cost a third of the planning time and free nothing.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(root, output, options, timer, cache, keep)
    finally:
        if cache is not None:
            cache.close()
        if keep is not None:
            # Every object this build made is young: the first collection after `enable`
            # would traverse them all (0.13 s at 10k cases) for a caller about to exit.
            gc.freeze()
        if gc_was_enabled:
            gc.enable()


def _compiled(path: str) -> bool:
    """A case file: loading reads and hashes it anyway (`incremental.with_pending`)."""
    return path.startswith("content/cases/") and path.endswith(".md")


def _build(
    root: Path,
    output: Path,
    options: BuildOptions,
    timer: _Timer,
    cache: Cache | None,
    keep: list[object] | None = None,
) -> tuple[BuildResult, tuple[Diagnostic, ...]]:
    outdir = str(output.resolve())
    inputs, last, same = Inputs("", ()), None, False
    if cache is not None:
        with timer.phase("check"):
            # Read before loading: an edit made while this build runs must not count as built.
            inputs = read_inputs(
                root,
                drafts=options.drafts,
                strict=options.strict,
                defer=_compiled,
                base_url=options.base_url,
            )
            if not options.clean and (output / MARKER).is_file():
                last = cache.last_build(outdir)
                if last is not None and last.inputs == inputs.key:  # maybe a no-op
                    inputs = with_pending(root, inputs)
                manifest = cache.outputs(outdir) if same_inputs(root, inputs, last) else {}
                same = bool(manifest) and outputs_intact(output, manifest)
        if same and last is not None:
            if len(inputs.fresh) < len(last.fresh):
                # Files too fresh to trust by stat last time were just found unchanged by
                # their bytes, and are old enough now: trust them, here and in the compile
                # cache, or every later build hashes them all again (0.25 s after a checkout
                # or generation of 10k files, and the first edit rewrote their entries).
                cache.put_last_build(outdir, replace(last, fresh=inputs.fresh))
                cache.restat_sources(now_trusted(inputs, last))
            result = BuildResult(
                0, len(manifest), 0, last.cases, len(manifest), tuple(timer.phases)
            )
            return result, last.diagnostics
    from . import opendata
    from .changes import decode_state, encode_state, new_state, reached, setting_key, text_edit
    from .incremental import damaged_outputs, environment_key
    from .parallel import Background
    from .plan import GRAPH_OUTPUTS, CaseUnit, plan_units, site_view, static_files
    from .render import make_environment
    from .theme import template_dirs
    from .writer import Staging, check_output_dir

    incremental = cache is not None and not options.clean and (output / MARKER).is_file()
    manifest = cache.outputs(outdir) if cache is not None and incremental else {}
    incremental = incremental and bool(manifest)
    job: _Job | None = None
    background: Background | None = None
    shared: _Shared | None = None  # the graph-free units the background process started on
    text: _TextEdit | None = None
    setting = b""
    previous = cache.state(outdir, "search") if cache is not None and incremental else None
    token = new_token()  # of the states this build leaves (`Cache.put_states`)
    last_state = decode_state(cache.state(outdir, "site")) if cache and incremental else None
    # Only a text edit keeps outputs it does not render (`changes.text_edit`), which needs
    # the last site state. Which outputs are still intact (25k stat calls at 10k cases) is
    # found by a process forked now, while the model is not loaded and forking is cheap.
    check: Background | None = None
    if last_state is not None and options.jobs > 1 and len(manifest) >= CHECK_MIN:
        check = Background(partial(damaged_outputs, output, manifest))

    def start(config: SiteConfig, model: SiteModel) -> GraphState | None:
        """Before the graph: see whether only case text changed (then the graph is updated
        from its last state); render what needs no graph in a forked process while the
        parent computes it."""
        nonlocal job, background, shared, text, setting
        check_output_dir(root, output)
        site = site_view(model, config)
        stage = partial(cache.stage_state, outdir, "search", token) if cache else None
        job = _Job(
            root,
            output,
            site,
            environment_key(root, site),
            manifest,
            Staging(output),
            stage_search=stage,
        )
        setting = setting_key(job.env_key, config, model.pages, options.drafts)
        changed = text_edit(last_state, setting, model.digests, model.by_slug)
        if last_state is not None and changed is not None:
            text = _TextEdit(changed, last_state)
            damaged = check.result() if check else damaged_outputs(output, manifest)
            job = replace(job, damaged=damaged)
        elif check is not None:  # any other build renders what it does not trust
            check.cancel()
        if options.jobs > 1 and len(model.cases) >= BACKGROUND_MIN:
            if text is not None:
                listing = text.state.listing
                work = partial(_search_and_check, model, config, job, previous, changed, listing)
            else:
                from .plan import graph_free_units

                shared = _shared(graph_free_units(model, config))
                work = partial(_render_graph_free, model, job, previous, shared)
            background = Background(work)
        if text is None or cache is None:
            return None
        from .graph import decode_graph_state

        return decode_graph_state(cache.state(outdir, "graph"))

    try:
        loaded = load_site(
            root,
            drafts=options.drafts,
            timer=timer,
            cache=cache,
            options=options,
            strict=options.strict,
            on_content=start,
            walked=inputs.content,
        )
        model, config = loaded.model, loaded.config
        check_output_dir(root, output)
        if job is None:  # `start` is skipped only when loading found errors
            start(config, model)
        assert job is not None
        related = loaded.related
        kept: list[Done] = []
        searched: list[Done] | None = None
        graph_pages, open_data, pages, keep_lists = True, True, None, False
        if text is not None and related is not None:
            from .graph import listing

            if background is not None:  # it updated the search index and checked kept files
                searched, search_state, (keep_lists, broken) = background.result()
                background = None
            else:
                keep_lists, broken = _check_kept(model, config, job, text.state.listing)
            if keep_lists:
                kept += _recorded(job, text.state.listing)
            state, moved = related.state, related.moved
            pages = reached(
                text.changed,
                moved,
                lambda slugs: listing(state, slugs) if state else frozenset(model.by_slug),
                model.by_slug,
            )
            kept_graph = None if moved is None or moved else _kept(job, GRAPH_OUTPUTS)
            relinked = related.relinked
            kept_data = None if relinked is None or relinked else _kept(job, opendata.OUTPUTS)
            graph_pages, open_data = kept_graph is None, kept_data is None
            kept += (kept_graph or []) + (kept_data or [])
            pages = pages | broken
            for case in model.cases:
                if case.slug not in pages:
                    kept += _recorded(job, CaseUnit(model, config, case).paths())
        units = plan_units(
            model,
            config,
            graph_free=background is None and not keep_lists,
            search=False,
            graph_pages=graph_pages,
            open_data=open_data,
            cases=pages,
        )
        static = static_files([d / "static" for d in reversed(template_dirs(root))])
        units.append(lambda: static)
        with timer.phase("render+write"):
            env = make_environment(root)
            if background is None and searched is None:
                edited = text.changed if text else None
                searched, search_state = _render_search(model, job, previous, env, edited)
            heavy = (graph_pages or open_data) and len(model.cases) >= BACKGROUND_MIN
            results, listed = _render_units(units, job, options, env, heavy=heavy, shared=shared)
            if background is not None:
                searched, search_state, more = background.result()
                listed += more
            assert searched is not None
            results = sorted(results + searched + kept)
            paths = [r[0] for r in results]
            if len(set(paths)) != len(paths):  # collisions() should have reported these
                raise RuntimeError("two planned outputs share a path")
            rendered = [path for path, _, _, staged in results if staged]
            if incremental:
                removed = sorted(set(manifest) - set(paths))
                job.staging.apply(rendered, removed)
            else:
                if cache is not None:
                    cache.forget_outputs(outdir)  # the swap below makes the manifest stale
                job.staging.commit()
                removed = []
            written = len(rendered)
    except BaseException:
        for process in (check, background):
            if process is not None:
                process.cancel()
        if job is not None:
            job.staging.rollback()
        raise
    if cache is not None:
        with timer.phase("cache"):
            if text is not None and keep_lists:
                listed = list(text.state.listing)
            site_state = new_state(
                setting, model.digests, model.cases, listed, text.state if text else None
            )
            states = {"search": search_state, "site": encode_state(site_state)}  # None: staged
            if related is not None and related.state is not None:
                from .graph import encode_graph_state

                states["graph"] = encode_graph_state(related.state)
            cache.put_states(outdir, states, token)
            if incremental:
                fresh = {path: record for path, _, record, _ in results if record is not None}
                cache.update_outputs(outdir, fresh, removed)
            else:
                records = {path: fresh or manifest[path] for path, _, fresh, _ in results}
                cache.put_outputs(outdir, records)
            recorded = with_pending(root, inputs, loaded.files)
            cache.put_last_build(
                outdir,
                LastBuild(inputs.key, loaded.diagnostics, len(model.cases), recorded.fresh),
            )
    result = BuildResult(
        written,
        len(results) - written,
        len(removed),
        len(model.cases),
        len(results),
        tuple(timer.phases),
    )
    if keep is not None:
        keep += [loaded, results, manifest, units, job]
    return result, loaded.diagnostics
