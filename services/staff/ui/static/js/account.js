// "Your account" (everyone signed in): who they are here, a new password, and two-step sign-in set up.

import * as api from "./api.js";
import { authenticatorKey } from "./authenticator.js";
import { button, clearErrors, field, h, input, notice, quietReplace, showErrors } from "./dom.js";

export const TITLE = "Your account";
const ROLE = { admin: "Admin", staff: "Staff", clinician: "Clinician" };
const RULES = "At least 12 characters; not a common password, nor your name or email. A few unrelated words work well.";

export function mount(root) {
  const status = h("div");
  const details = h("dl", { class: "dl" });
  const twoStep = h("div");
  root.append(h("h1", { id: "view-title" }, "Your account"), status,
    h("div", { class: "columns" },
      h("section", { class: "panel", "aria-labelledby": "you" }, h("h2", { id: "you" }, "Your details"), details,
        h("p", { class: "hint" }, "An admin changes your name, email or role in Accounts.")),
      passwordPanel(status)),
    h("section", { class: "panel", "aria-labelledby": "two-step" }, h("h2", { id: "two-step" }, "Two-step sign-in"), twoStep));

  let account = api.currentSession().account;
  let setup = null;  // the key being set up, until its first code turns it on

  async function describe() {
    const rows = [["Name", account.name], ["Email", account.email || "—"], ["Role", ROLE[account.role] || account.role]];
    if (account.clinician_id) rows.push(["Clinician", await clinicianName(account.clinician_id)]);
    rows.push(["Two-step sign-in", account.totp ? "On" : "Off"]);
    quietReplace(details, ...rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
    if (!setup) quietReplace(twoStep, ...twoStepState());
  }

  function twoStepState() {
    const text = account.totp
      ? "On: signing in asks for your password and a 6-digit code from the authenticator app on your phone."
      : "Off: you sign in with your password alone. With two-step sign-in, a stolen or guessed password is not "
        + "enough to see clients' details: signing in also asks for a code from an authenticator app on your phone.";
    return [h("p", {}, text), h("div", {}, button(account.totp ? "Move to a new authenticator app" : "Set up two-step sign-in",
      start, { kind: account.totp ? "" : "primary" }))];
  }

  async function start() {
    status.replaceChildren();
    try {
      setup = await api.post("staff", `/v1/accounts/${encodeURIComponent(account.id)}/totp/setup`);
    } catch (err) { status.replaceChildren(notice(api.plainError(err), "error", { alert: true })); return; }
    const code = input({ inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9 ]*", maxlength: "10", required: true });
    const box = h("div");
    const form = h("form", { class: "form", novalidate: true, "data-editing": true },
      field("Code from the app", code, { name: "otp", hint: "The 6 digits the app shows now for this practice." }), box,
      h("div", { class: "card__actions" }, button("Turn on two-step sign-in", null, { kind: "primary", type: "submit" }),
        button("Cancel", cancel)));
    form.addEventListener("submit", (event) => { event.preventDefault(); confirm(form, box, code); });
    const steps = h("ol", { class: "steps" },
      h("li", {}, h("p", {}, "Open an authenticator app on your phone (for example Google Authenticator, Microsoft "
        + "Authenticator or 1Password) and scan this QR code."), authenticatorKey(setup, api.settings().practiceName)),
      h("li", {}, h("p", {}, "Enter the code the app now shows, to prove it has the key."), form));
    twoStep.replaceChildren(h("p", {}, account.totp
      ? "Your current app keeps working until the new one is confirmed." : "Nothing changes until you enter the first code."), steps);
    twoStep.querySelector("img").scrollIntoView({ block: "nearest" });
    code.focus();
  }

  async function confirm(form, box, code) {
    clearErrors(form, box);
    try {
      account = await api.post("staff", `/v1/accounts/${encodeURIComponent(account.id)}/totp/confirm`,
        { setup_token: setup.setup_token, otp: code.value.replace(/\s/g, "") });
    } catch (err) {
      if (err.errors && err.errors.setup_token) return restart("The setup ran out after 10 minutes. Please start it again.");
      showErrors(form, { message: api.plainError(err), errors: err.errors }, box);
      return undefined;
    }
    api.setSession({ ...api.currentSession(), account });
    setup = null;
    status.replaceChildren(notice("Two-step sign-in is on. From now on, signing in asks for a code from your app.", "ok"));
    await describe();
    status.querySelector(".notice").setAttribute("tabindex", "-1");
    status.querySelector(".notice").focus();
    return undefined;
  }

  function restart(message) {
    setup = null;
    status.replaceChildren(notice(message, "error", { alert: true }));
    twoStep.replaceChildren(...twoStepState());
  }

  function cancel() {
    setup = null;
    twoStep.replaceChildren(...twoStepState());
    twoStep.querySelector("button").focus();
  }

  return {
    async refresh() {
      const answer = await api.get("staff", "/v1/sessions/current");
      account = answer.account;
      await describe();
    },
  };
}

async function clinicianName(id) {
  try { return ((await api.clinicians()).find((c) => c.id === id) || { name: id }).name; } catch { return id; }
}

function passwordPanel(status) {
  const account = () => api.currentSession().account;
  const current = input({ type: "password", autocomplete: "current-password", required: true });
  const fresh = input({ type: "password", autocomplete: "new-password", required: true, maxlength: "256" });
  const box = h("div");
  const form = h("form", { class: "form", novalidate: true },
    field("Current password", current, { name: "current_password" }),
    field("New password", fresh, { name: "password", hint: RULES }), box,
    h("div", {}, button("Change password", null, { kind: "primary", type: "submit" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, box);
    status.replaceChildren();
    try {
      await api.put("staff", `/v1/accounts/${encodeURIComponent(account().id)}/password`,
        { current_password: current.value, password: fresh.value });
    } catch (err) { showErrors(form, { message: api.plainError(err), errors: err.errors }, box); return; }
    current.value = "";
    fresh.value = "";
    box.replaceChildren(notice("Password changed. You stay signed in here; any other session of yours has ended.", "ok"));
  });
  return h("section", { class: "panel", "aria-labelledby": "new-password" }, h("h2", { id: "new-password" }, "Change password"), form);
}
