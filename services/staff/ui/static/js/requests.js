// Contact requests: open ones with their wishes on the practice's clocks, offers made, triage, and booking.

import * as api from "./api.js";
import { badge, button, field, h, notice, quietReplace, select } from "./dom.js";
import { bookLater } from "./bookform.js";
import { when, wishInZone, zone } from "./time.js";

export const TITLE = "Contact requests";
const ACTIVE = new Set(["open", "unverified", "in_progress"]);
const FILTERS = [["active", "Open and in progress"], ["open", "Open"], ["unverified", "Email not confirmed yet"],
  ["in_progress", "In progress"],
  ["booked", "Booked"], ["closed", "Closed"], ["", "All"]];

export function mount(root) {
  const filter = select(FILTERS, { value: "active" });
  const status = h("div");
  const list = h("ul", { class: "list", "aria-label": "Contact requests" });
  filter.addEventListener("change", () => view.refresh());
  root.append(h("h1", { id: "view-title" }, "Contact requests"),
    h("p", { class: "hint" }, `Clients' preferred times are shown in ${zone().replaceAll("_", " ")} time.`),
    h("div", { class: "toolbar" }, field("Show", filter, { name: "filter" })), status, list);
  let names = {};

  function card(r) {
    const actions = h("div", { class: "card__actions" });
    const li = h("li", { class: "card", dataset: { request: r.id, key: r.id } },
      h("div", { class: "card__head" }, h("h2", { class: "card__when" }, r.name),
        badge(r.status, r.status === "unverified" ? "email not confirmed yet" : null)),
      h("p", { class: "card__meta" }, `Received ${when(r.created_at)}`),
      h("p", { class: "card__meta" }, "Reach them: ",
        r.email ? h("a", { href: `mailto:${r.email}` }, r.email) : null, r.email && r.phone ? " · " : null,
        r.phone ? h("a", { href: `tel:${r.phone}` }, r.phone) : null),
      h("dl", { class: "dl" },
        r.clinician_id ? [h("dt", {}, "Clinician"), h("dd", {}, names[r.clinician_id] || "a clinician")] : null,
        r.modality ? [h("dt", {}, "Approach"), h("dd", {}, r.modality.replaceAll("_", " "))] : null,
        r.population ? [h("dt", {}, "For"), h("dd", {}, r.population)] : null,
        h("dt", {}, "Preferred times"),
        h("dd", {}, h("ul", { class: "plain" }, (r.preferred_times || []).map((w) => h("li", {}, wishInZone(w, r.time_zone)))),
          r.time_zone !== zone() ? h("span", { class: "hint" }, `(they are in ${r.time_zone.replaceAll("_", " ")} time)`) : null),
        h("dt", {}, "Offered"),
        h("dd", {}, r.matches && r.matches.length
          ? r.matches.map((m) => `${when(m.start)} with ${names[m.clinician_id] || "a clinician"}`).join("; ") : "nothing yet"),
        r.note ? [h("dt", {}, "Staff note"), h("dd", { class: "pre" }, r.note)] : null),
      r.message ? h("p", { class: "pre" }, h("span", { class: "label" }, "They wrote: "), r.message) : null,
      actions);
    const label = (text) => ({ "aria-label": `${text}: ${r.name}` });
    if (r.status !== "booked" && r.status !== "closed") {
      actions.append(button("Book this request", () => book(r), { kind: "primary", ...label("Book this request") }));
    }
    if (r.status === "open" || r.status === "unverified") actions.append(button("Mark in progress", () => triage(r, { status: "in_progress" }), label("Mark in progress")));
    if (r.status === "in_progress") actions.append(button("Back to open", () => triage(r, { status: "open" }), label("Back to open")));
    if (r.status !== "closed") actions.append(button("Close", () => triage(r, { status: "closed" }), { kind: "danger", ...label("Close") }));
    actions.append(button(r.note ? "Edit note" : "Add a note", () => noteEditor(r, li, actions), label("Staff note")));
    return li;
  }

  function book(r) {
    bookLater({ contact_request_id: r.id, name: r.name, email: r.email || "", phone: r.phone || "",
      clinician_id: r.clinician_id || "", notes: r.message || "" });
    location.hash = "#/agenda";
  }

  async function triage(r, body) {
    try {
      await api.patch("booking", `/v1/contact-requests/${encodeURIComponent(r.id)}`, body);
      status.replaceChildren(notice(`${r.name}'s request: ${body.status ? body.status.replace("_", " ") : "note saved"}.`, "ok"));
      await view.refresh();
    } catch (err) { status.replaceChildren(notice(api.plainError(err), "error", { alert: true })); }
  }

  function noteEditor(r, li, actions) {
    li.dataset.editing = "1";
    const text = h("textarea", { rows: "3", maxlength: "4000" });
    text.value = r.note || "";
    const close = () => { delete li.dataset.editing; box.replaceWith(actions); };
    const box = h("div", { class: "form" }, field("Staff note (for colleagues, never sent to the client)", text, { name: "note" }),
      h("div", { class: "card__actions" },
        button("Save note", async () => { close(); await triage(r, { note: text.value }); }, { kind: "primary" }),
        button("Cancel", close, { kind: "quiet" })));
    actions.replaceWith(box);
    text.focus();
  }

  const view = {
    async refresh() {
      const clinicians = await api.clinicians();
      names = Object.fromEntries(clinicians.map((c) => [c.id, c.name]));
      const wanted = filter.value;
      const local = wanted === "active" || wanted === "unverified";  // filtered here: the API lists by triage status
      const query = wanted && !local ? { status: wanted } : {};
      const { contact_requests: found } = await api.get("booking", "/v1/contact-requests", query);
      const shown = local ? found.filter((r) => (wanted === "active" ? ACTIVE.has(r.status) : r.status === wanted)) : found;
      quietReplace(list, ...(shown.length ? shown.map(card) : [h("li", { class: "empty" }, "No requests here.")]));
    },
  };
  return view;
}
