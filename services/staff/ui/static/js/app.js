// The console's shell: sign-in, the signed-in frame, hash routes to views, polling, graceful expiry.

import * as api from "./api.js";
import { authenticatorKey } from "./authenticator.js";
import { announce, button, clearErrors, field, h, input, notice, showErrors } from "./dom.js";

const VIEWS = {
  agenda: () => import("./agenda.js"),
  requests: () => import("./requests.js"),
  clinicians: () => import("./clinicians.js"),
  integrations: () => import("./integrations.js"),
  accounts: () => import("./accounts.js"),
  account: () => import("./account.js"),
};
const ADMIN_ONLY = new Set(["integrations", "accounts"]);
const SESSION_POLL_MS = 3000;
const RENEW_WITHIN_MS = 30 * 60 * 1000;  // or the last third of a shorter session (STAFF_SESSION_MINUTES)
const EXPIRED = "Your session expired, so the console signed you out to keep clients' details safe. "
  + "Sign in again to carry on where you were; everything you saved is kept.";
const ENDED = "Your session has ended (it was signed out elsewhere, or the account was changed). Please sign in again.";
let active = null;
let timers = [];

function viewRoot() { return document.getElementById("view"); }

function stopTimers() {
  for (const t of timers) window.clearInterval(t);
  timers = [];
}

/** Back to the sign-in form; `keepPlace` leaves the view in the address, so signing in again returns to it. */
function signedOut(message, kind = "info", { keepPlace = false } = {}) {
  stopTimers();
  api.setSession(null);
  api.forgetClinicians();
  if (active && active.unmount) active.unmount();
  active = null;
  document.getElementById("nav").hidden = true;
  document.getElementById("who").hidden = true;
  const hash = location.hash && location.hash !== "#/";
  if (hash && !keepPlace) history.replaceState(null, "", location.pathname + location.search);
  showSignIn(message, kind);
}

function sessionLeft() {
  const session = api.currentSession();
  return session ? Date.parse(session.expires_at) - Date.now() : 0;
}

/** The session as the console keeps it: with its full length, to renew a short one in good time. */
function keepSession(answer) {
  api.setSession({ ...answer, lifetime_ms: Date.parse(answer.expires_at) - Date.now() });
}

