// Small helpers shared by the page's views: labels, number formats, DOM building, bars.

export const LABELS = ["alliance", "coercion", "human_rights"];
export const LABEL_NAMES = { alliance: "alliance", coercion: "coercion", human_rights: "human rights" };
// Colour is never the only cue: each label also has a line/underline pattern and a marker.
export const LABEL_STYLE = {
  alliance: { colour: "#0b62a4", dash: "", marker: "circle" },
  coercion: { colour: "#c44b00", dash: "7 4", marker: "triangle" },
  human_rights: { colour: "#a23d82", dash: "2 3", marker: "square" },
};

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "style") node.setAttribute("style", v);
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else if (k in node && typeof v !== "string") node[k] = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function fmtScore(x) {
  return typeof x === "number" && isFinite(x) ? x.toFixed(2) : "–";
}

export function fmtSigned(x) {
  if (typeof x !== "number" || !isFinite(x)) return "–";
  const s = Math.abs(x).toFixed(2);
  return x > 0.005 ? `+${s}` : x < -0.005 ? `\u2212${s}` : ` ${s}`;
}

export function clamp(x, lo, hi) {
  return Math.max(lo, Math.min(hi, x));
}

// A 0..1 score bar in the label's colour, with the decision threshold as a tick.
export function scoreBar(label, value, threshold) {
  const bar = el("span", { class: `bar bar-${label}`, "aria-hidden": "true" });
  const v = typeof value === "number" && isFinite(value) ? clamp(value, 0, 1) : 0;
  bar.append(el("span", { class: "fill", style: `width:${(v * 100).toFixed(1)}%` }));
  if (typeof threshold === "number") {
    bar.append(el("span", { class: "tick", style: `left:${(clamp(threshold, 0, 1) * 100).toFixed(1)}%` }));
  }
  return bar;
}

// A -1..1 tension bar growing left (cooperative) or right (hostile) from the middle.
export function tensionBar(value) {
  const bar = el("span", { class: "bar tension", "aria-hidden": "true" });
  const v = typeof value === "number" && isFinite(value) ? clamp(value, -1, 1) : 0;
  const width = Math.abs(v) * 50;
  const left = v >= 0 ? 50 : 50 - width;
  bar.append(el("span", { class: `fill ${v >= 0 ? "pos" : "neg"}`, style: `left:${left.toFixed(1)}%;width:${width.toFixed(1)}%` }));
  bar.append(el("span", { class: "mid" }));
  return bar;
}

export function showError(node, message) {
  if (!message) {
    node.hidden = true;
    node.textContent = "";
    return;
  }
  node.textContent = message;
  node.hidden = false;
}

export function pairText(pair) {
  return `${pair[0]}\u2013${pair[1]}`;
}
