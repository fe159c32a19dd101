// The pair table of a scored article: one row per pair, most tense first, a bar per label
// and for the tension. Each pair's name is a button (Enter / Space / click), and a click
// anywhere on the row does the same; onSelect(pair or null) is called on every change.

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
    tr.append(el("th", { scope: "row" }, button));
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
