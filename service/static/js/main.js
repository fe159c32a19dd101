// Entry point of the analyst page (served at /): wires the tabs, the API key box, the
// model line and the "Score an article" view. See docs/page.md.

import { ApiProblem, api, getKey, problemText, setKey } from "./api.js";
import { highlightEvidence, renderArticle, renderPassageDetail } from "./article.js";
import { LABEL_NAMES, el, fmtSigned, pairText, showError } from "./common.js";
import { directions, renderPairs } from "./pairs.js";
import { setupTimeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);

const state = { thresholds: null, pairThresholds: null, formula: "", byIndex: new Map(), result: null, text: "" };

// ---- tabs (WAI-ARIA tabs pattern: arrows, Home, End; #time deep link) --------------------
function setupTabs(timeline) {
  const tabs = [$("tab-article"), $("tab-time")];
  function activate(tab, focus) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    if (tab.id === "tab-time") timeline.activate();
    const hash = tab.id === "tab-time" ? "#time" : "";
    if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname);
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => activate(tab, false));
    tab.addEventListener("keydown", (e) => {
      let j = null;
      if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
      else if (e.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
      else if (e.key === "Home") j = 0;
      else if (e.key === "End") j = tabs.length - 1;
      if (j !== null) {
        e.preventDefault();
        activate(tabs[j], true);
      }
    });
  });
  if (location.hash === "#time") activate(tabs[1], false);
}

// ---- API key ----------------------------------------------------------------------------
function setupKey() {
  const box = $("key-box");
  const input = $("api-key");
  const status = $("key-status");
  if (getKey()) {
    input.value = getKey();
    status.textContent = "A key is set for this tab.";
  }
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const key = input.value.trim();
    const ok = setKey(key);
    status.textContent = !ok ? "This browser refused to store the key (sessionStorage is blocked)."
      : key ? "Key saved for this tab; it is sent with every request." : "No key set.";
  });
  $("key-forget").addEventListener("click", () => {
    input.value = "";
    setKey("");
    status.textContent = "Key forgotten.";
  });
  return {
    ask(message) {
      box.open = true;
      $("key-need").hidden = false;
      status.textContent = message || "";
      input.focus();
    },
  };
}

async function detectKeyRequirement() {
  try {
    const spec = await api.openapi();
    const op = spec && spec.paths && spec.paths["/v1/score"] && spec.paths["/v1/score"].post;
    if (op && Array.isArray(op.security) && op.security.length) {
      $("key-need").hidden = false;
      if (!getKey()) $("key-box").open = true;
    }
  } catch (err) {
    // The page works without this hint: a missing key still shows the server's 401 detail.
  }
}

// ---- model line ---------------------------------------------------------------------------
async function loadModel() {
  const info = $("model-info");
  try {
    const m = await api.model();
    state.thresholds = m.thresholds || null;
    state.pairThresholds = m.pair_thresholds || null;
    state.formula = m.tension_formula || "";
    info.textContent = `Model ${m.version}`;
    if (m.sha256) info.title = `sha256 ${m.sha256}`;
  } catch (err) {
    info.textContent = `Model: not available — ${err.detail}`;
  }
}

function showModelVersion(model) {
  if (!model || !model.version) return;
  const info = $("model-info");
  info.textContent = `Model ${model.version}`;
  if (model.sha256) info.title = `sha256 ${model.sha256}`;
}

