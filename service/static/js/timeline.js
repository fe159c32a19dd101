// The "Over time" tab: pairs over a time window (GET /v1/pairs) and a pair's timeline
// (GET /v1/pairs/{A}-{B}/timeline) drawn as inline SVG by drawTimeline() below; no chart
// library. Both endpoints need the server's article store: when they answer 404 or 503
// (store not enabled) the tab says so instead of failing.

import { api, problemText } from "./api.js";
import { LABELS, LABEL_NAMES, LABEL_STYLE, el, fmtScore, fmtSigned, pairText, showError } from "./common.js";
import { labelCell, tensionCell } from "./pairs.js";

const SVG = "http://www.w3.org/2000/svg";
const CODE = /^[A-Z]{3}$/;

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function num(x) {
  return typeof x === "number" && isFinite(x) ? x : null;
}

function marker(shape, x, y, colour, title) {
  const r = 3.6;
  let node;
  if (shape === "triangle") {
    node = svg("polygon", { points: `${x},${y - r - 0.6} ${x - r},${y + r - 0.6} ${x + r},${y + r - 0.6}` });
  } else if (shape === "square") {
    node = svg("rect", { x: x - r + 0.4, y: y - r + 0.4, width: 2 * r - 0.8, height: 2 * r - 0.8 });
  } else {
    node = svg("circle", { cx: x, cy: y, r: r - 0.4 });
  }
  node.setAttribute("fill", colour);
  node.setAttribute("class", `mk mk-${shape}`);
  node.append(svg("title", {}, title));
  return node;
}

// Polyline through the points that have a value, broken where one has none.
function linePath(xs, ys) {
  let d = "";
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    if (ys[i] === null) { pen = false; continue; }
    d += `${pen ? "L" : "M"}${xs[i].toFixed(1)},${ys[i].toFixed(1)}`;
    pen = true;
  }
  return d;
}

function pointSummary(p) {
  const parts = [`${p.start}: ${p.articles} article${p.articles === 1 ? "" : "s"}`];
  if (p.articles > 0) {
    parts.push(`mean tension ${fmtSigned(num(p.tension_mean))}`);
    for (const l of LABELS) parts.push(`${LABEL_NAMES[l]} ${fmtScore(num(p.mean && p.mean[l]))}`);
  }
  return parts.join(", ");
}

