// Offsets: the API counts characters as Python does (Unicode code points), JavaScript
// strings count UTF-16 code units. An emoji or any other character outside the Basic
// Multilingual Plane is 1 in the API and 2 here, so every API offset goes through
// codePointIndex() before it touches a JS string.

// u16[i] = UTF-16 index of code point i; u16[n] = text.length. A lone surrogate counts as
// one code point on both sides (Python keeps it as one character too).
export function codePointIndex(text) {
  const u16 = new Uint32Array(text.length + 1);
  let cp = 0;
  let i = 0;
  while (i < text.length) {
    u16[cp++] = i;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      i += d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
    } else {
      i += 1;
    }
  }
  u16[cp] = text.length;
  return u16.subarray(0, cp + 1);
}

// Slice by code point offsets [start, end), clamped to the text.
export function sliceCp(text, u16, start, end) {
  const n = u16.length - 1;
  const a = Math.max(0, Math.min(n, start));
  const b = Math.max(a, Math.min(n, end));
  return text.slice(u16[a], u16[b]);
}

// Cut [0, n) at every boundary of the given layers and report which items cover each piece.
// layers: {name: [{start, end, ...}]}; returns [{start, end, layers: {name: [items]}}] in
// code points, covering the whole range with no gaps.
export function elementarySegments(n, layers) {
  const cuts = new Set([0, n]);
  const all = [];
  for (const [name, items] of Object.entries(layers)) {
    for (const it of items) {
      const s = Math.max(0, Math.min(n, it.start));
      const e = Math.max(s, Math.min(n, it.end));
      if (e <= s) continue;
      cuts.add(s);
      cuts.add(e);
      all.push({ name, s, e, it });
    }
  }
  const points = [...cuts].sort((x, y) => x - y);
  all.sort((x, y) => x.s - y.s);
  const out = [];
  let next = 0;
  let active = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k];
    const b = points[k + 1];
    while (next < all.length && all[next].s <= a) active.push(all[next++]);
    active = active.filter((x) => x.e > a);
    const covering = {};
    for (const x of active) {
      if (x.s <= a && x.e >= b) (covering[x.name] ||= []).push(x.it);
    }
    out.push({ start: a, end: b, layers: covering });
  }
  return out;
}
