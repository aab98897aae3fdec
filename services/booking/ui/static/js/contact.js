// When no time suits: a contact request with the days and times that would work, and what happens next.

import * as api from "./api.js";
import { button, h, mount, setStep, setTitle } from "./dom.js";
import { state as booking } from "./book.js";
import { checkboxField, field, group, showErrors } from "./forms.js";
import { MODALITIES, POPULATIONS, WEEKDAYS, zone, zoneName } from "./time.js";

const PRACTICE = api.config.practiceName;
const FIELDS = { consent: "cr-consent", name: "cr-name", email: "cr-email", phone: "cr-phone", clinician_id: "cr-clinician",
  days: "cr-days", times: "cr-times", preferred_times: "cr-days", message: "cr-message", time_zone: "cr-times" };
const EMPTY = { "cr-name": "Please tell us your name.", "cr-days": "Please choose at least one day." };
let values = { name: "", email: "", phone: "", message: "", consent: false, days: [],
  ranges: [{ start: "09:00", end: "17:00" }] };

export function stop() {}

function timeRows() {
  const rows = h("div", { class: "ranges" });
  const paint = () => {
    rows.replaceChildren(...values.ranges.map((range, i) => {
      const n = i + 1;
      const input = (key) => h("input", { class: "input input--time", type: "time", step: "900", id: `cr-${key}-${n}`,
        name: `${key}-${n}`, value: range[key], oninput: (e) => { range[key] = e.target.value; } });
      return h("div", { class: "range", role: "group", "aria-label": `Time range ${n}` },
        h("div", { class: "range__part" }, h("label", { for: `cr-start-${n}` }, "From"), input("start")),
        h("div", { class: "range__part" }, h("label", { for: `cr-end-${n}` }, "To"), input("end")),
        values.ranges.length > 1
          ? button(["Remove", h("span", { class: "visually-hidden" }, ` time range ${n}`)], () => {
            values.ranges.splice(i, 1);
            paint();
            rows.querySelector("input")?.focus();
          }, { kind: "link" })
          : null);
    }));
  };
  paint();
  const add = button("Add another time range", () => {
    values.ranges.push({ start: "17:00", end: "19:00" });
    paint();
    rows.querySelector(`#cr-start-${values.ranges.length}`).focus();
  }, { kind: "link" });
  return [rows, add];
}

function clinicianChoice() {
  const list = booking.clinicians || [];
  const chosen = booking.clinician ? booking.clinician.id : "";
  return h("select", { class: "input", name: "clinician" },
    h("option", { value: "" }, "Anyone suitable"),
    list.map((c) => h("option", { value: c.id, selected: c.id === chosen ? "selected" : null }, c.name)));
}

function form() {
  const f = h("form", { class: "form", novalidate: true, "aria-labelledby": "step-title" },
    field({ id: "cr-name", label: "Your name", control: h("input", {
      class: "input", name: "name", autocomplete: "name", value: values.name }) }),
    h("p", { class: "hint hint--block" }, "How should we reach you? An email address, a phone number, or both."),
    field({ id: "cr-email", label: "Email", control: h("input", { class: "input", name: "email", type: "email",
      autocomplete: "email", spellcheck: "false", value: values.email }) }),
    field({ id: "cr-phone", label: "Phone", optional: true, control: h("input", { class: "input", name: "phone",
      type: "tel", autocomplete: "tel", value: values.phone }) }),
    (booking.clinicians || []).length
      ? field({ id: "cr-clinician", name: "Clinician", label: "Who would you like to talk to?",
        control: clinicianChoice() })
      : null,
    group({ id: "cr-days", name: "Days", legend: "Which days could work?", hint: "Choose all that apply.",
      children: h("div", { class: "days" }, WEEKDAYS.map(([code, name]) => h("div", { class: "checkbox" },
        h("input", { type: "checkbox", name: "days", value: code, id: `cr-day-${code}`,
          checked: values.days.includes(code) }),
        h("label", { for: `cr-day-${code}` }, name)))) }),
    group({ id: "cr-times", name: "Times of day", legend: "What times of day?", hint: `In ${zoneName(zone())}.`,
      children: timeRows() }),
    field({ id: "cr-message", name: "Message", label: "Anything you'd like us to know?", optional: true,
      hint: "For example, what you're looking for help with, or the best way to reach you.",
      control: h("textarea", { class: "input", name: "message", rows: "4", maxlength: "2000" }, values.message) }),
    checkboxField({ id: "cr-consent", name: "Consent",
      label: `I agree that ${PRACTICE} may contact me to arrange a consultation call.`,
      hint: "We use your details only for this.", control: h("input", { type: "checkbox", name: "consent",
        checked: values.consent }) }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn--primary", "data-submit": "" },
      "Send my request")));
  f.addEventListener("submit", (event) => { event.preventDefault(); submit(f); });
  return f;
}

