// Search over the static index in search/ (built by site_builder/search_index.py).
// Self-hosted, no libraries, no requests outside this site. The page works without it: the
// server-rendered text explains that search needs JavaScript and links to the index pages.
"use strict";

(() => {
  const staticUrl = document.currentScript ? new URL("./", document.currentScript.src) : null;
  const app = document.getElementById("search-app");
  if (!app || !window.fetch || !window.URLSearchParams || !String.prototype.normalize) return;

  const PAGE_SIZE = 20;
  const FACETS_SHOWN = 8;
  const PARAMS = { tags: "tag", topics: "topic", countries: "country", languages: "language", outlets: "outlet" };
  const TITLES = { tags: "Tags", topics: "Topics", countries: "Countries", languages: "Languages", outlets: "Outlets" };
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  const indexUrl = new URL(app.dataset.index, document.baseURI);
  const siteRoot = app.dataset.root;
  const form = document.getElementById("search-form");
  const input = document.getElementById("search-q");
  const status = document.getElementById("search-status");
  const filtersBox = document.getElementById("search-filters");
  const facetsBox = document.getElementById("search-facets");
  const resultsBox = document.getElementById("search-results");
  const list = document.getElementById("search-list");
  const pages = document.getElementById("search-pages");
  const resultsHeading = document.getElementById("results-heading");
  const suggest = document.getElementById("search-suggest");
  const filtersDetails = document.getElementById("filters-details");
  const filtersActive = document.getElementById("filters-active");

  const files = new Map(); // path -> Promise of parsed JSON
  const meta = new Map(); // case id -> {date, facets}
  const expanded = new Set(); // taxonomies whose whole value list is shown
  let manifest = null;
  let tokeniser = null; // tokens.js, loaded with the manifest
  let facets = null; // {byId: Map(id -> {taxonomy, label, slug}), bySlug: {taxonomy: Map(slug -> id)}}
  let runNumber = 0;

  // ------------------------------------------------- tokens (tokens.js, as in the build)

  async function tokenise(text) {
    await tokeniser.prepare(text);
    return tokeniser.tokens(text);
  }

  function fnv1a(text) {
    let hash = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(text)) {
      hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }

  function shardOf(token) {
    const key = [...token].slice(0, manifest.tokens.prefix).join("");
    return fnv1a(key) & (manifest.shards - 1);
  }

  // ------------------------------------------------------------------------- loading

  function load(path) {
    if (!files.has(path)) {
      const url = new URL(path, indexUrl);
      if (manifest) url.searchParams.set("v", manifest.digest);
      const promise = fetch(url, manifest ? {} : { cache: "no-cache" }).then((response) => {
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
        return response.json();
      });
      promise.catch(() => files.delete(path)); // let a later search retry
      files.set(path, promise);
    }
    return files.get(path);
  }

  async function loadManifest() {
    if (manifest) return;
    const value = await load("manifest.json");
    if (value.version !== 1) throw new Error(`unknown index version ${value.version}`);
    const { Tokeniser } = await import(new URL("tokens.js", staticUrl).href);
    tokeniser = new Tokeniser(value.tokens, staticUrl);
    manifest = value;
    const table = await load("facets.json");
    const byId = new Map();
    const bySlug = {};
    for (const taxonomy of manifest.taxonomies) {
      bySlug[taxonomy] = new Map();
      for (const [id, label, slug, total] of table[taxonomy] || []) {
        byId.set(id, { taxonomy, label, slug, total });
        bySlug[taxonomy].set(slug, id);
      }
    }
    facets = { byId, bySlug };
  }

  async function loadMeta(ids) {
    const chunks = new Set();
    for (const id of ids) if (!meta.has(id)) chunks.add(Math.floor(id / manifest.meta_width));
    await Promise.all([...chunks].map(async (chunk) => {
      for (const [id, date, rank, ...facetIds] of await load(`meta/${chunk}.json`)) {
        meta.set(id, { date, rank, facets: facetIds });
      }
    }));
  }

  // Browsing by filters alone needs every case's facets: all meta chunks.
  async function loadAllMeta() {
    const ids = [];
    for (let id = 0; id < manifest.doc_space; id += manifest.meta_width) ids.push(id);
    await loadMeta(ids);
    return [...meta.keys()];
  }

  async function loadDocs(ids) {
    const chunks = [...new Set(ids.map((id) => Math.floor(id / manifest.docs_width)))];
    const docs = new Map();
    for (const rows of await Promise.all(chunks.map((chunk) => load(`docs/${chunk}.json`)))) {
      for (const [id, slug, title, snippet] of rows) docs.set(id, { slug, title, snippet });
    }
    return docs;
  }

  // --------------------------------------------------------------------------- query

  function addPostings(scores, lists) {
    lists.forEach((deltas, field) => {
      const weight = manifest.weights[field];
      let id = 0;
      for (const delta of deltas) {
        id += delta;
        if ((scores.get(id) || 0) < weight) scores.set(id, weight);
      }
    });
  }

  // Case id -> best field weight for one query token (the last one also matches as a prefix).
  async function tokenScores(token, prefix) {
    const shard = await load(`terms/${shardOf(token)}.json`);
    const scores = new Map();
    if (prefix) {
      for (const key of Object.keys(shard)) if (key.startsWith(token)) addPostings(scores, shard[key]);
    } else if (Object.hasOwn(shard, token)) {
      addPostings(scores, shard[token]);
    }
    return scores;
  }

  async function matchQuery(tokens) {
    const lastPrefix = [...tokens[tokens.length - 1]].length >= manifest.tokens.prefix;
    const perToken = await Promise.all(
      tokens.map((token, i) => tokenScores(token, i === tokens.length - 1 && lastPrefix)),
    );
    perToken.sort((a, b) => a.size - b.size);
    const [first, ...rest] = perToken;
    const scores = new Map();
    for (const [id, weight] of first) {
      let total = weight;
      for (const other of rest) {
        const w = other.get(id);
        if (w === undefined) { total = -1; break; }
        total += w;
      }
      if (total >= 0) scores.set(id, total);
    }
    return scores;
  }

  // ------------------------------------------------------- typo tolerance ("did you mean")

  // True when b is a one-edit change of a: a letter added, dropped, changed or two swapped.
  function oneEdit(a, b) {
    if (a === b || Math.abs(a.length - b.length) > 1) return false;
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    if (a.length === b.length) {
      return a.slice(i + 1) === b.slice(i + 1)
        || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  // The stem one edit away from `stem` that most cases hold, or null.
  async function nearest(stem) {
    const n = [...stem].length;
    const lengths = [n - 1, n, n + 1].filter((m) => m >= manifest.tokens.min && m <= manifest.tokens.max);
    const lists = await Promise.all(lengths.map((m) => load(`words/${m}.json`)));
    const near = lists.flat().filter((other) => oneEdit(stem, other));
    let best = null;
    let bestCount = 0;
    for (const other of near.sort()) {
      const count = (await tokenScores(other, false)).size;
      if (count > bestCount) { best = other; bestCount = count; }
    }
    return best;
  }

  // Query words of 5+ letters that match nothing, each replaced by its nearest stem; null if
  // none could be. `shown` is what the reader would type: "vaccnes" -> "vaccines".
  async function corrected(text) {
    const words = tokeniser.words(text);
    const tokens = words.map((word) => tokeniser.stem(word));
    const fixes = new Map(); // word as typed (normalised) -> word to suggest
    for (let i = 0; i < tokens.length; i++) {
      const prefix = i === tokens.length - 1 && [...tokens[i]].length >= manifest.tokens.prefix;
      if ([...words[i]].length < 5 || (await tokenScores(tokens[i], prefix)).size) continue;
      const stem = await nearest(tokens[i]);
      if (!stem) continue;
      const guess = words[i].startsWith(tokens[i]) ? stem + words[i].slice(tokens[i].length) : stem;
      fixes.set(words[i], tokeniser.stem(guess) === stem ? guess : stem);
      tokens[i] = stem;
    }
    if (!fixes.size) return null;
    const query = text.split(/([\p{L}\p{N}]+)/u)
      .map((part) => fixes.get(tokeniser.words(part)[0]) || part).join("").trim();
    return { tokens, query };
  }

  function passes(doc, state, ignoreYear) {
    for (const [taxonomy, ids] of Object.entries(state.filters)) {
      for (const id of ids) if (!doc.facets.includes(id)) return false;
    }
    return ignoreYear || !state.year || Math.floor(doc.date / 10000) === state.year;
  }

  // Counts answer "how many results would remain if I added this value" (filters combine
  // with AND); the year, one per case, counts what choosing that year instead would give.
  function count(hits, state) {
    const values = new Map();
    const years = new Map();
    for (const id of hits) {
      const doc = meta.get(id);
      if (!passes(doc, state, true)) continue;
      const year = Math.floor(doc.date / 10000);
      years.set(year, (years.get(year) || 0) + 1);
      if (state.year && year !== state.year) continue;
      for (const facet of doc.facets) values.set(facet, (values.get(facet) || 0) + 1);
    }
    return { values, years };
  }

  // Counts before any search: every case, straight from the facet table (no meta needed).
  function totals() {
    const values = new Map([...facets.byId].map(([id, info]) => [id, info.total]));
    const years = new Map(Object.entries(manifest.years).map(([y, n]) => [Number(y), n]));
    return { values, years };
  }

  // ----------------------------------------------------------------------------- state

  function emptyState() {
    const filters = {};
    for (const taxonomy of Object.keys(PARAMS)) filters[taxonomy] = [];
    return { q: "", filters, year: 0, page: 1 };
  }

  function readState(search) {
    const params = new URLSearchParams(search);
    const state = emptyState();
    state.q = (params.get("q") || "").trim();
    for (const [taxonomy, name] of Object.entries(PARAMS)) {
      state.filters[taxonomy] = params.getAll(name);
    }
    state.year = Number.parseInt(params.get("year") || "", 10) || 0;
    state.page = Math.max(1, Number.parseInt(params.get("page") || "", 10) || 1);
    return state;
  }

  function writeState(state) {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    for (const [taxonomy, name] of Object.entries(PARAMS)) {
      for (const slug of [...state.filters[taxonomy]].sort()) params.append(name, slug);
    }
    if (state.year) params.set("year", String(state.year));
    if (state.page > 1) params.set("page", String(state.page));
    const text = params.toString();
    return text ? `?${text}` : location.pathname;
  }

  // URL state holds slugs; matching uses facet ids. Unknown slugs are dropped, not fatal.
  function resolved(state) {
    const filters = {};
    for (const taxonomy of Object.keys(PARAMS)) {
      filters[taxonomy] = state.filters[taxonomy]
        .map((slug) => facets.bySlug[taxonomy] && facets.bySlug[taxonomy].get(slug))
        .filter((id) => id !== undefined);
    }
    return { ...state, filters };
  }

  function hasFilters(state) {
    return Boolean(state.year) || Object.values(state.filters).some((ids) => ids.length > 0);
  }

  let current = emptyState();

  function navigate(state, { replace = false, focusResults = false } = {}) {
    current = state;
    const url = writeState(state);
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    run(state, { focusResults });
  }

  // -------------------------------------------------------------------------- render

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child !== null) node.append(child);
    return node;
  }

  function dateText(date) {
    const year = Math.floor(date / 10000);
    const month = Math.floor(date / 100) % 100;
    const day = date % 100;
    return [`${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
      `${day} ${MONTHS[month - 1]} ${year}`];
  }

  // Text with the words that matched the query in <mark>, built from text nodes (no HTML).
  function highlighted(text, tokens) {
    const fragment = document.createDocumentFragment();
    if (!tokens.length) { fragment.append(text); return fragment; }
    const exact = new Set(tokens);
    const last = tokens[tokens.length - 1];
    const prefix = [...last].length >= manifest.tokens.prefix ? last : null;
    for (const part of text.split(/([\p{L}\p{N}]+)/u)) {
      const [word] = tokeniser.words(part);
      const stem = word && tokeniser.stem(word);
      if (stem && (exact.has(stem) || (prefix && stem.startsWith(prefix)))) {
        fragment.append(el("mark", { text: part }));
      } else if (part) {
        fragment.append(part);
      }
    }
    return fragment;
  }

  function caseItem(id, doc, tokens) {
    const [iso, text] = dateText(meta.get(id).date);
    return el("li", { class: "case-card" },
      el("h3", { class: "case-card-title" },
        el("a", { href: `${siteRoot}cases/${doc.slug}/` }, highlighted(doc.title, tokens))),
      el("p", { class: "meta" }, el("time", { datetime: iso, text })),
      doc.snippet ? el("p", { class: "claim-line" }, highlighted(doc.snippet, tokens)) : null);
  }

  function pageLink(state, page, rel, label) {
    const link = el("a", { href: writeState({ ...state, page }), rel, text: label });
    link.addEventListener("click", (event) => {
      event.preventDefault();
      navigate({ ...current, page }, { focusResults: true });
    });
    return link;
  }

  function renderPages(state, total) {
    const last = Math.max(1, Math.ceil(total / PAGE_SIZE));
    pages.replaceChildren();
    pages.hidden = last === 1;
    if (last === 1) return;
    if (state.page > 1) pages.append(pageLink(state, state.page - 1, "prev", "← Previous"));
    pages.append(el("span", { class: "page-number", text: `Page ${state.page} of ${last}` }));
    if (state.page < last) pages.append(pageLink(state, state.page + 1, "next", "Next →"));
  }

  function toggle(taxonomy, slug, on) {
    const values = current.filters[taxonomy].filter((s) => s !== slug);
    if (on) values.push(slug);
    navigate({ ...current, filters: { ...current.filters, [taxonomy]: values }, page: 1 });
  }

  // `state` is as in the URL (slugs), so a checked box matches what the address says.
  function facetFieldset(taxonomy, state, counts) {
    const selected = new Set(state.filters[taxonomy]);
    const values = [];
    for (const [id, info] of facets.byId) {
      if (info.taxonomy !== taxonomy) continue;
      const n = counts.values.get(id) || 0;
      if (n > 0 || selected.has(info.slug)) values.push({ ...info, n });
    }
    if (!values.length) return null;
    values.sort((a, b) => b.n - a.n || a.label.localeCompare(b.label) || (a.slug < b.slug ? -1 : 1));
    const open = expanded.has(taxonomy);
    const listId = `facet-${taxonomy}`;
    const items = el("ul", { class: "facet-values", id: listId });
    values.forEach((value, index) => {
      if (!open && index >= FACETS_SHOWN && !selected.has(value.slug)) return;
      const boxId = `f-${taxonomy}-${value.slug}`;
      const box = el("input", { type: "checkbox", id: boxId, checked: selected.has(value.slug) });
      box.addEventListener("change", () => toggle(taxonomy, value.slug, box.checked));
      items.append(el("li", {}, box, el("label", { for: boxId },
        `${value.label} `, el("span", { class: "count", text: String(value.n) }))));
    });
    const fieldset = el("fieldset", { class: "facet" }, el("legend", { text: TITLES[taxonomy] }), items);
    if (values.length > FACETS_SHOWN) {
      const more = el("button", {
        type: "button", class: "facet-more", id: `more-${taxonomy}`,
        "aria-expanded": String(open), "aria-controls": listId,
        text: open ? `Show fewer ${TITLES[taxonomy].toLowerCase()}` : `Show all ${values.length} ${TITLES[taxonomy].toLowerCase()}`,
      });
      more.addEventListener("click", () => {
        if (open) expanded.delete(taxonomy); else expanded.add(taxonomy);
        run(current, {});
      });
      fieldset.append(more);
    }
    return fieldset;
  }

  function yearFieldset(state, counts) {
    const years = [...counts.years.keys()].sort((a, b) => b - a);
    if (!years.length && !state.year) return null;
    const select = el("select", { id: "f-year", name: "year" },
      el("option", { value: "", text: "Any year" }));
    for (const year of years) {
      select.append(el("option", { value: String(year), selected: year === state.year,
        text: `${year} (${counts.years.get(year)})` }));
    }
    select.addEventListener("change", () => {
      navigate({ ...current, year: Number.parseInt(select.value, 10) || 0, page: 1 });
    });
    return el("fieldset", { class: "facet" }, el("legend", { text: "Year" }),
      el("label", { for: "f-year", class: "visually-hidden", text: "Year of the case" }), select);
  }

  function renderFilters(state, counts) { // state: as in the URL (slugs)
    const focused = document.activeElement && document.activeElement.id;
    const parts = [];
    if (hasFilters(state)) {
      const clear = el("button", { type: "button", id: "f-clear", class: "facet-clear", text: "Clear all filters" });
      clear.addEventListener("click", () => navigate({ ...emptyState(), q: current.q }));
      parts.push(clear);
    }
    const year = yearFieldset(state, counts);
    if (year) parts.push(year);
    for (const taxonomy of manifest.taxonomies) {
      const fieldset = facetFieldset(taxonomy, state, counts);
      if (fieldset) parts.push(fieldset);
    }
    facetsBox.replaceChildren(...parts);
    filtersBox.hidden = parts.length === 0;
    const active = activeFilters(state);
    filtersActive.textContent = active ? `(${active} active)` : "";
    // Re-rendering replaced the control the reader was on: put the focus back on its twin.
    const again = focused && facetsBox.querySelector(`[id="${CSS.escape(focused)}"]`);
    if (again) again.focus();
    else if (focused && focused.startsWith("f-")) input.focus();
  }

  function activeFilters(state) {
    return Object.values(state.filters).reduce((n, ids) => n + ids.length, 0) + (state.year ? 1 : 0);
  }

  function describe(state, total, query = state.q) {
    const filters = activeFilters(state);
    const what = total === 1 ? "1 case" : `${total} cases`;
    const words = query ? ` ${total === 1 ? "matches" : "match"} “${query}”` : " in all";
    const narrowed = filters ? ` with ${filters === 1 ? "1 filter" : `${filters} filters`}` : "";
    return `${what}${words}${narrowed}.`;
  }

  // --------------------------------------------------------------------------- run

  async function run(rawState, { focusResults = false } = {}) {
    const number = ++runNumber;
    try {
      await loadManifest();
      const state = resolved(rawState);
      let tokens = await tokenise(state.q);
      let suggestion = null; // the corrected query, when only a one-edit change matched
      if (!tokens.length && !hasFilters(state)) {
        if (number !== runNumber) return;
        showSuggestion(null);
        status.textContent = state.q
          ? `“${state.q}” has only very common words; add a more specific one.`
          : `Type a word to search ${manifest.cases} cases, or choose a filter.`;
        resultsBox.hidden = true;
        renderFilters(rawState, totals());
        return;
      }
      let scores;
      if (tokens.length) {
        scores = await matchQuery(tokens);
        const fix = scores.size ? null : await corrected(state.q);
        const fixed = fix && await matchQuery(fix.tokens);
        if (fixed && fixed.size) [scores, tokens, suggestion] = [fixed, fix.tokens, fix.query];
        await loadMeta(scores.keys());
      } else {
        scores = new Map((await loadAllMeta()).map((id) => [id, 0]));
      }
      const hits = [...scores.keys()];
      const counts = count(hits, state);
      const results = hits.filter((id) => passes(meta.get(id), state, false));
      // Best score first, then newest, then by slug (`rank`), the order of the list pages.
      results.sort((a, b) => scores.get(b) - scores.get(a) || meta.get(b).date - meta.get(a).date
        || meta.get(a).rank - meta.get(b).rank);
      const lastPage = Math.max(1, Math.ceil(results.length / PAGE_SIZE));
      const page = Math.min(state.page, lastPage);
      const shown = results.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
      const docs = await loadDocs(shown);
      await tokeniser.prepare([...docs.values()].map((d) => `${d.title} ${d.snippet}`).join(" "));
      if (number !== runNumber) return; // a newer search has started; drop this one
      list.replaceChildren(...shown.map((id) => caseItem(id, docs.get(id), tokens)));
      list.start = (page - 1) * PAGE_SIZE + 1;
      resultsBox.hidden = results.length === 0;
      renderPages({ ...rawState, page }, results.length);
      renderFilters(rawState, counts);
      const pageText = lastPage > 1 ? ` Page ${page} of ${lastPage}.` : "";
      showSuggestion(suggestion);
      status.textContent = (suggestion ? `No case matches “${state.q}”. ` : "")
        + describe(state, results.length, suggestion || state.q) + pageText;
      if (focusResults) resultsHeading.focus();
    } catch (error) {
      if (number !== runNumber) return;
      status.textContent = `The search index could not be loaded (${error.message}). Browse the index pages below instead.`;
      document.getElementById("search-fallback").hidden = false;
    }
  }

  function showSuggestion(query) {
    suggest.hidden = !query;
    if (!query) { suggest.replaceChildren(); return; }
    const link = el("a", { href: writeState({ ...current, q: query, page: 1 }), text: query });
    link.addEventListener("click", (event) => {
      event.preventDefault();
      input.value = query;
      navigate({ ...current, q: query, page: 1 });
    });
    suggest.replaceChildren("Did you mean ", link, "?");
  }

  function showState(state) {
    current = state;
    input.value = state.q;
    run(state, {});
  }

  // --------------------------------------------------------------------------- wire up

  let typing = 0;
  input.addEventListener("input", () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => {
      navigate({ ...current, q: input.value.trim(), page: 1 }, { replace: true });
    }, 250);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(typing);
    const q = input.value.trim();
    if (q === current.q && current.page === 1) run(current, {});
    else navigate({ ...current, q, page: 1 });
  });
  window.addEventListener("popstate", () => showState(readState(location.search)));

  // Filters start open where there is room beside the results, folded on small screens.
  filtersDetails.open = window.matchMedia("(min-width: 60rem)").matches;
  app.hidden = false;
  document.getElementById("search-fallback").hidden = true;
  showState(readState(location.search));
})();
