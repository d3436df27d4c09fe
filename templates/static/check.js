// "Has this been debunked?": ranks a site's cases against a pasted post, claim or paragraph.
// No DOM here: the page (check-page.js) and the benchmark (`site-builder graph-eval
// --checkthat`, run under Node) call the same `Checker`. Data: check/index.json, written by
// site_builder/check_index.py; how it ranks: docs/check-and-search.md.

import { Tokeniser } from "./tokens.js";

// Chosen on the CheckThat! 2022 2A train and dev splits only (never on dev-test): see
// docs/check-and-search.md for the search and what each part adds.
export const DEFAULTS = {
  k1: 1.2,
  weights: [3.0, 2.0, 1.0], // BM25F field weights: title, claim, body (summary + response)
  b: [0.5, 0.5, 0.75], // length normalisation per field
  dateBoost: 1.2, // a case dated just after the post scores up to (1 + dateBoost) times more,
  dateScale: 30, // fading with the days since the post: exp(-days / dateScale);
  dateBefore: 3, // a case dated up to this many days before the post still counts as after
  oldPenalty: 0.0, // cases older than that: score times (1 - oldPenalty)
  authorWeight: 1.0, // words of the embed's "— Name (@handle)" line, beside the post's own
  minShare: 0.2, // cases scoring under this share of the best one are not shown
};

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
const DIGITS = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) DIGITS[ALPHABET.charCodeAt(i)] = i;
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
  "september", "october", "november", "december"];
// An embedded post ends "— Name (@handle) June 16, 2021".
const SIGNATURE = /[—–]\s*([^—–\n]{0,80}?)\s*\(@(\w{1,30})\)\s*([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})\s*$/u;
const LINKS = /\b(?:https?:\/\/|www\.|pic\.twitter\.com\/)\S*/giu;
const MENTION = /[@#](\w+)/gu;

// yyyymmdd of a "YYYY-MM-DD" string (the date field), 0 if there is none.
export function isoDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec((text || "").trim());
  return match ? Number(match[1] + match[2] + match[3]) : 0;
}

function camelWords(name) {
  return name.replace(/([\p{Ll}\d])(\p{Lu})/gu, "$1 $2").replace(/_/gu, " ");
}

// The words of a pasted post without links, its date and author from an embed's last line.
export function readPost(text) {
  let body = text.trim();
  let date = 0;
  let author = "";
  const signature = SIGNATURE.exec(body);
  if (signature) {
    const month = MONTHS.findIndex((m) => m.startsWith(signature[3].toLowerCase().slice(0, 3)));
    if (month >= 0) {
      date = Number(signature[5]) * 10000 + (month + 1) * 100 + Number(signature[4]);
      author = `${signature[1]} ${camelWords(signature[2])}`;
      body = body.slice(0, signature.index);
    }
  }
  body = body.replace(LINKS, " ").replace(MENTION, (_, name) => ` ${camelWords(name)} `);
  return { body, date, author };
}

function dayNumber(yyyymmdd) {
  const y = Math.floor(yyyymmdd / 10000);
  const m = Math.floor(yyyymmdd / 100) % 100;
  return Date.UTC(y, m - 1, yyyymmdd % 100) / 86400000;
}

export class Checker {
  constructor(index, base, params = {}) {
    this.index = index;
    this.params = { ...DEFAULTS, ...params };
    this.tokeniser = new Tokeniser(index.tokens, base);
    this.n = index.cases;
    this.days = Float64Array.from(index.dates, dayNumber);
    this.decoded = new Map(); // stem -> {docs: Int32Array, tf: Uint16Array}
  }