function read(f) {
  const el = f.elements;
  values = { ...values, name: el.name.value.trim(), email: el.email.value.trim(), phone: el.phone.value.trim(),
    message: el.message.value.trim(), consent: el.consent.checked,
    days: [...f.querySelectorAll("input[name=days]:checked")].map((i) => i.value) };
  const body = { name: values.name, time_zone: zone(), consent: values.consent,
    preferred_times: values.days.flatMap((weekday) => values.ranges.map((r) => ({ weekday, start: r.start, end: r.end }))) };
  if (values.email) body.email = values.email;
  if (values.phone) body.phone = values.phone;
  if (values.message) body.message = values.message;
  const clinicianId = el.clinician ? el.clinician.value : "";
  if (clinicianId) body.clinician_id = clinicianId;
  if (booking.filters.modality) body.modality = booking.filters.modality;
  if (booking.filters.population) body.population = booking.filters.population;
  return body;
}

/** preferred_times.3.start is a time problem; preferred_times.3.weekday (or the whole list) a day problem. */
function mapErrors(errors) {
  const out = {};
  for (const [path, messages] of Object.entries(errors)) {
    let key = path;
    if (/^preferred_times\.\d+\.(start|end)/.test(path)) key = "times";
    else if (/^preferred_times(\.|$)/.test(path)) key = "days";
    out[key] = [...(out[key] || []), ...messages];
  }
  return out;
}

async function submit(f) {
  const btn = f.querySelector("[data-submit]");
  if (btn.getAttribute("aria-disabled") === "true") return;
  const body = read(f);
  btn.setAttribute("aria-disabled", "true");
  btn.textContent = "Sending…";
  let created;
  try {
    created = await api.contactRequest(body);
  } catch (err) {
    btn.removeAttribute("aria-disabled");
    btn.textContent = "Send my request";
    const errors = mapErrors(err.errors || {});
    showErrors(f, errors, FIELDS, { general: Object.keys(errors).length ? null : api.plainError(err), emptyText: EMPTY });
    return;
  }
  values = { ...values, message: "" };
  showSent(created, body);
}

export function start({ focus = true } = {}) {
  setStep(0);
  setTitle("Ask for a time that suits you", null, `Ask for a time that suits you · ${PRACTICE}`);
  const c = booking.clinician;
  const wanted = [MODALITIES[booking.filters.modality], POPULATIONS[booking.filters.population]].filter(Boolean);
  mount(h("section", { class: "step", "aria-labelledby": "step-title" },
    h("a", { href: "#/", class: "btn btn--link back" }, "Back to booking"),
    h("h2", { id: "step-title", class: "step__title" }, "Tell us when suits you"),
    h("p", { class: "step__intro" }, "If none of the open times work, let us know the days and times that would. "
      + `${PRACTICE} will get back to you to arrange a call${c ? ` with ${c.name}` : ""}.`),
    wanted.length ? h("p", { class: "hint" }, `You're looking for: ${wanted.join("; ")}.`) : null,
    form()), { focus, onZone: () => {
    document.getElementById("cr-times-hint").textContent = `In ${zoneName(zone())}.`;
  } });
}

function showSent(created, body) {
  const reach = body.email ? "by email" : "by phone";
  const verify = created && created.status === "unverified";
  mount(h("section", { class: "step step--done", "aria-labelledby": "step-title" },
    h("h2", { id: "step-title", class: "step__title" }, "Thank you, your request is with us"),
    h("p", {}, "Reaching out can take courage. Here is what happens next:"),
    verify ? h("p", { class: "notice", role: "status" }, `Please check your email (${body.email}): we sent you a link `
      + "to confirm your address. We will email you about open times only once you have opened it.") : null,
    h("ol", { class: "next-steps next-steps--numbered" },
      h("li", {}, `${PRACTICE} receives your request straight away.`),
      h("li", {}, `When a time that matches what you told us opens up, we'll let you know ${reach} so you can book it.`),
      h("li", {}, "Someone from the practice may also contact you directly to find a time together.")),
    created && created.id ? h("p", { class: "hint" }, "Your reference: ", h("span", { class: "mono" }, created.id)) : null,
    h("p", {}, h("a", { href: "#/", class: "btn btn--secondary" }, "Back to the booking page"))));
}
