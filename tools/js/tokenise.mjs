// Tokenises texts with the theme's tokens.js under Node, for tests/test_tokens_js.py:
// stdin {"static": "/path/to/static/", "config": {...}, "texts": [...]} -> stdout [[tokens]...].
import { pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";

const input = JSON.parse(readFileSync(0, "utf8"));
const base = pathToFileURL(input.static);
const { Tokeniser } = await import(new URL("tokens.js", base).href);
const tokeniser = new Tokeniser(input.config, base);
const out = [];
for (const text of input.texts) {
  await tokeniser.prepare(text);
  out.push(tokeniser.tokens(text));
}
process.stdout.write(JSON.stringify(out));
