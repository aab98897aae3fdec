// Accounts (admin): invite, change role, deactivate, who has TOTP; the audit log by account and by subject.

import * as api from "./api.js";
import { badge, button, clearErrors, field, h, input, notice, quietReplace, select, showErrors } from "./dom.js";
import { when } from "./time.js";

export const TITLE = "Accounts";
const ROLES = [["staff", "Staff"], ["clinician", "Clinician"], ["admin", "Admin"]];
const KEEP = 300;

export function mount(root) {
  const status = h("div");
  // A table wider than a phone scrolls in its box; the box takes the focus so a keyboard can scroll it.
  const table = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "List of accounts" });
  const auditTable = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Audit log entries" });
  const state = { accounts: [], clinicians: [], audit: [], seen: new Set(), since: null, filter: "" };

  const email = input({ type: "email", required: true, autocomplete: "off" });
  const name = input({ required: true, autocomplete: "off" });
  const role = select(ROLES, { value: "staff" });
  const clinician = select([["", "Not a clinician"]]);
  const box = h("div");
  const invite = h("form", { class: "form", novalidate: true },
    h("div", { class: "grid2" }, field("Name", name, { name: "name" }), field("Email", email, { name: "email" }),
      field("Role", role, { name: "role" }), field("Clinician (for a clinician account)", clinician, { name: "clinician_id" })),
    h("p", { class: "hint" }, "They get an email with a link to choose their own password; it works once, for 72 hours."),
    box, h("div", {}, button("Send the invitation", null, { kind: "primary", type: "submit" })));
  invite.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(invite, box);
    try {
      const made = await api.post("staff", "/v1/invitations", { email: email.value.trim(), name: name.value.trim(), role: role.value,
        clinician_id: role.value === "clinician" ? clinician.value || null : null });
      box.replaceChildren(notice(`Invitation sent to ${made.email}: ${made.name} chooses a password on its link (valid until ${when(made.expires_at)}).`, "ok"));
      email.value = ""; name.value = "";
      await view.refresh();
    } catch (err) { showErrors(invite, { message: api.plainError(err), errors: err.errors }, box); }
  });

  const who = select([["", "Everyone"]]);
  const subject = input({ placeholder: "a booking, request or clinician id" });
  const filters = h("form", { class: "toolbar", novalidate: true }, field("Account", who, { name: "account_id" }),
    field("Client subject", subject, { name: "subject" }), button("Filter", null, { type: "submit" }));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    Object.assign(state, { audit: [], seen: new Set(), since: null });
    loadAudit().catch((err) => status.replaceChildren(notice(api.plainError(err), "error", { alert: true })));
  });

  const editor = h("div");
  root.append(h("h1", { id: "view-title" }, "Accounts"), status, h("h2", {}, "People who sign in"), table, editor,
    h("section", { class: "panel", "aria-labelledby": "invite-title" }, h("h2", { id: "invite-title" }, "Invite someone"), invite),
    h("section", { "aria-labelledby": "audit-title" }, h("h2", { id: "audit-title" }, "Audit log"),
      h("p", { class: "hint" }, "Who read a client's details or changed something, in any service; newest first."), filters, auditTable));

  const nameOf = (id) => {
    if (id === "owner") return "Practice owner (admin token)";
    const a = state.accounts.find((x) => x.id === id);
    return a ? (a.name || a.email) : id;
  };

  const clinicianName = (id) => (state.clinicians.find((c) => c.id === id) || {}).name || id;

  function row(a) {
    const who = a.name || a.email;
    return h("tr", { dataset: { key: a.id, account: a.id } },
      h("td", { "data-label": "Name" }, a.name || "—"), h("td", { "data-label": "Email" }, a.email),
      h("td", { "data-label": "Role" }, a.role, a.clinician_id ? ` (${clinicianName(a.clinician_id)})` : ""),
      h("td", { "data-label": "Status" }, statusCell(a)),
      h("td", { "data-label": "TOTP" }, a.totp ? "yes" : "no"),
      h("td", { "data-label": "Change" }, h("div", { class: "card__actions" }, a.status === "invited" ? invitationActions(a, who) : [
        button("Change role", () => openRole(a), { "aria-label": `Change role of ${who}` }),
        a.active ? button("Deactivate", () => change(a, { active: false }), { kind: "danger", "aria-label": `Deactivate ${who}` })
          : button("Reactivate", () => change(a, { active: true }), { "aria-label": `Reactivate ${who}` })])));
  }

  function statusCell(a) {
    if (a.status !== "invited") return badge(a.active ? "active" : "inactive", a.active ? "active" : "deactivated");
    const inv = a.invitation;
    if (inv && inv.status === "expired") return [badge("expired", "invitation expired"), h("span", { class: "hint" }, " resend it")];
    return [badge("pending", "invited"), inv ? h("span", { class: "hint" }, ` until ${when(inv.expires_at)}`) : null];
  }

  function invitationActions(a, who) {
    const id = a.invitation ? encodeURIComponent(a.invitation.id) : null;
    if (!id) return [];
    return [
      button("Resend", () => act(async () => {
        const sent = await api.post("staff", `/v1/invitations/${id}/resend`);
        return `A new invitation went to ${a.email} (the earlier link no longer works), valid until ${when(sent.expires_at)}.`;
      }), { "aria-label": `Resend the invitation to ${who}` }),
      button("Revoke", () => act(async () => {
        await api.call("staff", "DELETE", `/v1/invitations/${id}`);
        return `The invitation to ${a.email} is revoked: its link no longer works.`;
      }), { kind: "danger", "aria-label": `Revoke the invitation to ${who}` })];
  }

  async function act(doing) {
    try {
      status.replaceChildren(notice(await doing(), "ok"));
      await view.refresh();
    } catch (err) { status.replaceChildren(notice(api.plainError(err), "error", { alert: true })); }
  }

  async function change(a, body) {
    try {
      await api.patch("staff", `/v1/accounts/${encodeURIComponent(a.id)}`, body);
      const what = body.active ? "reactivated" : "deactivated: signed out everywhere";
      status.replaceChildren(notice(`${a.name || a.email}: ${what}.`, "ok"));
      await view.refresh();
    } catch (err) { status.replaceChildren(notice(api.plainError(err), "error", { alert: true })); }
  }

  /** The role editor: a clinician account names its clinician (the API answers 422 on `clinician_id` if not). */
  function openRole(a) {
    const who = a.name || a.email;
    const newRole = select(ROLES, { value: a.role });
    const pick = select([["", "Choose a clinician"], ...state.clinicians.map((c) => [c.id, c.name])], { value: a.clinician_id || "" });
    const pickField = field("Clinician", pick, { name: "clinician_id", hint: "Whose agenda, requests and schedule this account sees." });
    const showPick = () => { pickField.hidden = newRole.value !== "clinician"; };
    newRole.addEventListener("change", showPick);
    showPick();
    const box = h("div");
    const close = () => { editor.replaceChildren(); focusRow(a.id); };
    const form = h("form", { class: "form", novalidate: true, dataset: { editing: "1" } },
      h("div", { class: "grid2" }, field("Role", newRole, { name: "role" }), pickField),
      h("p", { class: "hint" }, "Changing the role signs the account out everywhere; it signs in again with the new role."), box,
      h("div", { class: "card__actions" }, button("Save the role", null, { kind: "primary", type: "submit" }),
        button("Cancel", close, { kind: "quiet" })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form, box);
      const clinicianId = newRole.value === "clinician" ? pick.value || null : null;
      try {
        const saved = await api.patch("staff", `/v1/accounts/${encodeURIComponent(a.id)}`, { role: newRole.value, clinician_id: clinicianId });
        const of = saved.clinician_id ? ` of ${clinicianName(saved.clinician_id)}` : "";
        status.replaceChildren(notice(`${who}: now ${saved.role}${of}; signed out everywhere to sign in with the new role.`, "ok"));
        editor.replaceChildren();
        await view.refresh();
        focusRow(a.id);
      } catch (err) { showErrors(form, { message: api.plainError(err), errors: err.errors }, box); }
    });
    editor.replaceChildren(h("section", { class: "panel", "aria-labelledby": "role-title" },
      h("h2", { id: "role-title" }, `Role of ${who}`), form));
    newRole.focus();
  }

  function focusRow(id) {
    const again = table.querySelector(`tr[data-key="${CSS.escape(id)}"] button`);
    if (again) again.focus();
  }

  async function loadAudit() {
    const query = { account_id: who.value, subject: subject.value.trim(), limit: 500 };
    let after = state.since || new Date(Date.now() - 30 * 86400000).toISOString();
    for (let page = 0; page < 20; page += 1) {
      const answer = await api.get("staff", "/v1/audit", { ...query, after });
      for (const e of answer.entries) {
        const key = [e.at, e.account_id, e.session_id, e.action, e.service, e.subject].join("|");
        if (state.seen.has(key)) continue;
        state.seen.add(key);
        state.audit.push(e);
      }
      if (!answer.next_cursor) break;
      after = answer.next_cursor;
    }
    state.audit.sort((x, y) => y.at.localeCompare(x.at));
    state.audit = state.audit.slice(0, KEEP);
    // late arrivals (a service's relay a little behind) are caught by looking a minute back each time
    if (state.audit.length) state.since = new Date(Date.parse(state.audit[0].at) - 60000).toISOString();
    quietReplace(auditTable, state.audit.length ? h("table", { class: "stack" },
      h("caption", { class: "visually-hidden" }, "Audit entries, newest first"),
      h("thead", {}, h("tr", {}, ["When", "Who", "Action", "Service", "Subject"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, state.audit.map((e) => h("tr", {},
        h("td", { "data-label": "When" }, when(e.at)), h("td", { "data-label": "Who" }, nameOf(e.account_id)),
        h("td", { "data-label": "Action" }, e.action), h("td", { "data-label": "Service" }, e.service),
        h("td", { "data-label": "Subject" }, e.subject || "—"))))) : h("p", { class: "empty" }, "No entries."));
  }

  const view = {
    async refresh() {
      state.accounts = (await api.get("staff", "/v1/accounts")).accounts;
      state.clinicians = await api.clinicians();
      if (clinician.options.length !== state.clinicians.length + 1) {
        clinician.replaceChildren(h("option", { value: "" }, "Not a clinician"), ...state.clinicians.map((c) => h("option", { value: c.id }, c.name)));
      }
      if (who.options.length !== state.accounts.length + 2 && document.activeElement !== who) {
        const keep = who.value;
        who.replaceChildren(h("option", { value: "" }, "Everyone"), h("option", { value: "owner" }, "Practice owner (admin token)"),
          ...state.accounts.map((a) => h("option", { value: a.id }, a.name || a.email)));
        who.value = keep;
      }
      quietReplace(table, h("table", { class: "stack" }, h("caption", { class: "visually-hidden" }, "Accounts"),
        h("thead", {}, h("tr", {}, ["Name", "Email", "Role", "Status", "TOTP", "Change"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, state.accounts.map(row))));
      await loadAudit();
    },
  };
  return view;
}
