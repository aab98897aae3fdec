// "Book a consultation": a client at a time agreed with them (optionally outside the clinician's hours).

import * as api from "./api.js";
import { announce, button, check, clearErrors, field, h, input, notice, select, showErrors } from "./dom.js";
import { dateKey, iso, when, zone, zoned } from "./time.js";

let pending = null;

/** Opens the booking form pre-filled on the agenda (from a contact request). */
export function bookLater(prefill) { pending = prefill; }
export function takePending() { const p = pending; pending = null; return p; }

export function bookingForm(clinicians, prefill = {}, { onDone = () => {}, onClose = () => {} } = {}) {
  const own = api.ownClinician();
  const choices = clinicians.map((c) => [c.id, c.name]);
  const clinician = select([["", "Choose a clinician"], ...choices], { required: true, value: prefill.clinician_id || own || "" });
  if (own) clinician.disabled = true;
  const date = input({ type: "date", required: true, value: prefill.date || dateKey(Date.now()) });
  const at = input({ type: "time", step: "900", required: true, value: prefill.time || "" });
  const name = input({ autocomplete: "off", required: true, value: prefill.name || "" });
  const email = input({ type: "email", autocomplete: "off", value: prefill.email || "" });
  const phone = input({ type: "tel", autocomplete: "off", value: prefill.phone || "" });
  const notes = h("textarea", { rows: "3" });
  notes.value = prefill.notes || "";
  const outside = h("input", { checked: Boolean(prefill.outside_hours) });
  const box = h("div");
  const form = h("form", { class: "form", novalidate: true, dataset: { editing: "1" } },
    prefill.contact_request_id ? notice(`For the contact request from ${prefill.name}: it will be marked booked.`, "info") : null,
    h("div", { class: "grid2" },
      field("Clinician", clinician, { name: "clinician_id" }),
      field("Date", date, { name: "date" }),
      field("Time", at, { name: "start", hint: `${zone().replaceAll("_", " ")} time, on the quarter hour` })),
    h("div", { class: "grid2" },
      field("Client's name", name, { name: "client.name" }),
      field("Client's email", email, { name: "client.email", hint: "The confirmation is sent here." }),
      field("Client's phone", phone, { name: "client.phone" })),
    field("What they wrote (notes)", notes, { name: "notes" }),
    h("div", { dataset: { field: "outside_hours" } }, check("Outside the clinician's hours (an agreed time)", outside),
      h("p", { class: "error-text", hidden: true })),
    box,
    h("div", { class: "card__actions" }, button("Book the consultation", null, { kind: "primary", type: "submit" }),
      button("Close", () => onClose(), { kind: "quiet" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, box);
    if (!clinician.value || !date.value || !at.value || !name.value.trim()) {
      const errors = {};
      if (!clinician.value) errors.clinician_id = ["Choose a clinician."];
      if (!date.value) errors.date = ["Give the date."];
      if (!at.value) errors.start = ["Give the time."];
      if (!name.value.trim()) errors["client.name"] = ["Give the client's name."];
      return showErrors(form, { message: "Some details are missing.", errors }, box);
    }
    const start = zoned(date.value, at.value);
    const body = { clinician_id: clinician.value, start: iso(start), outside_hours: outside.checked,
      client: { name: name.value.trim(), email: email.value.trim() || null, phone: phone.value.trim() || null },
      notes: notes.value.trim() || null };
    if (prefill.contact_request_id) body.contact_request_id = prefill.contact_request_id;
    try {
      const booked = await api.post("booking", "/v1/bookings", body);
      const who = clinicians.find((c) => c.id === booked.clinician_id);
      const text = `Booked: ${body.client.name} with ${who ? who.name : "the clinician"} on ${when(booked.start)}.`
        + (body.client.email ? " The confirmation email is on its way." : "");
      announce(text);
      onDone(text);
    } catch (err) {
      const messages = { 409: "That time is already taken. Choose another.",
        422: err.message };
      showErrors(form, { message: messages[err.status] || api.plainError(err), errors: err.errors }, box);
    }
    return undefined;
  });
  return form;
}