export function drawTimeline(container, data) {
  const points = Array.isArray(data.points) ? data.points : [];
  const W = 760, left = 46, right = 14, top = 22;
  const hT = 140, hL = 140, hA = 46, gap = 34, axis = 30;
  const yT0 = top, yL0 = yT0 + hT + gap, yA0 = yL0 + hL + gap;
  const H = yA0 + hA + axis;
  const plotW = W - left - right;
  const n = Math.max(points.length, 1);
  const step = plotW / n;
  const xs = points.map((_, i) => left + (i + 0.5) * step);
  const yTension = (v) => yT0 + (1 - (v + 1) / 2) * hT;
  const yLabel = (v) => yL0 + (1 - v) * hL;
  const maxArticles = Math.max(1, ...points.map((p) => num(p.articles) || 0));
  const pairName = pairText(data.pair || ["?", "?"]);

  const withData = points.filter((p) => (num(p.articles) || 0) > 0 && num(p.tension_mean) !== null);
  let descText = `No articles for ${pairName} in this period.`;
  if (withData.length) {
    const hi = withData.reduce((a, b) => (b.tension_mean > a.tension_mean ? b : a));
    const lo = withData.reduce((a, b) => (b.tension_mean < a.tension_mean ? b : a));
    const total = points.reduce((s, p) => s + (num(p.articles) || 0), 0);
    descText = `${total} articles over ${points.length} ${data.interval || "interval"}s from ${points[0].start} ` +
      `to ${points[points.length - 1].start}. Highest mean tension ${fmtSigned(hi.tension_mean)} (${hi.start}), ` +
      `lowest ${fmtSigned(lo.tension_mean)} (${lo.start}). The data table below lists every value.`;
  }
  const root = svg("svg", {
    viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "tl-svg-title tl-svg-desc",
    class: "chart-svg", preserveAspectRatio: "xMidYMid meet",
  });
  root.append(svg("title", { id: "tl-svg-title" }, `Timeline of ${pairName} by ${data.interval || "interval"}`));
  root.append(svg("desc", { id: "tl-svg-desc" }, descText));

  const grid = svg("g", { class: "grid" });
  const gridLine = (y, cls) => grid.append(svg("line", { x1: left, x2: W - right, y1: y, y2: y, class: cls || "" }));
  const yText = (y, t) => grid.append(svg("text", { x: left - 6, y: y + 3.5, "text-anchor": "end", class: "ylab" }, t));
  for (const v of [-1, -0.5, 0, 0.5, 1]) {
    gridLine(yTension(v), v === 0 ? "zero" : "");
    yText(yTension(v), v === 0 ? "0" : v > 0 ? `+${v}` : `\u2212${-v}`);
  }
  for (const v of [0, 0.5, 1]) {
    gridLine(yLabel(v));
    yText(yLabel(v), String(v));
  }
  gridLine(yA0 + hA);
  yText(yA0 + 6, String(maxArticles));
  grid.append(svg("text", { x: left, y: yT0 - 9, class: "panel" }, "mean tension"));
  grid.append(svg("text", { x: left, y: yL0 - 9, class: "panel" }, "mean label scores"));
  grid.append(svg("text", { x: left, y: yA0 - 9, class: "panel" }, "articles"));
  root.append(grid);

  // x axis labels: at most ~8, evenly spaced
  const every = Math.max(1, Math.ceil(points.length / 8));
  const xl = svg("g", { class: "xlab" });
  points.forEach((p, i) => {
    if (i % every !== 0) return;
    xl.append(svg("text", { x: xs[i], y: yA0 + hA + 16, "text-anchor": "middle" }, String(p.start)));
  });
  root.append(xl);

  // articles: bars
  const bars = svg("g", { class: "articles" });
  points.forEach((p, i) => {
    const a = num(p.articles) || 0;
    const h = (a / maxArticles) * hA;
    const bw = Math.max(1, Math.min(18, step * 0.7));
    const r = svg("rect", { x: xs[i] - bw / 2, y: yA0 + hA - h, width: bw, height: Math.max(h, a ? 1 : 0) });
    r.append(svg("title", {}, `${p.start}: ${a} article${a === 1 ? "" : "s"}`));
    bars.append(r);
  });
  root.append(bars);

  const has = (p) => (num(p.articles) || 0) > 0;
  // label means
  for (const l of LABELS) {
    const st = LABEL_STYLE[l];
    const ys = points.map((p) => (has(p) && num(p.mean && p.mean[l]) !== null ? yLabel(Math.max(0, Math.min(1, p.mean[l]))) : null));
    const g = svg("g", { class: `series series-${l}` });
    g.append(svg("path", { d: linePath(xs, ys), fill: "none", stroke: st.colour, "stroke-width": 2,
                           "stroke-dasharray": st.dash || null }));
    points.forEach((p, i) => {
      if (ys[i] === null) return;
      g.append(marker(st.marker, xs[i], ys[i], st.colour,
        `${p.start}: mean ${LABEL_NAMES[l]} ${fmtScore(p.mean[l])}, max ${fmtScore(num(p.max && p.max[l]))}`));
    });
    root.append(g);
  }
  // tension
  const ysT = points.map((p) => (has(p) && num(p.tension_mean) !== null ? yTension(Math.max(-1, Math.min(1, p.tension_mean))) : null));
  const gT = svg("g", { class: "series series-tension" });
  gT.append(svg("path", { d: linePath(xs, ysT), fill: "none", "stroke-width": 2.5, class: "tension-line" }));
  points.forEach((p, i) => {
    if (ysT[i] === null) return;
    const c = svg("circle", { cx: xs[i], cy: ysT[i], r: 3.4, class: "tension-pt" });
    c.append(svg("title", {}, pointSummary(p)));
    gT.append(c);
  });
  root.append(gT);

  container.replaceChildren(root);
  return { points: points.length, withData: withData.length };
}

