"""`site-builder graph-eval --checkthat DIR`: "has this been debunked?" measured on the CLEF
CheckThat! 2022 task 2A (English) data, with the code readers run.

The 14,231 Snopes fact-checks become a site in a temporary folder (title, date, `claim`,
Summary = the claim, Response = the subtitle), the real build builds it, and the theme's
`check.js` ranks every tweet under Node against the built `check/` files, exactly as the
`/check/` page does in a browser. A BM25 reference (plain and Snowball-stemmed, over title +
claim + subtitle) is computed here in Python beside it. Parameters of `check.js` were chosen
on train and dev; dev-test is the split to report.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from . import checkthat_bm25
from .nodejs import run_script, static_dir

SPLITS = ("train", "dev", "dev-test")
K = 5


@dataclass(frozen=True, slots=True)
class Data:
    claims: list[dict[str, str]]
    queries: dict[str, list[tuple[str, str]]]  # split -> [(tweet id, text)]
    qrels: dict[str, dict[str, set[str]]]  # split -> tweet id -> relevant claim ids


def load(folder: Path) -> Data:
    lines = (folder / "vclaims.jsonl").read_text(encoding="utf-8").splitlines()
    claims = [json.loads(line) for line in lines if line.strip()]
    queries: dict[str, list[tuple[str, str]]] = {}
    qrels: dict[str, dict[str, set[str]]] = {}
    for split in SPLITS:
        rows = (folder / f"{split}-queries.tsv").read_text(encoding="utf-8").splitlines()
        queries[split] = [(r.split("\t", 1)[0], r.split("\t", 1)[1]) for r in rows if "\t" in r]
        judged: dict[str, set[str]] = {}
        for row in (folder / f"{split}-qrels.tsv").read_text(encoding="utf-8").splitlines():
            parts = row.split()
            if len(parts) == 4 and parts[3] != "0":
                judged.setdefault(parts[0], set()).add(parts[2])
        qrels[split] = judged
    return Data(claims, queries, qrels)


UNDATED = "1995-01-01"  # 287 fact-checks have no date; the site needs one, before any other


def _iso(date: str) -> str:
    """ "2 August 2018" -> "2018-08-02", forgiving the data's stray spaces."""
    import datetime as dt

    found = re.search(r"(\d{1,2})\s*([A-Za-z]+)\s+(\d{4})", date)
    if not found:
        return UNDATED
    try:
        return dt.datetime.strptime(" ".join(found.groups()), "%d %B %Y").date().isoformat()
    except ValueError:
        return UNDATED


def slug_of(claim_id: str) -> str:
    """A valid slug for a claim id ("johnson--johnson", "trump_floyd_tweet" are not)."""
    return re.sub(r"-{2,}", "-", claim_id.replace("_", "-"))


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=True)


def write_site(data: Data, root: Path) -> None:
    """One case per fact-check; its file name (and so its slug) is the claim id."""
    cases = root / "content" / "cases"
    cases.mkdir(parents=True)
    (root / "site.toml").write_text(
        'title = "CheckThat! 2022 2A"\nbase_url = "https://checkthat.example/"\nlanguage = "en"\n'
        'default_rating = "Checked"\n',
        encoding="utf-8",
    )
    for claim in data.claims:
        text = (
            f"---\ntitle: {_quoted(claim['title'] or claim['vclaim'])}\n"
            f"date: {_iso(claim['date'])}\nclaim: {_quoted(claim['vclaim'])}\n---\n\n"
            f"## Summary\n\n{claim['vclaim']}\n\n## Response\n\n{claim['subtitle'] or '-'}\n"
        )
        (cases / f"{slug_of(claim['vclaim_id'])}.md").write_text(text, encoding="utf-8")


def build(root: Path) -> Path:
    """The real build, as a user runs it; the built `check/` folder."""
    import contextlib
    import io

    from .cli import main

    output = root / "output"
    messages = io.StringIO()  # warnings about 14k generated cases (near duplicates...)
    with contextlib.redirect_stderr(messages):
        code = main(["build", "--root", str(root), "--output", str(output), "--quiet"])
    if not (output / "check" / "index.json").is_file():
        raise RuntimeError(
            f"the CheckThat! site did not build (exit {code}):\n{messages.getvalue()}"
        )
    return output / "check"


