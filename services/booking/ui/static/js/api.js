// The public HTTP contract: availability (cross-origin, simple GETs) and booking (same origin).

export const config = JSON.parse(document.getElementById("attune-config").textContent);

const AVAILABILITY = (config.availabilityUrl || "").replace(/\/$/, "");
const BOOKING = (config.bookingUrl || "").replace(/\/$/, "");

export function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One id per browser tab, so the booking service can tell this visitor's holds apart. */
function holdSession() {
  let id = sessionStorage.getItem("attune.holdSession");
  if (!id) {
    id = randomId();
    sessionStorage.setItem("attune.holdSession", id);
  }
  return id;
}

export class ApiError extends Error {
  constructor(status, problem, headers) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.errors = (problem && problem.errors) || {};
    this.headers = headers || new Headers();
  }
}

async function call(method, url, { body, token, headers = {}, keepalive = false } = {}) {
  const sent = { Accept: "application/json, application/problem+json", ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (token) sent.Authorization = `Bearer ${token}`;
  if (method === "POST" && !sent["Idempotency-Key"]) sent["Idempotency-Key"] = randomId();
  let response;
  try {
    response = await fetch(url, {
      method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer", keepalive,
    });
  } catch (err) {
    throw new ApiError(0, { title: "Network error", detail: String(err) });
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) throw new ApiError(response.status, data, response.headers);
  return { data, headers: response.headers };
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** A page of the directory (soonest open time first): { clinicians, next_page }. */
export async function directory(filters = {}, page = "", pageSize = 24) {
  const params = { ...filters, accepting: "true", page, page_size: String(pageSize) };
  const { data } = await call("GET", `${AVAILABILITY}/v1/directory${query(params)}`);
  return { clinicians: data.clinicians || [], nextPage: data.next_page || null };
}

export async function clinician(id) {
  const { data } = await call("GET", `${AVAILABILITY}/v1/clinicians/${encodeURIComponent(id)}`);
  return data;
}

/** Every open slot that matches: the pages of /v1/slots one after another (a week is usually one). */
export async function slots(params) {
  const found = [];
  let cursor = "";
  do {
    const { data } = await call("GET", `${AVAILABILITY}/v1/slots${query({ ...params, cursor })}`);
    found.push(...(data.slots || []));
    cursor = data.next_cursor || "";
  } while (cursor && found.length < 20000);
  return found;
}

/** The hold and the clock offset between this browser and the server (from the Date header). */
export async function placeHold(clinicianId, start) {
  let sentAt = Date.now();
  const request = (extra = {}) => call("POST", `${BOOKING}/v1/holds`, {
    body: { clinician_id: clinicianId, start }, headers: { "X-Hold-Session": holdSession(), ...extra },
  });
  let answer;
  try {
    answer = await request();
  } catch (err) {
    // Past a number of holds from one address the service asks for a proof of work: solved here, unseen.
    if (!(err instanceof ApiError) || err.status !== 428 || !err.problem.challenge) throw err;
    const { solve } = await import("./pow.js");
    const proof = await solve(err.problem.challenge);
    sentAt = Date.now();
    answer = await request({ [err.problem.challenge.header || "X-Proof-Of-Work"]: proof });
  }
  const { data, headers } = answer;
  const serverDate = Date.parse(headers.get("Date") || "");
  const skew = Number.isNaN(serverDate) ? 0 : serverDate - (sentAt + Date.now()) / 2;
  return { ...data, skew: Math.abs(skew) > 2000 ? skew : 0 };
}

export async function releaseHold(hold, { keepalive = false } = {}) {
  await call("DELETE", `${BOOKING}/v1/holds/${encodeURIComponent(hold.id)}`, { token: hold.token, keepalive });
}

export async function confirmHold(hold, body) {
  const { data } = await call("POST", `${BOOKING}/v1/holds/${encodeURIComponent(hold.id)}/confirm`,
    { body, token: hold.token });
  return data;
}

export async function booking(id, token) {
  const { data } = await call("GET", `${BOOKING}/v1/bookings/${encodeURIComponent(id)}`, { token });
  return data;
}

export async function cancelBooking(id, token, reason) {
  const body = reason ? { reason } : {};
  const { data } = await call("POST", `${BOOKING}/v1/bookings/${encodeURIComponent(id)}/cancel`, { body, token });
  return data;
}

export async function rescheduleBooking(id, token, start) {
  const { data } = await call("POST", `${BOOKING}/v1/bookings/${encodeURIComponent(id)}/reschedule`,
    { body: { start }, token });
  return data;
}

export async function contactRequest(body) {
  const { data } = await call("POST", `${BOOKING}/v1/contact-requests`, { body });
  return data;
}

/** A sentence a worried person can act on, for errors that are nobody's field. */
/** "You can also call the practice at … or email …", from PRACTICE_PHONE and PRACTICE_EMAIL ("" without). */
export function reachPractice() {
  const ways = [config.practicePhone ? `call ${config.practicePhone}` : "",
    config.practiceEmail ? `email ${config.practiceEmail}` : ""].filter(Boolean);
  return ways.length ? `You can also reach ${config.practiceName}: ${ways.join(" or ")}.` : "";
}

function withContact(text) {
  const reach = reachPractice();
  return reach ? `${text} ${reach}` : text;
}

export function plainError(err) {
  if (!(err instanceof ApiError) || err.status === 0) {
    return withContact("We couldn't reach the booking system. Please check your connection and try again.");
  }
  if (err.status === 429) {
    return "There have been a lot of attempts from here in a short time. Please wait a minute, then try again.";
  }
  if (err.status >= 500) {
    return withContact("Something went wrong on our side. Please try again in a moment.");
  }
  return err.problem.detail || err.problem.title || "Something went wrong. Please try again.";
}
