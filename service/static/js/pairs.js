// The pair table of a scored article: one row per pair, most tense first, a bar per label
// and for the tension, and who does what to whom (CHN → JPN for coercion, the agent
// first). Each pair's name is a button (Enter / Space / click), and a click anywhere on the
// row does the same; onSelect(pair or null) is called on every change.

import { LABELS, LABEL_NAMES, el, fmtScore, fmtSigned, pairText, scoreBar, tensionBar } from "./common.js";

export function sortPairs(pairs) {
  return [...pairs].sort((a, b) => (b.tension - a.tension) || pairText(a.pair).localeCompare(pairText(b.pair)));
}

export function labelCell(label, value, threshold, holds) {
  const td = el("td", { class: "num-cell" });
  td.append(scoreBar(label, value, threshold));
  td.append(el("span", { class: "num" }, fmtScore(value)));
  if (holds) {
    td.append(el("span", { class: `holds b-${label}`, "aria-hidden": "true" }, "\u2713"));
    td.append(el("span", { class: "sr-only" }, ` ${LABEL_NAMES[label]} holds`));
  }
  return td;
}

export function tensionCell(value) {
  const td = el("td", { class: "num-cell" });
  td.append(tensionBar(value));
  td.append(el("span", { class: "num" }, fmtSigned(value)));
  return td;
}

// The direction of each agent label the pair carries: {label, text, arrow}; text reads
// "CHN → JPN (coercion)", or "CHN ↔ JPN" when both are agents.
export function directions(pair, names = {}) {
  const out = [];
  const agents = pair.agents || {};
  for (const label of ["coercion", "human_rights"]) {
    const who = agents[label] || [];
    if (!who.length || !(pair.labels || []).includes(label)) continue;
    const [a, b] = pair.pair;
    const both = who.length === 2;
    const from = both ? a : who[0];
    const to = both ? b : (from === a ? b : a);
    const arrow = `${from} ${both ? "\u2194" : "\u2192"} ${to}`;
    const verb = label === "coercion" ? (both ? "coerce each other" : "coerces") :
      (both ? "are both responsible for abuses" : "is responsible for abuses raised by");
    const spoken = both ? `${names[a] || a} and ${names[b] || b} ${verb}` :
      `${names[from] || from} ${verb} ${names[to] || to}`;
    out.push({ label, arrow, text: `${arrow} (${LABEL_NAMES[label]})`, spoken });
  }
  return out;
}

export function renderPairs(tbody, pairs, names, thresholds, onSelect) {
  tbody.replaceChildren();
  let selected = null;
  const rows = [];

  function select(row) {
    const next = selected === row ? null : row;
    for (const r of rows) {
      const on = r === next;
      r.tr.classList.toggle("selected", on);
      r.button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    selected = next;
    onSelect(next ? next.pair : null);
  }

  for (const pair of sortPairs(pairs)) {
    const [a, b] = pair.pair;
    const label = `${a}\u2013${b}`;
    const full = `${names[a] || a} and ${names[b] || b}`;
    const button = el("button", { type: "button", class: "pair-btn", "aria-pressed": "false", title: full },
      el("span", { class: "codes" }, label), el("span", { class: "names" }, full));
    const tr = el("tr", { "data-pair": `${a}-${b}` });
    const th = el("th", { scope: "row" }, button);
    for (const d of directions(pair, names)) {
      th.append(el("span", { class: `direction lab-${d.label}`, "data-label": d.label, title: d.spoken },
        el("span", { "aria-hidden": "true" }, d.arrow), el("span", { class: "sr-only" }, d.spoken)));
    }
    tr.append(th);
    tr.append(tensionCell(pair.tension));
    for (const l of LABELS) {
      const th = thresholds ? thresholds[l] : undefined;
      tr.append(labelCell(l, pair.scores ? pair.scores[l] : undefined, th, (pair.labels || []).includes(l)));
    }
    const nEv = (pair.evidence || []).length;
    tr.append(el("td", { class: "ev-count" }, String(nEv), el("span", { class: "sr-only" }, nEv === 1 ? " passage" : " passages")));
    const row = { tr, button, pair };
    rows.push(row);
    button.addEventListener("click", (e) => {
      e.stopPropagation();
      select(row);
    });
    tr.addEventListener("click", () => select(row));
    tbody.append(tr);
  }
  return { clear: () => selected && select(selected) };
}