def metrics(ranked: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    """MAP@5 as the task computes it, MRR@5 and P@1, over the judged queries."""
    aps, rrs, p1 = [], [], []
    for query, relevant in qrels.items():
        top = ranked.get(query, [])[:K]
        hits, precision_sum, first = 0, 0.0, 0.0
        for rank, slug in enumerate(top, 1):
            if slug in relevant:
                hits += 1
                precision_sum += hits / rank
                first = first or 1 / rank
        aps.append(precision_sum / len(relevant))
        rrs.append(first)
        p1.append(1.0 if top and top[0] in relevant else 0.0)
    return {"MAP@5": mean(aps), "MRR@5": mean(rrs), "P@1": mean(p1)}


def rank_with_js(
    check: Path, data: Data, params: list[dict[str, object]] | None = None
) -> tuple[list[dict[str, dict[str, list[str]]]], list[float]]:
    """Per parameter set, split -> tweet id -> top 5 slugs from check.js; and answer times."""
    queries = [[qid, text, 0] for split in SPLITS for qid, text in data.queries[split]]
    payload = {
        "static": f"{static_dir()}/",
        "check": str(check),
        "queries": queries,
        "params": params or [{}],
        "k": K,
    }
    result = run_script("check_rank.mjs", payload)
    assert isinstance(result, dict)
    split_of = {qid: split for split in SPLITS for qid, _ in data.queries[split]}
    ids = {slug_of(c["vclaim_id"]): c["vclaim_id"] for c in data.claims}
    per_set = []
    for ranking in result["rankings"]:
        by_split: dict[str, dict[str, list[str]]] = {s: {} for s in SPLITS}
        for qid, slugs in ranking.items():
            by_split[split_of[qid]][qid] = [ids.get(slug, slug) for slug in slugs]
        per_set.append(by_split)
    return per_set, [t for times in result["ms"] for t in times]


def table(rows: list[tuple[str, dict[str, dict[str, float]]]]) -> str:
    head = "| scorer | " + " | ".join(f"{s} MAP@5 | {s} MRR@5 | {s} P@1" for s in SPLITS) + " |"
    lines = [head, "|" + " --- |" * (1 + 3 * len(SPLITS))]
    for name, per_split in rows:
        cells = [f"{per_split[s][m]:.3f}" for s in SPLITS for m in ("MAP@5", "MRR@5", "P@1")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(folder: Path) -> str:
    """The CheckThat! table: check.js beside BM25, every split."""
    data = load(folder)
    with tempfile.TemporaryDirectory(prefix="checkthat-") as tmp:
        root = Path(tmp)
        write_site(data, root)
        check = build(root)
        size = sum(f.stat().st_size for f in check.rglob("*.json"))
        (ours,), times = rank_with_js(check, data)
        browser = _in_chromium(check.parent, data)
    rows = [("/check/ (check.js under Node)", {s: metrics(ours[s], data.qrels[s]) for s in SPLITS})]
    for name, stem in (("BM25", False), ("BM25, Snowball-stemmed", True)):
        ranked = checkthat_bm25.rank(data, stem=stem, k=K)
        rows.append((name, {s: metrics(ranked[s], data.qrels[s]) for s in SPLITS}))
    times.sort()
    return (
        f"CheckThat! 2022 task 2A (English): {len(data.claims)} fact-checks, "
        + ", ".join(f"{len(data.queries[s])} {s} tweets" for s in SPLITS)
        + " (parameters tuned on train and dev; report dev-test)\n\n"
        + table(rows)
        + f"\n\ncheck/ files: {size:,} bytes; answer time per tweet under Node: median "
        f"{times[len(times) // 2]:.1f} ms, max {times[-1]:.1f} ms (index already parsed)\n"
        f"{browser}"
    )


def _in_chromium(output: Path, data: Data) -> str:
    """The first answer of /check/ on this site in Chromium, as a reader would wait for it."""
    from .bench_readers import measure_check

    tweets = [text for _, text in data.queries["dev-test"][:2]]
    found = measure_check(output, tweets)
    if isinstance(found, str):
        return f"/check/ in Chromium: {found}"
    first, again = found
    return (
        f"/check/ in Chromium (127.0.0.1, empty cache): first answer {first.ms:.0f} ms "
        f"({first.bytes:,} bytes in {first.files} files, uncompressed), next {again.ms:.0f} ms"
    )
