// Ranks queries with the theme's check.js under Node, exactly as /check/ does in a browser,
// for `site-builder graph-eval --checkthat` and the tests. stdin: {"static": theme static dir,
// "check": a built site's check/ dir, "queries": [[id, text, yyyymmdd or 0]...],
// "params": [{...}...], "k": 5} -> stdout {"rankings": [{id: [slug...]}...], "ms": [...]}.
import { pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const input = JSON.parse(readFileSync(0, "utf8"));
const base = pathToFileURL(input.static);
const { Checker } = await import(new URL("check.js", base).href);
const started = performance.now();
const index = JSON.parse(readFileSync(`${input.check}/index.json`, "utf8"));
const slugs = [];
for (let k = 0; k * index.chunk < index.cases; k++) {
  for (const row of JSON.parse(readFileSync(`${input.check}/docs/${k}.json`, "utf8"))) slugs.push(row[0]);
}
const loadMs = performance.now() - started;
const rankings = [];
const ms = [];
for (const params of input.params) {
  const checker = new Checker(index, base, params);
  const ranking = {};
  const times = [];
  for (const [id, text, date] of input.queries) {
    const t0 = performance.now();
    await checker.prepare(text);
    ranking[id] = checker.rank(text, { date, limit: input.k }).map((hit) => slugs[hit.doc]);
    times.push(performance.now() - t0);
  }
  rankings.push(ranking);
  ms.push(times);
}
process.stdout.write(JSON.stringify({ rankings, ms, load_ms: loadMs }));
