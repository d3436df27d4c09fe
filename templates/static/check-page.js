// The /check/ page: reads the form, loads check/index.json on first use, shows ranked cases.
// Ranking itself is check.js, the code the benchmark runs under Node.
import { Checker, isoDate } from "./check.js";

const form = document.getElementById("check-form");
const claim = document.getElementById("check-claim");
const seen = document.getElementById("check-seen");
const status = document.getElementById("check-status");
const list = document.getElementById("check-results");
const heading = document.getElementById("check-heading");
const SHOWN = 10;
const WORDS_SHOWN = 6;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

const indexUrl = new URL(form.dataset.index, document.baseURI);
const staticUrl = new URL(form.dataset.static, document.baseURI);
const siteRoot = form.dataset.root;
let checker = null;
const chunks = new Map();

async function json(path, options = {}) {
  const response = await fetch(new URL(path, indexUrl), options);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

async function load() {
  if (!checker) {
    const index = await json("index.json", { cache: "no-cache" });
    if (index.version !== 2) throw new Error(`unknown index version ${index.version}`);
    checker = new Checker(index, staticUrl);
  }
  return checker;
}

function doc(number) {
  const k = Math.floor(number / checker.index.chunk);
  if (!chunks.has(k)) {
    const promise = json(`docs/${k}.json?v=${checker.index.digest}`);
    promise.catch(() => chunks.delete(k));
    chunks.set(k, promise);
  }
  return chunks.get(k).then((rows) => rows[number - k * checker.index.chunk]);
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value; else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function dateText(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

function wordList(words) {
  const shown = words.slice(0, WORDS_SHOWN);
  const parts = [];
  shown.forEach((word, i) => {
    if (i) parts.push(i === shown.length - 1 && words.length <= WORDS_SHOWN ? " and " : ", ");
    parts.push(el("strong", { text: word }));
  });
  if (words.length > WORDS_SHOWN) parts.push(` and ${words.length - WORDS_SHOWN} more`);
  return parts;
}

function item(hit, row) {
  const [slug, title, date, rating] = row;
  return el("li", { class: "case-card" },
    el("h3", { class: "case-card-title" }, el("a", { href: `${siteRoot}cases/${slug}/`, text: title })),
    el("p", { class: "meta" }, el("time", { datetime: date, text: dateText(date) }), ` · ${rating}`),
    el("p", { class: "check-why" }, "Shares the words ", ...wordList(hit.words), "."));
}

async function check(event) {
  event.preventDefault();
  const text = claim.value.trim();
  if (!text) {
    status.textContent = "Paste the text you want to check first.";
    claim.focus();
    return;
  }
  status.textContent = "Comparing with every case…";
  try {
    await load();
    await checker.prepare(text);
    const hits = checker.rank(text, { date: isoDate(seen.value), limit: SHOWN });
    const rows = await Promise.all(hits.map((hit) => doc(hit.doc)));
    list.replaceChildren(...hits.map((hit, i) => item(hit, rows[i])));
    status.textContent = !hits.length
      ? "No case shares a word with your text. Try the search page with a name or a place."
      : hits.length === SHOWN ? `The ${SHOWN} most similar cases, most similar first.`
        : `${hits.length === 1 ? "1 case shares" : `${hits.length} cases share`} words with your text, most similar first.`;
    if (hits.length) heading.focus();
  } catch (error) {
    status.textContent = `The cases could not be loaded (${error.message}).`;
  }
}

form.addEventListener("submit", check);
