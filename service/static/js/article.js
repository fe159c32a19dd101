// The article view: the submitted text with passages, evidence words and actors marked.
// Built with text nodes only (never innerHTML), from the text that was sent, using the
// API's code point offsets converted to UTF-16 (offsets.js).

import { LABELS, LABEL_NAMES, el, fmtScore, fmtSigned } from "./common.js";
import { codePointIndex, elementarySegments, sliceCp } from "./offsets.js";

function evidenceItems(passage) {
  // Positive contributions to the labels the passage holds: the words that made it so.
  const items = [];
  const expl = passage.explanations || {};
  for (const label of passage.labels || []) {
    for (const f of expl[label] || []) {
      if (!(f.weight > 0)) continue;
      for (const span of f.spans || []) {
        if (Array.isArray(span) && span.length === 2) {
          items.push({ start: span[0], end: span[1], label, feature: f.feature, weight: f.weight });
        }
      }
    }
  }
  return items;
}

export function passageTitle(p, thresholds) {
  const parts = LABELS.map((l) => {
    const s = p.scores ? p.scores[l] : undefined;
    const holds = (p.labels || []).includes(l);
    const th = thresholds && typeof thresholds[l] === "number" ? ` / threshold ${fmtScore(thresholds[l])}` : "";
    return `${LABEL_NAMES[l]} ${fmtScore(s)}${th}${holds ? " \u2713" : ""}`;
  });
  return `Passage ${p.index + 1}: ${parts.join("; ")}`;
}

export function renderArticle(root, text, result, thresholds) {
  root.replaceChildren();
  const u16 = codePointIndex(text);
  const n = u16.length - 1;
  const passages = [...(result.passages || [])].sort((a, b) => a.start - b.start);
  const ev = passages.flatMap(evidenceItems);
  const ctry = [];
  for (const c of result.countries || []) {
    for (const m of c.mentions || []) {
      ctry.push({ start: m.start, end: m.end, code: c.code, name: c.name, implied: m.implied === true });
    }
  }
  const org = [];
  for (const o of result.organisations || []) {
    for (const m of o.mentions || []) org.push({ start: m.start, end: m.end, code: o.code, name: o.name });
  }
  const segs = elementarySegments(n, { passage: passages, ev, ctry, org });

  let mismatches = 0;
  for (const p of passages) {
    if (typeof p.text === "string" && sliceCp(text, u16, p.start, p.end) !== p.text) mismatches++;
  }

  const byIndex = new Map();
  let current = root;
  let currentPassage = null;
  for (const seg of segs) {
    const p = seg.layers.passage ? seg.layers.passage[0] : null;
    if (p !== currentPassage) {
      currentPassage = p;
      if (p) {
        const labelClasses = (p.labels || []).map((l) => `lab-${l}`).join(" ");
        current = el("span", {
          class: `psg ${labelClasses}`.trim(), tabindex: "0", "data-index": String(p.index),
          title: passageTitle(p, thresholds),
        });
        for (const l of p.labels || []) {
          current.append(el("span", { class: `badge b-${l}` }, `${LABEL_NAMES[l]} ${fmtScore(p.scores[l])}`));
        }
        root.append(current);
        byIndex.set(p.index, current);
      } else {
        current = root;
      }
    }
    const piece = sliceCp(text, u16, seg.start, seg.end);
    const evs = seg.layers.ev || [];
    const cs = seg.layers.ctry || [];
    const os = seg.layers.org || [];
    if (!evs.length && !cs.length && !os.length) {
      current.append(document.createTextNode(piece));
      continue;
    }
    const classes = [];
    const titles = [];
    let style;
    if (evs.length) {
      const labels = [...new Set(evs.map((e) => e.label))].sort((a, b) => LABELS.indexOf(a) - LABELS.indexOf(b));
      classes.push("ev", ...labels.map((l) => `ev-${l}`));
      if (labels.length > 1) {
        classes.push("ev-multi");
        const stops = labels.map((l, i) => `var(--tint-${l}) ${i * 6}px ${(i + 1) * 6}px`).join(", ");
        style = `background: repeating-linear-gradient(135deg, ${stops})`;
      }
      const seen = new Set();
      for (const e of evs) {
        const t = `${LABEL_NAMES[e.label]} evidence: ${e.feature} (${fmtSigned(e.weight)})`;
        if (!seen.has(t)) { seen.add(t); titles.push(t); }
      }
    }
    if (cs.length) {
      classes.push("ctry");
      if (cs.every((c) => c.implied)) classes.push("implied");  // "the two leaders", "the President"
      const implied = (c) => (c.implied ? ", implied: these words stand for it" : "");
      titles.push(...new Set(cs.map((c) => `country: ${c.name} (${c.code})${implied(c)}`)));
    }
    if (os.length) {
      classes.push("org");
      titles.push(...new Set(os.map((o) => `organisation: ${o.name} (${o.code})`)));
    }
    const span = el("span", {
      class: classes.join(" "), title: titles.join("\n"), style,
      "data-start": String(seg.start), "data-end": String(seg.end),  // code point offsets, as the API's
    });
    if (cs.length) span.dataset.code = cs[0].code;
    span.append(document.createTextNode(piece));
    current.append(span);
    for (const c of cs) {
      if (c.end === seg.end) {
        // "≈JPN": the words stand for the country without naming it ("the two leaders", "the President")
        const title = c.implied ? `${c.name}, implied` : c.name;
        current.append(el("span", { class: "tag", title }, c.implied ? `\u2248${c.code}` : c.code));
      }
    }
    for (const o of os) {
      if (o.end === seg.end) current.append(el("span", { class: "tag tag-org", title: o.name }, o.code));
    }
  }
  return { byIndex, mismatches };
}

