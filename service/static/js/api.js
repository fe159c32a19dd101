// Calls to the public API, the same ones any client makes.
// Every failure becomes an ApiProblem whose `detail` is what to show the user: the server's
// problem+json `detail` when there is one, otherwise a sentence saying what happened.

const KEY_STORAGE = "tension.apiKey";

export class ApiProblem extends Error {
  constructor(status, detail, title, errors) {
    super(detail);
    this.status = status;   // HTTP status, or 0 when the server could not be reached
    this.detail = detail;
    this.title = title || "";
    this.errors = errors || null;
  }
}

export function getKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) || "";
  } catch (e) {
    return "";
  }
}

export function setKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
    return true;
  } catch (e) {
    return false;
  }
}

function fieldErrors(errors, prefix) {
  // marshmallow's {"field": ["message", ...]} (possibly nested) -> ["field: message", ...]
  const out = [];
  if (!errors || typeof errors !== "object") return out;
  for (const [k, v] of Object.entries(errors)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) out.push(`${name}: ${v.join(" ")}`);
    else if (v && typeof v === "object") out.push(...fieldErrors(v, name));
    else out.push(`${name}: ${v}`);
  }
  return out;
}

export function problemText(problem) {
  const lines = fieldErrors(problem.errors);
  return lines.length ? `${problem.detail} ${lines.join("; ")}` : problem.detail;
}

export async function request(method, path, body) {
  const headers = { Accept: "application/json, application/problem+json" };
  const key = getKey();
  if (key) headers["X-API-Key"] = key;
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (err) {
    throw new ApiProblem(0, "Could not reach the server. Check that it is running and that you are online, then try again.");
  }
  const ctype = (resp.headers.get("Content-Type") || "").toLowerCase();
  let data = null;
  if (ctype.includes("json")) {
    try {
      data = await resp.json();
    } catch (err) {
      data = null;
    }
  }
  if (!resp.ok) {
    if (data && typeof data.detail === "string") {
      throw new ApiProblem(resp.status, data.detail, data.title, data.errors);
    }
    throw new ApiProblem(resp.status, `The server answered HTTP ${resp.status} without an explanation. Try again later.`);
  }
  if (data === null) {
    throw new ApiProblem(resp.status, "The server's answer was not JSON. Is this page served by the scoring API?");
  }
  return data;
}

export const api = {
  score: (text, published) => {
    const body = { text, explain: true };
    if (published) body.published = published;
    return request("POST", "/v1/score", body);
  },
  model: () => request("GET", "/v1/model"),
  openapi: () => request("GET", "/openapi.json"),
  pairs: (params) => request("GET", "/v1/pairs" + query(params)),
  timeline: (a, b, params) =>
    request("GET", `/v1/pairs/${encodeURIComponent(a)}-${encodeURIComponent(b)}/timeline` + query(params)),
};

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