function fillTimelineTable(tbody, points) {
  tbody.replaceChildren();
  for (const p of points) {
    const ev = p.evidence && typeof p.evidence === "object"
      ? `article ${p.evidence.article_id}, passage ${Number(p.evidence.passage) + 1}` : "–";
    const empty = !((num(p.articles) || 0) > 0);
    tbody.append(el("tr", {},
      el("th", { scope: "row", text: String(p.start) }),
      el("td", { text: String(num(p.articles) ?? 0) }),
      el("td", { text: empty ? "–" : fmtSigned(num(p.tension_mean)) }),
      ...LABELS.map((l) => el("td", { text: empty ? "–" : fmtScore(num(p.mean && p.mean[l])) })),
      el("td", { text: empty ? "–" : agentText(p.agents) }),
      el("td", { text: ev })));
  }
}

// Who does what to whom in an interval: "coercion: CHN 3, JPN 0", members with articles first.
export function agentText(agents) {
  const parts = [];
  for (const [label, counts] of Object.entries(agents || {})) {
    const entries = Object.entries(counts || {}).filter(([, n]) => num(n) > 0).sort((x, y) => num(y[1]) - num(x[1]));
    if (entries.length) parts.push(`${LABEL_NAMES[label] || label} by ${entries.map(([c, n]) => `${c} ${n}`).join(", ")}`);
  }
  return parts.join("; ") || "–";
}