// Highlight a pair's evidence passages (strongest first); null clears the highlight.
export function highlightEvidence(root, byIndex, indexes) {
  for (const node of byIndex.values()) {
    node.classList.remove("is-evidence");
    delete node.dataset.rank;
  }
  if (!indexes) {
    root.classList.remove("focus-mode");
    return [];
  }
  root.classList.add("focus-mode");
  const nodes = [];
  indexes.forEach((idx, rank) => {
    const node = byIndex.get(idx);
    if (!node) return;
    node.classList.add("is-evidence");
    node.dataset.rank = String(rank + 1);
    nodes.push(node);
  });
  return nodes;
}

export function renderPassageDetail(box, p, thresholds) {
  box.replaceChildren();
  box.append(el("h3", { text: `Passage ${p.index + 1}` }));
  const tbl = el("table", { class: "detail" });
  tbl.append(el("thead", {}, el("tr", {},
    el("th", { scope: "col", text: "Label" }), el("th", { scope: "col", text: "Score" }),
    el("th", { scope: "col", text: "Threshold" }), el("th", { scope: "col", text: "Holds" }),
    el("th", { scope: "col", text: "Strongest words (weight)" }))));
  const body = el("tbody");
  for (const l of LABELS) {
    const holds = (p.labels || []).includes(l);
    const feats = ((p.explanations || {})[l] || []).filter((f) => f.weight > 0)
      .map((f) => `${f.feature} (${fmtSigned(f.weight)})`).join(", ");
    body.append(el("tr", {},
      el("th", { scope: "row" }, el("span", { class: `lab lab-${l}`, text: LABEL_NAMES[l] })),
      el("td", { text: fmtScore(p.scores ? p.scores[l] : undefined) }),
      el("td", { text: thresholds && typeof thresholds[l] === "number" ? fmtScore(thresholds[l]) : "–" }),
      el("td", { text: holds ? "yes" : "no" }),
      el("td", { text: feats || "–" })));
  }
  tbl.append(body);
  box.append(tbl);
  if ((p.countries || []).length) box.append(el("p", { class: "hint", text: `Countries: ${p.countries.join(", ")}` }));
  box.hidden = false;
}