  // Stem -> {docs, tf}, decoded from check_index.py's string once per stem.
  postings(stem) {
    let found = this.decoded.get(stem);
    if (found === undefined) {
      const text = this.index.terms[stem] || "";
      const docs = [];
      const tf = [];
      let doc = -1;
      let value = 0;
      let shift = 0;
      for (let i = 0; i < text.length; i++) {
        const digit = DIGITS[text.charCodeAt(i)];
        if (digit >= 32) { value += (digit - 32) << shift; shift += 5; continue; }
        doc += value + (digit << shift);
        docs.push(doc);
        tf.push(DIGITS[text.charCodeAt(++i)]);
        value = 0;
        shift = 0;
      }
      found = { docs: Int32Array.from(docs), tf: Uint8Array.from(tf) };
      this.decoded.set(stem, found);
    }
    return found;
  }

  async prepare(text) {
    await this.tokeniser.prepare(text);
  }

  // Stem -> {weight, words: surface words of the query}, from the post's body and author.
  queryTerms(post) {
    const terms = new Map();
    const add = (text, weight) => {
      for (const word of this.tokeniser.words(text)) {
        const stem = this.tokeniser.stem(word);
        const term = terms.get(stem) || { weight: 0, words: [] };
        term.weight = Math.max(term.weight, weight);
        if (weight < 1 && term.weight >= 1) continue;
        if (!term.words.includes(word)) term.words.push(word);
        terms.set(stem, term);
      }
    };
    add(post.body, 1);
    if (this.params.authorWeight) add(post.author, this.params.authorWeight);
    return terms;
  }

  // Every case with a shared word, best first: [{doc, score, words}], `limit` of them.
  rank(text, { date = 0, limit = 10 } = {}) {
    const post = readPost(text);
    const when = date || post.date;
    const terms = this.queryTerms(post);
    const scores = this.score(terms);
    if (when) this.datePrior(scores, dayNumber(when));
    const best = scores.reduce((a, b) => Math.max(a, b), 0);
    const floor = Math.max(best * this.params.minShare, Number.MIN_VALUE);
    const hits = [];
    scores.forEach((score, doc) => { if (score >= floor) hits.push(doc); });
    hits.sort((a, b) => scores[b] - scores[a] || a - b);
    return hits.slice(0, limit).map((doc) => ({
      doc, score: scores[doc], words: this.matched(doc, terms),
    }));
  }

  score(terms) {
    const { k1, weights, b } = this.params;
    const { averages, lengths } = this.index;
    const scores = new Float64Array(this.n);
    const norm = [0, 1, 2].map((f) => (len) => 1 - b[f] + (b[f] * len) / (averages[f] || 1));
    for (const [stem, term] of terms) {
      const { docs, tf } = this.postings(stem);
      if (!docs.length) continue;
      const idf = Math.log(1 + (this.n - docs.length + 0.5) / (docs.length + 0.5));
      for (let i = 0; i < docs.length; i++) {
        const d = docs[i];
        const code = tf[i];
        const t = (weights[0] * (code >> 4)) / norm[0](lengths[3 * d])
          + (weights[1] * ((code >> 2) & 3)) / norm[1](lengths[3 * d + 1])
          + (weights[2] * (code & 3)) / norm[2](lengths[3 * d + 2]);
        scores[d] += term.weight * idf * (t / (k1 + t));
      }
    }
    return scores;
  }

  datePrior(scores, day) {
    const { dateBefore, dateBoost, oldPenalty, dateScale } = this.params;
    for (let d = 0; d < scores.length; d++) {
      if (!scores[d]) continue;
      const delta = this.days[d] - day;
      if (delta < -dateBefore) scores[d] *= 1 - oldPenalty;
      else scores[d] *= 1 + dateBoost * Math.exp(-Math.max(0, delta) / dateScale);
    }
  }

  // The words of the query this case shares, rarest first.
  matched(doc, terms) {
    const shared = [];
    for (const [stem, term] of terms) {
      const { docs } = this.postings(stem);
      let low = 0;
      let high = docs.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (docs[mid] < doc) low = mid + 1; else high = mid;
      }
      if (low < docs.length && docs[low] === doc) shared.push([docs.length, term.words[0]]);
    }
    shared.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    return shared.map(([, word]) => word);
  }
}
