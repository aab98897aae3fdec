// Integrator tokens (admin, in Integrations): issue one (its value shown once), list them, revoke one.

import * as api from "./api.js";
import { announce, badge, button, clearErrors, field, h, input, notice, quietReplace, showErrors } from "./dom.js";
import { when, zone } from "./time.js";

const PATH = "/v1/integrator-tokens";
const dated = (at) => new Intl.DateTimeFormat("en-US", { timeZone: zone(), year: "numeric", month: "short", day: "numeric" })
  .format(new Date(at));  // a year ahead: the year matters

/** The "Integrator tokens" section; `status` shows what a revocation did. Returns { element, refresh }. */
export function tokensPanel(status) {
  const list = h("ul", { class: "list", "aria-label": "Integrator tokens" });
  const name = input({ required: true, maxlength: "80", autocomplete: "off" });
  const box = h("div");
  const made = h("div", { class: "token-made" });
  const form = h("form", { class: "form", novalidate: true },
    field("Name", name, { name: "name", hint: "Who or what uses it, e.g. CRM sync (up to 80 characters)." }), box,
    h("div", {}, button("Create token", null, { kind: "primary", type: "submit" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, box);
    made.replaceChildren();
    try {
      made.replaceChildren(shownOnce(await api.post("staff", PATH, { name: name.value.trim() })));
      name.value = "";
      await panel.refresh();
    } catch (err) { showErrors(form, { message: api.plainError(err), errors: err.errors }, box); }
  });
  const element = h("section", { class: "panel", "aria-labelledby": "integrator-tokens" },
    h("h2", { id: "integrator-tokens" }, "Integrator tokens"),
    h("p", { class: "hint" }, "A read-only token reads the event feed (GET /v1/events) and nothing else, for a year "
      + "or until you revoke it; revoked, every service refuses it within seconds."),
    form, made, h("h3", {}, "Issued tokens"), list);

  function shownOnce(t) {
    const value = input({ readonly: true, value: t.token, class: "secret", spellcheck: "false" });
    const copy = async () => {
      value.select();
      try { await navigator.clipboard.writeText(t.token); announce("Token copied."); }
      catch { announce("Token selected: press Ctrl+C (or ⌘C) to copy it."); }
    };
    return h("div", { class: "notice notice--ok", role: "status" },
      h("p", {}, `Token for ${t.name} created; it works until ${dated(t.expires_at)}. `
        + "Copy it now and give it to the integrator: it is shown only this once."),
      field(`New token for ${t.name}`, value, { hint: "Select it and copy (Ctrl+C or ⌘C), or use Copy." }),
      h("div", {}, button("Copy", copy, { "aria-label": `Copy the token for ${t.name}` })));
  }

  function item(t) {
    return h("li", { class: "card", dataset: { key: t.id, token: t.id } },
      h("div", { class: "card__head" }, h("h4", { class: "card__when" }, t.name), badge(t.status)),
      h("p", { class: "card__meta" }, `Created ${when(t.created_at)} · expires ${dated(t.expires_at)} · ends in …${t.hint}`),
      t.revoked_at ? h("p", { class: "card__meta" }, `Revoked ${when(t.revoked_at)}`) : null,
      t.status === "active" ? h("div", { class: "card__actions" },
        button("Revoke", (e) => confirmRevoke(t, e.currentTarget.parentElement), { kind: "danger", "aria-label": `Revoke ${t.name}` })) : null);
  }

  function confirmRevoke(t, actions) {
    const yes = button("Yes, revoke", () => revoke(t), { kind: "danger", "aria-label": `Yes, revoke ${t.name}` });
    actions.replaceChildren(h("div", { role: "group", "aria-label": `Confirm revoking ${t.name}`, "data-editing": true },
      h("p", {}, `Revoke ${t.name}? Whatever uses it is refused within seconds; this cannot be undone.`),
      h("div", { class: "card__actions" }, yes, button("Keep it", () => panel.refresh(t.id)))));
    yes.focus();
  }

  async function revoke(t) {
    try {
      await api.call("staff", "DELETE", `${PATH}/${encodeURIComponent(t.id)}`);
      status.replaceChildren(notice(`${t.name}: revoked; every service refuses it within seconds.`, "ok"));
    } catch (err) { status.replaceChildren(notice(api.plainError(err), "error", { alert: true })); }
    await panel.refresh(t.id);
  }

  const panel = {
    element,
    /** Polls leave an open confirmation alone; `after` (a token id) ends it and puts the focus on that token. */
    async refresh(after = null) {
      const { integrator_tokens: tokens } = await api.get("staff", PATH);
      const items = tokens.length ? tokens.map(item) : [h("li", { class: "empty" }, "No integrator tokens yet.")];
      if (!after) { quietReplace(list, ...items); return; }
      list.replaceChildren(...items);
      const card = list.querySelector(`[data-key="${CSS.escape(after)}"]`);
      const target = card && (card.querySelector("button") || card);
      if (target === card) card.setAttribute("tabindex", "-1");
      if (target) target.focus();
    },
  };
  return panel;
}
