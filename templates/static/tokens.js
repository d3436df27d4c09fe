// The site's tokeniser, twin of site_builder/tokens.py: what the build indexed and what a reader
// types are split and stemmed alike (tests/test_tokens_js.py runs both over the same words).
// `config` is the "tokens" object of a manifest the build wrote. Snowball stemmers are ES
// modules under ./snowball/, imported only for the scripts a text holds.

const loaded = new Map(); // algorithm -> Promise of a stemmer

export function normalise(text) {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

function scriptOf(word, scripts) {
  for (const char of word) {
    const code = char.codePointAt(0);
    for (const [script, low, high] of scripts) if (code >= low && code <= high) return script;
  }
  return "";
}

export class Tokeniser {
  constructor(config, base) {
    this.config = config;
    this.base = base; // URL of the folder holding snowball/
    this.stop = new Set(config.stop_words);
    this.stemmers = new Map(); // algorithm -> stemmer, once loaded
    this.cache = new Map();
  }

  words(text) {
    const { min, max } = this.config;
    return (normalise(text).match(/[\p{L}\p{N}]+/gu) || []).filter((word) => {
      const length = [...word].length; // code points, like Python's len()
      return length >= min && length <= max && !this.stop.has(word);
    });
  }

  algorithm(word) {
    return this.config.stemmers[scriptOf(word, this.config.scripts)] || "";
  }

  // Loads the stemmers the words of `text` need; call before `stem` or `tokens`.
  async prepare(text) {
    const needed = new Set(this.words(text).map((word) => this.algorithm(word)));
    needed.delete("");
    await Promise.all([...needed].map(async (name) => {
      if (this.stemmers.has(name)) return;
      if (!loaded.has(name)) {
        const url = new URL(`snowball/${name}-stemmer.js`, this.base);
        loaded.set(name, import(url.href).then((module) => new module.default()));
      }
      this.stemmers.set(name, await loaded.get(name));
    }));
  }

  stem(word) {
    let found = this.cache.get(word);
    if (found === undefined) {
      const name = this.algorithm(word);
      const stemmer = this.stemmers.get(name);
      if (name && !stemmer) throw new Error(`stemmer ${name} not loaded (call prepare first)`);
      found = stemmer ? stemmer.stemWord(word) : word;
      this.cache.set(word, found);
    }
    return found;
  }

  tokens(text) {
    return this.words(text).map((word) => this.stem(word));
  }
}