export function setupTimeline() {
  const $ = (id) => document.getElementById(id);
  const note = $("store-note");
  const winForm = $("window-form");
  const winTable = $("window-pairs");
  const winBody = winTable.querySelector("tbody");
  const winErr = $("window-error");
  const winStatus = $("window-status");
  const pager = $("window-pager");
  const tlForm = $("timeline-form");
  const tlErr = $("timeline-error");
  const tlStatus = $("timeline-status");
  const figure = $("timeline");
  let storeAvailable = null;
  let offset = 0;
  let loadedOnce = false;

  function storeDown(err) {
    storeAvailable = false;
    note.replaceChildren(
      el("strong", {}, "Time series are not available on this server. "),
      `It answered HTTP ${err.status}: ${err.detail} `,
      "Pair windows and timelines need the server's article store, which is not enabled here; " +
      "scoring an article on the first tab works without it.");
    note.hidden = false;
  }

  function storeUp() {
    storeAvailable = true;
    note.hidden = true;
  }

  function windowParams() {
    return {
      from: $("win-from").value, to: $("win-to").value, sort: $("win-sort").value,
      order: $("win-order").value, limit: $("win-limit").value, offset,
    };
  }

  async function loadWindow() {
    showError(winErr, "");
    winStatus.textContent = "Loading pairs…";
    const params = windowParams();
    try {
      const data = await api.pairs(params);
      storeUp();
      const pairs = Array.isArray(data.pairs) ? data.pairs : [];
      const total = typeof data.total === "number" ? data.total : pairs.length;
      winBody.replaceChildren();
      for (const p of pairs) {
        const [a, b] = p.pair;
        const button = el("button", { type: "button", class: "pair-btn", title: `Draw the timeline of ${a}\u2013${b}` },
          el("span", { class: "codes" }, `${a}\u2013${b}`));
        const tr = el("tr", { "data-pair": `${a}-${b}` },
          el("th", { scope: "row" }, button),
          el("td", { class: "num-cell", text: String(p.articles) }),
          tensionCell(num(p.tension_mean)),
          ...LABELS.map((l) => labelCell(l, num(p.max && p.max[l]), undefined, false)));
        const open = (e) => {
          e.stopPropagation();
          $("tl-a").value = a;
          $("tl-b").value = b;
          $("tl-from").value = $("win-from").value;
          $("tl-to").value = $("win-to").value;
          loadTimeline(true);
        };
        button.addEventListener("click", open);
        tr.addEventListener("click", open);
        winBody.append(tr);
      }
      winTable.hidden = pairs.length === 0;
      const first = pairs.length ? Number(params.offset) + 1 : 0;
      const last = Number(params.offset) + pairs.length;
      $("win-range").textContent = `${first}\u2013${last} of ${total}`;
      $("win-prev").disabled = Number(params.offset) <= 0;
      $("win-next").disabled = last >= total;
      pager.hidden = total <= pairs.length && Number(params.offset) === 0;
      winStatus.textContent = pairs.length
        ? `Pairs ${first} to ${last} of ${total}, by ${params.order === "asc" ? "lowest" : "highest"} ${params.sort.replace("_", " ")}. Choose one to draw its timeline.`
        : "No pair has articles in this window.";
    } catch (err) {
      winStatus.textContent = "";
      winTable.hidden = true;
      pager.hidden = true;
      if (err.status === 404 || err.status === 503) storeDown(err);
      else showError(winErr, problemText(err));
    }
  }

  async function loadTimeline(scroll) {
    showError(tlErr, "");
    let a = $("tl-a").value.trim().toUpperCase();
    let b = $("tl-b").value.trim().toUpperCase();
    if (!CODE.test(a) || !CODE.test(b) || a === b) {
      showError(tlErr, "Enter two different three-letter country codes, for example JPN and CHN.");
      (!CODE.test(a) ? $("tl-a") : $("tl-b")).focus();
      return;
    }
    if (b < a) [a, b] = [b, a];
    $("tl-a").value = a;
    $("tl-b").value = b;
    const params = { from: $("tl-from").value, to: $("tl-to").value, interval: $("tl-interval").value };
    tlStatus.textContent = `Loading the timeline of ${a}\u2013${b}…`;
    try {
      const data = await api.timeline(a, b, params);
      storeUp();
      const info = drawTimeline($("timeline-chart"), data);
      fillTimelineTable($("timeline-table").querySelector("tbody"), data.points || []);
      figure.hidden = false;
      const unit = data.interval || params.interval;
      tlStatus.textContent = info.withData
        ? `Timeline of ${a}\u2013${b}: ${info.points} ${unit}s, ${info.withData} with articles.`
        : `No articles name both ${a} and ${b} in this period.`;
      if (typeof data.total === "number" && data.total > info.points) {
        tlStatus.textContent += ` The server sent the first ${info.points} of ${data.total} ${unit}s: ` +
          "choose a shorter window or a longer interval to see the rest.";
      }
      if (scroll) figure.scrollIntoView({ block: "nearest" });
    } catch (err) {
      tlStatus.textContent = "";
      figure.hidden = true;
      if (err.status === 503 || (err.status === 404 && storeAvailable !== true)) storeDown(err);
      else showError(tlErr, problemText(err));
    }
  }

  winForm.addEventListener("submit", (e) => {
    e.preventDefault();
    offset = 0;
    loadWindow();
  });
  $("win-prev").addEventListener("click", () => {
    offset = Math.max(0, offset - Number($("win-limit").value));
    loadWindow();
  });
  $("win-next").addEventListener("click", () => {
    offset += Number($("win-limit").value);
    loadWindow();
  });
  tlForm.addEventListener("submit", (e) => {
    e.preventDefault();
    loadTimeline(false);
  });

  return {
    activate() {
      if (!loadedOnce) {
        loadedOnce = true;
        loadWindow();
      }
    },
  };
}
