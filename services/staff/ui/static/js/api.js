// The services' HTTP APIs, called directly with the session token as Bearer; a 401 ends the session here.

let config = null;
let session = null;
let onExpired = () => {};
const KEY = "attune.console.session";

export async function loadConfig() {
  const response = await fetch("console/config.json", { cache: "no-store", credentials: "omit" });
  config = await response.json();
  return config;
}

export function settings() { return config; }

export function currentSession() {
  if (!session) {
    try { session = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch { session = null; }
  }
  return session;
}

export function setSession(value) {
  session = value;
  if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
  else sessionStorage.removeItem(KEY);
}

export function whenExpired(hook) { onExpired = hook; }

export class ApiError extends Error {
  constructor(status, problem, headers) {
    super((problem && (problem.detail || problem.title)) || (status ? `HTTP ${status}` : "The service did not answer."));
    this.status = status;
    this.problem = problem || {};
    this.errors = (problem && problem.errors) || {};
    this.headers = headers || new Headers();
  }

  get slug() { return String(this.problem.type || "").split("/").pop(); }
}

function url(service, path, query) {
  const base = service === "staff" ? "" : (config.services[service] || "").replace(/\/$/, "");
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const qs = q.toString();
  return `${base}${service === "staff" ? path.replace(/^\//, "") : path}${qs ? `?${qs}` : ""}`;
}

export async function call(service, method, path, { body, query, auth = true, token = null, key = null } = {}) {
  const headers = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const bearer = token || (auth && currentSession() && currentSession().token);
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const idempotency = key || (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()));
  if (method === "POST") headers["Idempotency-Key"] = idempotency;
  let response;
  try {
    response = await fetch(url(service, path, query), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
    });
  } catch (err) {
    throw new ApiError(0, { title: "Network error", detail: `The ${service} service did not answer. Check the connection.` });
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const err = new ApiError(response.status, data, response.headers);
    const now = auth && !token && currentSession() ? currentSession().token : null;
    // a 401 for a token renewed meanwhile (a request in flight during the renewal) is no expiry: once more
    // with the new token (and the same Idempotency-Key)
    if (response.status === 401 && now && now !== bearer && !key) return call(service, method, path, { body, query, key: idempotency });
    if (response.status === 401 && now && now === bearer) onExpired(err);
    throw err;
  }
  return data;
}

export const get = (service, path, query) => call(service, "GET", path, { query });
export const post = (service, path, body) => call(service, "POST", path, { body: body || {} });
export const patch = (service, path, body) => call(service, "PATCH", path, { body });
export const put = (service, path, body) => call(service, "PUT", path, { body });

export function role() { return currentSession() ? currentSession().account.role : null; }
export function isAdmin() { return role() === "admin"; }
export function ownClinician() { return role() === "clinician" ? currentSession().account.clinician_id : null; }

let cliniciansCache = { at: 0, list: [] };

/** The practice's clinicians (a clinician: only themself), cached for a few seconds across views. */
export async function clinicians({ fresh = false } = {}) {
  if (!fresh && Date.now() - cliniciansCache.at < 3000) return cliniciansCache.list;
  const own = ownClinician();
  const list = own ? [await get("availability", `/v1/clinicians/${encodeURIComponent(own)}`)]
    : (await get("availability", "/v1/clinicians")).clinicians;
  list.sort((a, b) => a.name.localeCompare(b.name));
  cliniciansCache = { at: Date.now(), list };
  return list;
}

export function forgetClinicians() { cliniciansCache = { at: 0, list: [] }; }

export function plainError(err) {
  if (!(err instanceof ApiError)) {
    console.error(err);  // a fault of this page, not of a service: visible to whoever looks (and to the tests)
    return "Something went wrong in this page. Please reload it.";
  }
  if (err.status === 0) return "A service did not answer. Please check the connection and try again.";
  if (err.status === 403) return "Your role does not allow this.";
  if (err.status === 429) return "Too many attempts in a short time. Please wait a moment, then try again.";
  if (err.status >= 500) return "Something went wrong on the server. Please try again in a moment.";
  return err.message;
}