function showSignIn(message = "", kind = "info") {
  const email = input({ type: "email", autocomplete: "username", required: true });
  const password = input({ type: "password", autocomplete: "current-password", required: true });
  const otp = input({ inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9 ]*", maxlength: "10" });
  const otpField = field("Code from your authenticator app", otp, { name: "otp" });
  otpField.hidden = true;
  const box = h("div", { class: "messages" }, message ? notice(message, kind, { alert: kind === "error" }) : null);
  const extra = h("div");
  let setupToken = null;  // an admin made to set up two-step sign-in: its first code turns the key on
  const form = h("form", { class: "form", novalidate: true },
    field("Email", email, { name: "email" }), field("Password", password, { name: "password" }), otpField, extra,
    h("div", {}, button("Sign in", null, { kind: "primary", type: "submit" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, box);
    try {
      const answer = await api.call("staff", "POST", "/v1/sessions", {
        auth: false, body: { email: email.value.trim(), password: password.value, otp: otp.value.replace(/\s/g, "") || null,
          totp_setup_token: setupToken },
      });
      keepSession(answer);
      startConsole();
    } catch (err) {
      if (err.slug === "otp-required") {
        otpField.hidden = false;
        box.replaceChildren(notice("This account signs in with a code: enter the 6 digits your authenticator app shows.", "info"));
        otp.focus();
      } else if (err.slug === "totp-enrolment-required") {
        setupToken = await enrol(err, extra, otpField, otp, box);
      } else if (err.status === 401) {
        showErrors(form, { message: "The email, password or code is not right." }, box);
        const again = otpField.hidden ? password : otp;  // a code shown: most likely the code was wrong
        again.focus();
        again.select();
      } else {
        showErrors(form, { message: api.plainError(err), errors: err.errors }, box);
      }
    }
  });
  const page = h("section", { class: "signin panel", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    h("p", { class: "hint" }, "For the practice's staff and clinicians."), box, form);
  viewRoot().replaceChildren(page);
  document.title = `Sign in · ${api.settings().practiceName}`;
  email.focus();
}

/** An admin without two-step sign-in where it is required: the key to scan; returns its setup token. */
async function enrol(err, extra, otpField, otp, box) {
  try {
    const answer = await api.call("staff", "POST", `/v1/accounts/${encodeURIComponent(err.problem.account_id)}/totp/setup`,
      { token: err.problem.enrolment_token, body: {} });
    extra.replaceChildren(h("div", { class: "notice notice--info", role: "status" },
      h("p", {}, "Admins here sign in with two-step sign-in. Scan this QR code with an authenticator app on your "
        + "phone, then enter the code it shows to finish signing in:"), authenticatorKey(answer, api.settings().practiceName)));
    otpField.hidden = false;
    box.replaceChildren();
    otp.focus();
    return answer.setup_token;
  } catch (e) {
    box.replaceChildren(notice(api.plainError(e), "error", { alert: true }));
    return null;
  }
}

function startConsole() {
  const account = api.currentSession().account;
  document.getElementById("who-name").textContent = `${account.name || account.email} · ${account.role}`;
  document.getElementById("who").hidden = false;
  const nav = document.getElementById("nav");
  nav.hidden = false;
  for (const li of nav.querySelectorAll("[data-admin]")) li.hidden = account.role !== "admin";
  stopTimers();
  timers.push(window.setInterval(checkSession, SESSION_POLL_MS));
  timers.push(window.setInterval(refresh, api.settings().pollSeconds * 1000));
  route();
}

let renewing = false;
async function checkSession() {
  const session = api.currentSession();
  if (!session || renewing) return;
  renewing = true;
  try {
    const answer = await api.get("staff", "/v1/sessions/current");
    const within = Math.min(RENEW_WITHIN_MS, (session.lifetime_ms || RENEW_WITHIN_MS * 3) / 3);
    if (answer && api.currentSession() && sessionLeft() < within) {
      keepSession(await api.post("staff", "/v1/sessions/current/renew"));
    }
  } catch {
    // a 401 signs out through whenExpired; anything else (a service restarting) waits for the next check
  } finally { renewing = false; }
}

let refreshing = false;
async function refresh() {
  if (!active || refreshing || document.visibilityState !== "visible") return;
  refreshing = true;
  const stale = document.getElementById("stale");
  try {
    await active.refresh();
    if (stale) stale.replaceChildren();
  } catch (err) {
    // a service restarting: say the list may be behind, and keep trying (a 401 has signed out already)
    if (stale && !(err instanceof api.ApiError && err.status === 401)) {
      stale.replaceChildren(notice(`Could not refresh just now (${api.plainError(err)}); trying again.`, "error"));
    }
  } finally { refreshing = false; }
}

async function route() {
  if (!api.currentSession()) return;
  let name = (location.hash.match(/^#\/(\w+)/) || [])[1] || "agenda";
  if (!VIEWS[name] || (ADMIN_ONLY.has(name) && !api.isAdmin())) name = "agenda";
  for (const a of document.querySelectorAll("#nav a, #who a")) {
    if (a.dataset.view === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (active && active.unmount) active.unmount();
  const module = await VIEWS[name]();
  const root = h("section", { class: `page page--${name}`, "aria-labelledby": "view-title" });
  viewRoot().replaceChildren(h("div", { id: "stale" }), root);
  active = module.mount(root);
  document.title = `${module.TITLE} · ${api.settings().practiceName}`;
  announce(`${module.TITLE} view`);
  const heading = root.querySelector("h1");
  if (heading && document.activeElement && !document.activeElement.closest("#view")) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
  try { await active.refresh(); } catch (err) {
    if (!(err instanceof api.ApiError && err.status === 401)) root.append(notice(api.plainError(err), "error", { alert: true }));
  }
}

async function signOut() {
  try { await api.call("staff", "DELETE", "/v1/sessions/current"); } catch { /* gone already: signed out anyway */ }
  signedOut("You have signed out.");
}

/** The invitation email's link (`#/invite/<token>`): the person chooses a password, then is signed in. */
async function showInvitation(token) {
  const leave = () => history.replaceState(null, "", location.pathname + location.search);
  (await import("./invite.js")).mount(viewRoot(), token, (answer) => {
    keepSession(answer);
    leave();
    startConsole();
  }, (message) => { leave(); showSignIn(message); });
}

async function boot() {
  await api.loadConfig();
  api.whenExpired(() => {
    if (sessionLeft() < 15000) signedOut(EXPIRED, "info", { keepPlace: true });
    else signedOut(ENDED, "info");
  });
  document.getElementById("sign-out").addEventListener("click", signOut);
  window.addEventListener("hashchange", route);
  const invitation = location.hash.match(/^#\/invite\/([^/?#]+)/);
  if (invitation) return showInvitation(decodeURIComponent(invitation[1]));
  if (!api.currentSession()) return showSignIn();
  try {
    const answer = await api.get("staff", "/v1/sessions/current");
    api.setSession({ ...api.currentSession(), account: answer.account });
    startConsole();
  } catch (err) {
    if (!api.currentSession()) return undefined;
    showSignIn(api.plainError(err), "error");
  }
  return undefined;
}

boot();
