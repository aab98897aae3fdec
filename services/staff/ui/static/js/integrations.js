// Integrations (admin): webhook subscriptions, their delivery logs, resend, pause and resume; integrator tokens.

import * as api from "./api.js";
import { badge, button, check, clearErrors, field, h, input, notice, quietReplace, showErrors } from "./dom.js";
import { tokensPanel } from "./integrator_tokens.js";
import { when } from "./time.js";

export const TITLE = "Integrations";

export function mount(root) {
  const list = h("ul", { class: "list", "aria-label": "Webhook subscriptions" });
  const status = h("div");
  const open = new Set();
  const logs = {};
  const url = input({ type: "url", required: true, placeholder: "https://example.org/hooks/attune" });
  const events = input({ value: "booking.*" });
  const details = h("input", {});
  const box = h("div");
  const form = h("form", { class: "form", novalidate: true },
    h("div", { class: "grid2" }, field("Address (URL)", url, { name: "url" }),
      field("Event types", events, { name: "events", hint: "Comma separated: booking.*, contact_request.created, *" })),
    h("div", {}, check("Include the client's details (name, email, phone)", details)), box,
    h("div", {}, button("Add the webhook", null, { kind: "primary", type: "submit" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, box);
    try {
      const made = await api.post("notifications", "/v1/webhooks", { url: url.value.trim(), include_client_details: details.checked,
        events: events.value.split(",").map((s) => s.trim()).filter(Boolean) });
      box.replaceChildren(h("div", { class: "notice notice--ok", role: "status" },
        h("p", {}, "Added. Give the integrator this signing secret now: it is shown only once."),
        h("p", { class: "secret" }, made.secret)));
      url.value = "";
      await view.refresh();
    } catch (err) { showErrors(form, { message: api.plainError(err), errors: err.errors }, box); }
  });
  const tokens = tokensPanel(status);
  root.append(h("h1", { id: "view-title" }, "Integrations"), status,
    h("div", { class: "columns" }, h("div", {}, h("h2", {}, "Webhook subscriptions"), list),
      h("div", {}, h("section", { class: "panel", "aria-labelledby": "new-hook" }, h("h2", { id: "new-hook" }, "Add a webhook"), form))),
    tokens.element);

  function hook(w) {
    const paused = w.status !== "active";
    const li = h("li", { class: "card", dataset: { key: w.id, webhook: w.id } },
      h("div", { class: "card__head" }, h("h3", { class: "card__when" }, w.url), badge(w.status)),
      h("p", { class: "card__meta" }, `Events: ${w.events.join(", ")}${w.include_client_details ? " · with client details" : ""}`),
      w.disabled_reason ? h("p", { class: "card__meta" }, `Disabled: ${w.disabled_reason}`) : null,
      w.consecutive_failures ? h("p", { class: "card__meta" }, `${w.consecutive_failures} failures in a row`) : null,
      h("div", { class: "card__actions" },
        button(paused ? "Resume" : "Pause", () => change(w, { status: paused ? "active" : "paused" }), { "aria-label": `${paused ? "Resume" : "Pause"} ${w.url}` }),
        button(open.has(w.id) ? "Hide deliveries" : "Show deliveries", () => toggle(w), { "aria-expanded": String(open.has(w.id)), "aria-label": `Deliveries of ${w.url}` })),
      open.has(w.id) ? deliveries(w) : null);
    return li;
  }

  function deliveries(w) {
    const found = logs[w.id] || [];
    if (!found.length) return h("p", { class: "empty" }, "No deliveries yet.");
    return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": `Deliveries of ${w.url}` },
      h("table", { class: "stack" },
      h("caption", { class: "visually-hidden" }, `Deliveries of ${w.url}`),
      h("thead", {}, h("tr", {}, ["Event", "Status", "Attempts", "Last answer", "When"].map((t) => h("th", { scope: "col" }, t)),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Resend")))),
      h("tbody", {}, found.map((d) => h("tr", {},
        h("td", { "data-label": "Event" }, `${d.event_type} · ${d.subject}`),
        h("td", { "data-label": "Status" }, badge(d.status)),
        h("td", { "data-label": "Attempts" }, String(d.attempt_count)),
        h("td", { "data-label": "Last answer" }, d.last_status_code ? `HTTP ${d.last_status_code}` : ((d.attempts.at(-1) || {}).error || "—")),
        h("td", { "data-label": "When" }, when(d.created_at)),
        h("td", { "data-label": "" }, button("Resend", () => resend(w, d), { "aria-label": `Resend ${d.event_type} ${d.id}` })))))));
  }

  async function change(w, body) {
    try {
      await api.patch("notifications", `/v1/webhooks/${encodeURIComponent(w.id)}`, body);
      status.replaceChildren(notice(`${w.url}: ${body.status === "paused" ? "paused" : "resumed"}.`, "ok"));
      await view.refresh();
    } catch (err) { status.replaceChildren(notice(api.plainError(err), "error", { alert: true })); }
  }

  async function toggle(w) {
    if (open.has(w.id)) open.delete(w.id); else open.add(w.id);
    await view.refresh();
  }

  async function resend(w, d) {
    try {
      await api.post("notifications", `/v1/webhooks/${encodeURIComponent(w.id)}/deliveries/${encodeURIComponent(d.id)}/resend`);
      status.replaceChildren(notice(`Sent ${d.event_type} to ${w.url} again.`, "ok"));
      await view.refresh();
    } catch (err) { status.replaceChildren(notice(api.plainError(err), "error", { alert: true })); }
  }

  const view = {
    async refresh() {
      const { webhooks } = await api.get("notifications", "/v1/webhooks");
      for (const id of open) {
        logs[id] = (await api.get("notifications", `/v1/webhooks/${encodeURIComponent(id)}/deliveries`, { limit: 20 })).deliveries;
      }
      quietReplace(list, ...(webhooks.length ? webhooks.map(hook) : [h("li", { class: "empty" }, "No webhooks yet.")]));
      await tokens.refresh();
    },
  };
  return view;
}