// ---- scoring ------------------------------------------------------------------------------
function setupScoring(key) {
  const form = $("score-form");
  const textarea = $("article-text");
  const button = $("score-button");
  const err = $("score-error");
  const status = $("score-status");
  const results = $("results");
  const article = $("article");
  const detail = $("passage-detail");
  const pairStatus = $("pair-status");
  let pairsView = null;

  function showPassage(node) {
    if (!state.result || !node) return;
    const idx = Number(node.dataset.index);
    const p = state.result.passages.find((q) => q.index === idx);
    if (p) renderPassageDetail(detail, p, state.thresholds);
  }
  article.addEventListener("click", (e) => showPassage(e.target.closest(".psg")));
  article.addEventListener("focusin", (e) => showPassage(e.target.closest(".psg")));
  article.addEventListener("keydown", (e) => {
    if ((e.key === "Enter" || e.key === " ") && e.target.classList.contains("psg")) {
      e.preventDefault();
      showPassage(e.target);
    }
  });

  function onPair(pair) {
    const nodes = highlightEvidence(article, state.byIndex, pair ? pair.evidence || [] : null);
    if (!pair) {
      pairStatus.textContent = "No pair selected: every passage is shown.";
      return;
    }
    const n = nodes.length;
    const who = directions(pair).map((d) => d.text).join("; ");
    pairStatus.textContent = `${pairText(pair.pair)}: ${n} evidence passage${n === 1 ? "" : "s"} highlighted` +
      (n ? `, strongest first (passage ${(pair.evidence || []).map((i) => i + 1).join(", ")}).` : ".") +
      (who ? ` ${who}.` : "");
    if (nodes[0]) nodes[0].scrollIntoView({ block: "nearest" });
  }

  function render(text, result) {
    state.result = result;
    state.text = text;
    showModelVersion(result.model);
    const { byIndex, mismatches } = renderArticle(article, text, result, state.thresholds);
    state.byIndex = byIndex;
    detail.hidden = true;
    const names = {};
    const list = $("countries");
    list.replaceChildren();
    for (const c of result.countries || []) {
      names[c.code] = c.name;
      const labels = (c.labels || []).map((l) => LABEL_NAMES[l]).join(", ") || "no label";
      list.append(el("li", {}, el("span", { class: "ctry" }, c.name), el("span", { class: "tag" }, c.code),
        ` ${c.mentions.length} mention${c.mentions.length === 1 ? "" : "s"} · tension ${fmtSigned(c.tension)} · ${labels}`));
    }
    if (!(result.countries || []).length) list.append(el("li", { text: "No country recognised." }));
    const pairs = result.pairs || [];
    pairsView = renderPairs($("pairs").querySelector("tbody"), pairs, names, state.pairThresholds, onPair);
    $("pairs").hidden = pairs.length === 0;
    $("no-pairs").hidden = pairs.length !== 0;
    $("formula").textContent = state.formula ? `Tension in [\u22121, 1]: ${state.formula}.` : "";
    pairStatus.textContent = "";
    results.hidden = false;
    const labelled = (result.passages || []).filter((p) => (p.labels || []).length).length;
    status.textContent = `Scored with model ${result.model ? result.model.version : "?"}: ` +
      `${result.passages.length} passages (${labelled} with a label), ${(result.countries || []).length} countries, ` +
      `${pairs.length} pairs.` + (mismatches ? ` Warning: ${mismatches} passage(s) did not line up with the text; ` +
      "highlights may be off." : "");
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError(err, "");
    const text = textarea.value;
    if (!text.trim()) {
      showError(err, "Paste an article first: the text box is empty.");
      textarea.focus();
      return;
    }
    const published = $("article-date").value;
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    button.textContent = "Scoring…";
    status.textContent = "Scoring the article…";
    try {
      if (!state.thresholds) await loadModel();
      const result = await api.score(text, published || undefined);
      render(text, result);
    } catch (ex) {
      status.textContent = "";
      const problem = ex instanceof ApiProblem ? ex : new ApiProblem(0, `The page failed: ${ex.message}`);
      showError(err, problemText(problem));
      if (problem.status === 401) key.ask("Enter a valid API key, then score again.");
    } finally {
      button.disabled = false;
      form.removeAttribute("aria-busy");
      button.textContent = "Score article";
    }
  });

  $("clear-button").addEventListener("click", () => {
    textarea.value = "";
    $("article-date").value = "";
    showError(err, "");
    status.textContent = "";
    results.hidden = true;
    state.result = null;
    if (pairsView) pairsView.clear();
    textarea.focus();
  });
}

function start() {
  const key = setupKey();
  const timeline = setupTimeline();
  setupTabs(timeline);
  setupScoring(key);
  loadModel();
  detectKeyRequirement();
  document.documentElement.dataset.ready = "true";
}

start();
