// Agenda: today and the coming week's consultations (a clinician's own), with cancel, move and book.

import * as api from "./api.js";
import { badge, button, field, h, input, notice, quietReplace, select } from "./dom.js";
import { bookingForm, takePending } from "./bookform.js";
import { day, dateKey, iso, startOfToday, time, when, zone } from "./time.js";

export const TITLE = "Agenda";
const DAYS = 8;

export function mount(root) {
  const own = api.ownClinician();
  const who = select([["", "All clinicians"]], { value: "" });
  const showCancelled = h("input", { type: "checkbox" });
  const formArea = h("div");
  const status = h("div");
  const list = h("div", { class: "agenda", "aria-live": "off" });
  const state = { clinicians: [], bookings: [] };

  function openForm(prefill = {}) {
    const form = bookingForm(state.clinicians, prefill, {
      onDone: (text) => { formArea.replaceChildren(notice(text, "ok")); view.refresh(); },
      onClose: () => { formArea.replaceChildren(); bookButton.focus(); },
    });
    formArea.replaceChildren(h("section", { class: "panel", "aria-labelledby": "book-title" },
      h("h2", { id: "book-title" }, "Book a consultation"), form));
    form.querySelector("input:not([disabled]), select:not([disabled])").focus();
  }

  const bookButton = button("Book a consultation", () => openForm(), { kind: "primary" });
  const toolbar = h("div", { class: "toolbar" },
    own ? null : field("Clinician", who, { name: "who" }),
    h("div", { class: "check" }, showCancelled, h("label", { for: (showCancelled.id = "show-cancelled") }, "Show cancelled")),
    bookButton);
  who.addEventListener("change", () => view.refresh());
  showCancelled.addEventListener("change", () => view.refresh());
  root.append(h("h1", { id: "view-title" }, own ? "My agenda" : "Agenda"),
    h("p", { class: "hint" }, `Today and the coming week, in ${zone().replaceAll("_", " ")} time.`),
    toolbar, formArea, status, list);

  function render() {
    const names = Object.fromEntries(state.clinicians.map((c) => [c.id, c.name]));
    const shown = state.bookings.filter((b) => b.status === "confirmed" || (showCancelled.checked && b.status === "cancelled"));
    if (!shown.length) return quietReplace(list, h("p", { class: "empty" }, "No consultations in these days."));
    const days = new Map();
    for (const b of shown) {
      const key = dateKey(b.start);
      if (!days.has(key)) days.set(key, []);
      days.get(key).push(b);
    }
    const parts = [];
    for (const [key, items] of days) {
      parts.push(h("h2", { class: "day", id: `day-${key}` }, day(items[0].start)),
        h("ul", { class: "list", "aria-labelledby": `day-${key}` }, items.map((b) => card(b, names))));
    }
    return quietReplace(list, ...parts);
  }

  function card(b, names) {
    const c = b.client || {};
    const actions = h("div", { class: "card__actions" });
    const li = h("li", { class: `card card--${b.status}`, dataset: { booking: b.id, key: b.id } },
      h("div", { class: "card__head" },
        h("h3", { class: "card__when" }, `${time(b.start)} – ${time(b.end)} · ${c.name || "Client"}`), badge(b.status)),
      h("p", { class: "card__meta" }, `With ${names[b.clinician_id] || "a clinician"}`),
      h("p", { class: "card__meta" }, "Reach them: ",
        c.email ? h("a", { href: `mailto:${c.email}` }, c.email) : null, c.email && c.phone ? " · " : null,
        c.phone ? h("a", { href: `tel:${c.phone}` }, c.phone) : null, !c.email && !c.phone ? "no contact details" : null),
      b.notes ? h("p", { class: "pre" }, h("span", { class: "label" }, "They wrote: "), b.notes) : null,
      b.cancel_reason ? h("p", { class: "card__meta" }, `Cancelled: ${b.cancel_reason}`) : null,
      actions);
    if (b.status === "confirmed" && Date.parse(b.end) > Date.now()) {
      actions.append(button("Move", () => move(b, li, actions), { "aria-label": `Move ${c.name}'s consultation` }),
        button("Cancel", () => cancel(b, li, actions), { kind: "danger", "aria-label": `Cancel ${c.name}'s consultation` }));
    }
    return li;
  }

  function editor(li, actions, ...content) {
    li.dataset.editing = "1";
    const box = h("div", { class: "form" }, ...content);
    actions.replaceWith(box);
    return () => { delete li.dataset.editing; box.replaceWith(actions); };
  }

  function cancel(b, li, actions) {
    const reason = input({ maxlength: "500" });
    const msg = h("div");
    const close = editor(li, actions, field("Reason (optional)", reason, { name: "reason" }), msg,
      h("div", { class: "card__actions" },
        button("Cancel this consultation", async () => {
          try {
            await api.post("booking", `/v1/bookings/${encodeURIComponent(b.id)}/cancel`, { reason: reason.value.trim() || null });
            close();
            view.refresh();
            status.replaceChildren(notice(`Cancelled ${b.client ? b.client.name : "the"} consultation of ${when(b.start)}.`, "ok"));
          } catch (err) { msg.replaceChildren(notice(api.plainError(err), "error", { alert: true })); }
        }, { kind: "danger" }),
        button("Keep it", () => { close(); }, { kind: "quiet" })));
    reason.focus();
  }

  async function move(b, li, actions) {
    const choice = select([["", "Loading open times…"]]);
    const msg = h("div");
    const close = editor(li, actions, field("New time", choice, { name: "start" }), msg,
      h("div", { class: "card__actions" },
        button("Move here", async () => {
          if (!choice.value) return;
          try {
            await api.post("booking", `/v1/bookings/${encodeURIComponent(b.id)}/reschedule`, { start: choice.value });
            close();
            view.refresh();
            status.replaceChildren(notice(`Moved to ${when(choice.value)}.`, "ok"));
          } catch (err) {
            msg.replaceChildren(notice(err.status === 409 ? "That time was just taken. Choose another." : api.plainError(err),
              "error", { alert: true }));
          }
        }, { kind: "primary" }),
        button("Keep the time", () => close(), { kind: "quiet" })));
    choice.focus();
    try {
      const { slots } = await api.get("availability", "/v1/slots", { clinician_id: b.clinician_id });
      choice.replaceChildren(h("option", { value: "" }, slots.length ? "Choose an open time" : "No open times this week"),
        ...slots.map((s) => h("option", { value: s.start }, when(s.start))));
    } catch (err) { msg.replaceChildren(notice(api.plainError(err), "error")); }
  }

  const view = {
    async refresh() {
      state.clinicians = await api.clinicians();
      if (!own && who.options.length !== state.clinicians.length + 1) {
        const keep = who.value;
        who.replaceChildren(h("option", { value: "" }, "All clinicians"),
          ...state.clinicians.map((c) => h("option", { value: c.id }, c.name)));
        who.value = keep;
      }
      const from = startOfToday();
      const to = new Date(from.getTime() + DAYS * 86400000);
      const answer = await api.get("booking", "/v1/bookings", { from: iso(from), to: iso(to), clinician_id: own || who.value });
      state.bookings = answer.bookings.sort((a, b) => a.start.localeCompare(b.start));
      render();
    },
  };
  const prefill = takePending();
  if (prefill) window.setTimeout(async () => { state.clinicians = await api.clinicians(); openForm(prefill); }, 0);
  return view;
}
