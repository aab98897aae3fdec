// The booking journey: find a clinician, choose a time, hold it, give details, confirmed.

import * as api from "./api.js";
import { announce, button, h, mount, newId, notice, setStep, setTitle, visuallyHidden } from "./dom.js";
import { checkboxField, clearErrors, field, showErrors } from "./forms.js";
import { slotPicker } from "./slots.js";
import {
  MODALITIES, POPULATIONS, callSentence, countdownText, formatLongDate, formatTime, formatWhen, icsFile, languageName,
  plainList, zone, zoneName,
} from "./time.js";

const PRACTICE = api.config.practiceName;
const LEDE = "A short, no-pressure conversation to see whether working together feels right. "
  + "There is nothing to prepare and nothing to pay.";

export const state = {
  filters: { modality: "", population: "", language: "" },
  languages: [],
  clinicians: null,
  nextPage: null, // the directory's token for more clinicians, when there are more
  clinician: null,
  hold: null,
  day: null,
  gone: new Set(), // times found taken since the list was read: never offered again in this visit
  client: { name: "", email: "", phone: "", notes: "", consent: false },
};

let leave = null;

function show(view, { focus = true, onZone = null, onLeave = null } = {}) {
  if (leave) leave();
  leave = onLeave;
  mount(view, { focus, onZone });
}

export function stop() {
  if (leave) leave();
  leave = null;
}

export function start({ focus = false } = {}) {
  setTitle("Book a free consultation call", LEDE, `Book a free consultation call · ${PRACTICE}`);
  if (state.hold) return showDetails({ focus });
  if (state.clinician) return showSlots({ focus });
  return showSearch({ focus });
}

/* Step 1: what are you looking for, and who matches. */

function select(id, label, options, value) {
  const control = h("select", { name: id, class: "input" },
    h("option", { value: "" }, "Any"),
    Object.entries(options).map(([v, text]) => h("option", { value: v, selected: v === value ? "selected" : null }, text)));
  return field({ id: `filter-${id}`, label, control });
}

function languageOptions() {
  const codes = new Set(state.languages);
  if (state.filters.language) codes.add(state.filters.language);
  return Object.fromEntries([...codes].map((c) => [c, languageName(c)]).sort((a, b) => a[1].localeCompare(b[1])));
}

function initials(name) {
  const words = name.replace(/^(dr|mr|mrs|ms|mx)\.?\s+/i, "").split(/\s+/).filter(Boolean);
  return (words[0]?.[0] || "") + (words.length > 1 ? words[words.length - 1][0] : "");
}

function fact(term, value) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

export function callMethod(c) {
  return c && c.call && c.call.method === "phone" ? "phone" : "video";
}

/** How a clinician's consultations happen, said plainly before anyone books. */
function howText(c) {
  return callMethod(c) === "phone"
    ? `By phone: ${c.name} calls you on the number you give.`
    : "By video: you get a link to join when you book.";
}

function card(c) {
  const id = newId("clinician");
  const next = c.next_available ? formatWhen(c.next_available) : "No open times in the coming week";
  return h("li", { class: "card" },
    h("article", { class: "clinician", "aria-labelledby": id },
      h("div", { class: "clinician__head" },
        h("span", { class: "avatar", "aria-hidden": "true" }, initials(c.name)),
        h("div", {},
          h("h3", { id, class: "clinician__name" }, c.name),
          c.credentials ? h("p", { class: "clinician__credentials" }, c.credentials) : null)),
      c.bio ? h("p", { class: "clinician__bio" }, c.bio) : null,
      h("dl", { class: "facts" },
        fact("Ways of working", h("ul", { class: "plain-list" },
          (c.modalities || []).map((m) => h("li", {}, MODALITIES[m] || m)))),
        fact("Works with", plainList((c.populations || []).map((p) => (POPULATIONS[p] || p).toLowerCase()))
          .replace(/^./, (x) => x.toUpperCase())),
        fact("Speaks", plainList((c.languages || []).map(languageName))),
        fact("How the call happens", h("span", { "data-call-method": callMethod(c) }, howText(c))),
        fact("Next open time", h("span", { class: c.next_available ? "next" : "next next--none" }, next))),
      h("button", { type: "button", class: "btn btn--primary btn--block", onclick: () => chooseClinician(c) },
        "See open times", visuallyHidden(` with ${c.name}`))));
}

/** "The earliest time with anyone who fits": the directory lists the soonest open time first. */
function earliest() {
  const first = (state.clinicians || []).find((c) => c.next_available && !state.gone.has(c.next_available));
  if (!first) return null;
  const when = formatWhen(first.next_available);
  return h("div", { class: "earliest", "data-earliest": "" },
    h("p", { class: "earliest__title" }, "Don't mind who you talk to?"),
    h("p", { class: "earliest__text" }, `The earliest time with anyone who fits: ${when}, with ${first.name}.`),
    h("button", { type: "button", class: "btn btn--primary", "data-book-earliest": "",
      onclick: () => bookEarliest(first) }, "Book the earliest time",
    visuallyHidden(` (${when} with ${first.name})`)));
}

async function bookEarliest(c) {
  state.clinician = c;
  state.day = null;
  const slot = { clinician_id: c.id, start: c.next_available };
  return holdSlot(slot, { fromLink: true });
}

function results() {
  const list = state.clinicians;
  if (list === null) return h("p", { class: "loading" }, "Finding clinicians…");
  const filtered = Object.values(state.filters).some(Boolean);
  if (!list.length) {
    return h("div", { class: "empty" },
      h("p", { class: "empty__title" }, filtered
        ? "No one matches all of those right now."
        : "No clinicians are taking new clients right now."),
      h("p", {}, filtered ? "Try fewer choices, or " : "You can still ",
        h("a", { href: "#/contact" }, "ask the practice to contact you"), "."));
  }
  const more = state.nextPage !== null;
  return [
    h("p", { class: "results__count" }, `${more ? "The first " : ""}${list.length} `
      + `${list.length === 1 ? "clinician" : "clinicians"} `
      + `${filtered ? `who ${list.length === 1 ? "matches" : "match"} what you're looking for` : "who can see new clients"}`
      + ", soonest open time first."),
    earliest(),
    h("ul", { class: "cards", role: "list" }, list.map(card)),
    more ? h("button", { type: "button", class: "btn btn--secondary", "data-more": "",
      onclick: (event) => loadMore(event.currentTarget) }, "Show more clinicians") : null,
  ];
}

async function loadClinicians() {
  state.clinicians = null;
  state.nextPage = null;
  const all = !Object.values(state.filters).some(Boolean);
  const found = await api.directory(state.filters);
  if (all || !state.languages.length) {
    const source = all ? found.clinicians : (await api.directory({})).clinicians;
    state.languages = [...new Set(source.flatMap((c) => c.languages || []))];
  }
  state.clinicians = found.clinicians;
  state.nextPage = found.nextPage;
}

async function loadMore(btn) {
  btn.setAttribute("aria-disabled", "true");
  const box = btn.closest(".results");
  const shown = state.clinicians.length;
  try {
    const found = await api.directory(state.filters, state.nextPage);
    const seen = new Set(state.clinicians.map((c) => c.id));
    state.clinicians = [...state.clinicians, ...found.clinicians.filter((c) => !seen.has(c.id))];
    state.nextPage = found.nextPage;
  } catch (err) {
    btn.removeAttribute("aria-disabled");
    announce(api.plainError(err));
    return;
  }
  box.replaceChildren(...[results()].flat().filter(Boolean));
  const next = box.querySelectorAll(".card")[shown];
  if (next) next.querySelector("button").focus();
  announce(`${state.clinicians.length - shown} more clinicians shown.`);
}

function showSearch({ focus = true } = {}) {
  setStep(1);
  const resultsBox = h("div", { class: "results", id: "results" });
  const form = h("form", { class: "filters", "aria-labelledby": "filters-title", novalidate: true },
    h("p", { id: "filters-title", class: "filters__title" }, "What are you looking for? All optional."),
    h("div", { class: "filters__grid" },
      select("modality", "Kind of help", MODALITIES, state.filters.modality),
      select("population", "Who it is for", POPULATIONS, state.filters.population),
      select("language", "Language", languageOptions(), state.filters.language)),
    h("div", { class: "filters__actions" },
      h("button", { type: "submit", class: "btn btn--secondary" }, "Show clinicians")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const key of Object.keys(state.filters)) state.filters[key] = form.elements[key].value;
    await refresh(resultsBox, true);
  });
  const view = h("section", { class: "step", "aria-labelledby": "step-title" },
    h("h2", { id: "step-title", class: "step__title" }, "Find someone to talk to"),
    h("p", { class: "step__intro" },
      "Every clinician here offers a free 15-minute call. Choose what matters to you, or simply browse."),
    form, resultsBox,
    h("p", { class: "aside-link" }, "Can't find a time that works? ",
      h("a", { href: "#/contact" }, "Tell us when suits you"), " and the practice will get in touch."));
  show(view, { focus, onZone: () => resultsBox.replaceChildren(...[results()].flat().filter(Boolean)) });
  refresh(resultsBox, false, form);
}

async function refresh(box, speak, form = null) {
  box.replaceChildren(...[results()].flat().filter(Boolean));
  try {
    await loadClinicians();
  } catch (err) {
    box.replaceChildren(notice(api.plainError(err), { kind: "error", alert: true }));
    return;
  }
  box.replaceChildren(...[results()].flat().filter(Boolean));
  if (form) form.querySelector("[data-field='filter-language']").replaceWith(
    select("language", "Language", languageOptions(), state.filters.language));
  const n = state.clinicians.length;
  if (speak) announce(n ? `${n} ${n === 1 ? "clinician matches" : "clinicians match"}.` : "No clinicians match.");
}

function chooseClinician(c) {
  state.clinician = c;
  state.day = null;
  showSlots();
}

/* Step 2: the open times of the coming week. */

function showSlots({ focus = true, message = null, title = null } = {}) {
  setStep(2);
  const c = state.clinician;
  const filters = Object.fromEntries(Object.entries(state.filters).filter(([, v]) => v));
  const picker = slotPicker({
    clinicianId: c.id, filters, onPick: holdSlot, hide: state.gone,
    day: { get: () => state.day, set: (key) => { state.day = key; } },
    whenEmpty: h("p", {}, h("a", { href: "#/contact" }, "Tell us when suits you"), " and the practice will get in touch."),
  });
  const alert = message ? notice(message, { kind: "warning", alert: true, title }) : null;
  if (alert) alert.dataset.focus = "";
  const view = h("section", { class: "step", "aria-labelledby": "step-title" },
    button("Back to all clinicians", () => { state.clinician = null; showSearch(); }, { kind: "link back" }),
    h("h2", { id: "step-title", class: "step__title" }, `Choose a time with ${c.name}`),
    h("p", { class: "step__intro" }, "Pick any time that suits you. We'll hold it for you while you add your details."),
    alert, picker.el,
    h("p", { class: "aside-link" }, "None of these times work? ",
      h("a", { href: "#/contact" }, "Tell us when suits you"), " and the practice will get in touch."));
  show(view, { focus, onZone: () => picker.render() });
  picker.load();
}

async function holdSlot(slot, { fromLink = false } = {}) {
  let hold;
  try {
    hold = await api.placeHold(state.clinician.id, slot.start);
  } catch (err) {
    if (err.status === 409 || err.status === 422) state.gone.add(slot.start);
    if (fromLink && (err.status === 409 || err.status === 422)) return showSlots(linkGone(slot.start, err.status));
    if (err.status === 409) {
      return showSlots({ title: "Someone else just took that time",
        message: "Sorry about that. It has gone from the list below; please choose another time." });
    }
    if (err.status === 422) {
      return showSlots({ title: "That time is no longer bookable",
        message: "It may be too soon or no longer offered. Please choose another time." });
    }
    return showSlots({ title: "We couldn't hold that time", message: api.plainError(err) });
  }
  state.hold = { ...hold, slot };
  return showDetails();
}

/* A deep link (/?clinician=ID&start=ISO, e.g. from a SMART Scheduling Links slot finder): the time is held at
   once when it is still free; when it is gone we say so and show the clinician's next open times. */

function linkGone(start, status) {
  const when = formatWhen(start);
  const why = status === 409 ? "someone else booked that time a moment before you"
    : "that time can no longer be booked (it may be too soon, or no longer offered)";
  return { title: status === 409 ? `${when} has just been taken` : `${when} is no longer available`,
    message: `We're sorry: ${why}. Here are ${state.clinician.name}'s next open times; `
      + "choose any of them and we'll hold it for you." };
}

export async function openLink(clinicianId, start, { focus = false } = {}) {
  setTitle("Book a free consultation call", LEDE, `Book a free consultation call · ${PRACTICE}`);
  stop();
  try {
    state.clinician = await api.clinician(clinicianId);
  } catch (err) {
    state.clinician = null;
    showSearch({ focus });
    const gone = err.status === 404 ? "The clinician in that link is not taking bookings here any more. "
      + "Everyone who is is listed below." : api.plainError(err);
    document.getElementById("results").before(notice(gone, { kind: "warning", alert: true }));
    return;
  }
  state.day = null;
  const at = new Date(start || "");
  if (Number.isNaN(at.getTime())) return showSlots({ focus });
  const slot = { clinician_id: clinicianId, start: at.toISOString().replace(".000Z", "Z") };
  return holdSlot(slot, { fromLink: true });
}

async function releaseHold() {
  const hold = state.hold;
  state.hold = null;
  if (hold) {
    try { await api.releaseHold(hold); } catch { /* it expires by itself */ }
  }
}

export function releaseOnExit() {
  if (state.hold) {
    api.releaseHold(state.hold, { keepalive: true }).catch(() => {});
  }
}

/* Step 3: the hold's countdown and the client's details. */

const ANNOUNCE_AT = [300, 120, 60, 30];

function countdown(hold, onExpire) {
  const deadline = Date.parse(hold.expires_at) - (hold.skew || 0);
  const timer = h("span", { class: "countdown__time", role: "timer", "aria-live": "off" });
  const live = h("p", { class: "visually-hidden", "aria-live": "polite", "aria-atomic": "true" });
  const box = h("p", { class: "countdown" }, h("span", {}, "Held for you for"), timer,
    h("span", {}, "while you add your details."));
  let said = new Set();
  let expired = false;
  function tick() {
    const left = deadline - Date.now();
    timer.textContent = countdownText(left);
    box.classList.toggle("is-urgent", left <= 60000);
    const secs = Math.ceil(left / 1000);
    for (const mark of ANNOUNCE_AT) {
      if (secs <= mark && secs > mark - 5 && !said.has(mark)) {
        said.add(mark);
        live.textContent = `${spoken(mark)} left to confirm this time.`;
      }
    }
    if (left <= 0 && !expired) {
      expired = true;
      onExpire();
    }
  }
  function spoken(secs) {
    return secs >= 60 ? `${secs / 60} ${secs === 60 ? "minute" : "minutes"}` : `${secs} seconds`;
  }
  tick();
  const total = Math.max(0, Math.round((deadline - Date.now()) / 1000));
  const minutes = Math.round(total / 60);
  const span = total < 90 ? `${total} seconds` : `about ${minutes} minutes`;
  window.setTimeout(() => { live.textContent = `This time is held for you for ${span}.`; }, 400);
  const handle = window.setInterval(tick, 250);
  return { el: h("div", { class: "countdown-box" }, box, live), stop: () => window.clearInterval(handle),
    isExpired: () => expired };
}

const CONFIRM_FIELDS = {
  "client.name": "name", "client.email": "email", "client.phone": "phone", client: "name",
  consent: "consent", notes: "notes",
};

const EMPTY = { name: "Please tell us your name.", email: "Please give an email address for your confirmation.",
  phone: "Please give a phone number: your clinician will call you on it." };

function phoneField(v) {
  const control = h("input", { class: "input", name: "phone", type: "tel", autocomplete: "tel", value: v.phone });
  if (callMethod(state.clinician) !== "phone") {
    return field({ id: "phone", label: "Phone", optional: true, hint: "Only if you'd like us to be able to call or text you.",
      control });
  }
  control.setAttribute("required", "");
  control.setAttribute("aria-required", "true");
  return field({ id: "phone", label: "Phone", name: "Phone",
    hint: `${state.clinician.name} will call you on this number at the time of your call.`, control });
}

function detailsForm(onSubmit, onBack) {
  const v = state.client;
  const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "step-title" },
    field({ id: "name", label: "Your name", control: h("input", {
      class: "input", name: "name", autocomplete: "name", value: v.name }) }),
    field({ id: "email", label: "Email", hint: "We'll send your confirmation here.", control: h("input", {
      class: "input", name: "email", type: "email", autocomplete: "email", inputmode: "email", spellcheck: "false",
      value: v.email }) }),
    phoneField(v),
    field({ id: "notes", label: "What brings you here?", optional: true,
      hint: "A few words are plenty; you can say more on the call. Only the practice sees this.",
      control: h("textarea", { class: "input", name: "notes", rows: "4", maxlength: "2000" }, v.notes) }),
    checkboxField({ id: "consent", name: "Consent",
      label: `I agree that ${PRACTICE} may contact me about this consultation call.`,
      hint: "We use your details only to arrange and hold this call.",
      control: h("input", { type: "checkbox", name: "consent", checked: v.consent }) }),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "btn btn--primary", "data-submit": "" }, "Confirm my booking"),
      button("Choose a different time", onBack, { kind: "secondary" })));
  form.addEventListener("submit", (event) => { event.preventDefault(); onSubmit(form); });
  form.addEventListener("input", () => readClient(form));
  return form;
}

function readClient(form) {
  const el = form.elements;
  state.client = { name: el.name.value.trim(), email: el.email.value.trim(), phone: el.phone.value.trim(),
    notes: el.notes.value.trim(), consent: el.consent.checked };
  const c = state.client;
  const client = { name: c.name, email: c.email, time_zone: zone() };  // their emails show their own times
  if (c.phone) client.phone = c.phone;
  const body = { client, consent: c.consent };
  if (c.notes) body.notes = c.notes;
  return body;
}

function showDetails({ focus = true } = {}) {
  setStep(3);
  const hold = state.hold;
  let submitting = false;
  const dateText = h("span", { class: "held__date" });
  const timeText = h("span", { class: "held__clock" });
  const zoneText = h("span", { class: "held__zone" });
  const how = h("p", { class: "held__how", "data-call-how": callMethod(state.clinician) });
  const paintHow = () => {
    const phone = state.client.phone;
    how.textContent = callMethod(state.clinician) === "phone"
      ? `${state.clinician.name} will call you at ${phone || "the phone number you give below"}.`
      : "By video: the link to join comes with your confirmation, on this page and by email.";
  };
  const paint = () => {
    dateText.textContent = formatLongDate(hold.start);
    timeText.textContent = `${formatTime(hold.start)} – ${formatTime(hold.end)}`;
    zoneText.textContent = zoneName(zone(), new Date(hold.start));
    paintHow();
  };
  paint();
  const expire = () => {
    if (submitting) return;
    state.hold = null;
    showSlots({ title: "Your hold ran out",
      message: "We've let that time go and nothing was booked. Please choose a time again; what you typed is kept." });
  };
  const timer = countdown(hold, expire);
  const back = async () => { await releaseHold(); showSlots(); };
  const submit = async (form) => {
    if (submitting) return;
    const body = readClient(form);
    clearErrors(form);
    if (callMethod(state.clinician) === "phone" && !state.client.phone) {
      showErrors(form, { "client.phone": [EMPTY.phone] }, CONFIRM_FIELDS);
      return;
    }
    submitting = true;
    const btn = form.querySelector("[data-submit]");
    btn.setAttribute("aria-disabled", "true");
    btn.textContent = "Confirming…";
    try {
      const booking = await api.confirmHold(hold, body);
      state.hold = null;
      showConfirmed(booking);
    } catch (err) {
      submitting = false;
      btn.removeAttribute("aria-disabled");
      btn.textContent = "Confirm my booking";
      confirmFailed(err, form, timer);
    }
  };
  const view = h("section", { class: "step", "aria-labelledby": "step-title" },
    h("h2", { id: "step-title", class: "step__title" }, "Your details"),
    h("div", { class: "held" },
      h("p", { class: "held__label" }, `Your call with ${state.clinician.name}`),
      h("p", { class: "held__time" }, dateText, timeText, zoneText),
      how,
      timer.el),
    detailsForm(submit, back));
  view.querySelector("form").addEventListener("input", paintHow);
  show(view, { focus, onZone: paint, onLeave: () => timer.stop() });
}

function confirmFailed(err, form, timer) {
  if (err.status === 410 || timer.isExpired()) {
    state.hold = null;
    return showSlots({ title: "Your hold ran out",
      message: "We've let that time go and nothing was booked. Please choose a time again; what you typed is kept." });
  }
  if (err.status === 409) {
    state.gone.add(state.hold.start);
    state.hold = null;
    return showSlots({ title: "That time is no longer available", message: "Please choose another time." });
  }
  if (Object.keys(err.errors || {}).length) return showErrors(form, err.errors, CONFIRM_FIELDS, { emptyText: EMPTY });
  return showErrors(form, {}, CONFIRM_FIELDS, { general: api.plainError(err) });
}

/* Step 4: booked. */

export function manageUrl(id, token) {
  const page = `${location.origin}${location.pathname}`;
  return `${page}#/manage/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`;
}

export function calendarLink(booking, clinicianName, link) {
  const text = icsFile({ id: booking.id, start: booking.start, end: booking.end, clinicianName,
    practiceName: PRACTICE, manageUrl: link, call: booking.call, phone: booking.client?.phone || "" });
  const url = URL.createObjectURL(new Blob([text], { type: "text/calendar;charset=utf-8" }));
  const a = h("a", { class: "btn btn--secondary", href: url, download: "consultation-call.ics", "data-ics": "" },
    "Add to calendar", h("span", { class: "btn__note" }, " (.ics)"));
  return { el: a, revoke: () => URL.revokeObjectURL(url) };
}

function showConfirmed(booking) {
  setStep(4);
  const name = state.clinician.name;
  sessionStorage.setItem(`attune.manage.${booking.id}`, booking.manage_token);
  const link = manageUrl(booking.id, booking.manage_token);
  const ics = calendarLink(booking, name, link);
  const when = h("p", { class: "booked__when" });
  const zoneLine = h("p", { class: "booked__zone" });
  const paint = () => {
    when.replaceChildren(h("span", { class: "booked__date" }, formatLongDate(booking.start)),
      h("span", { class: "booked__time" }, `${formatTime(booking.start)} – ${formatTime(booking.end)}`));
    zoneLine.textContent = zoneName(zone(), new Date(booking.start));
  };
  paint();
  const email = state.client.email;
  const copy = h("button", { type: "button", class: "btn btn--link", onclick: async () => {
    try { await navigator.clipboard.writeText(link); announce("Link copied."); } catch {
      linkInput.select();
      announce("Select the link and copy it.");
    }
  } }, "Copy link");
  const linkInput = h("input", { class: "input input--link", id: "manage-link", readonly: true, value: link });
  const view = h("section", { class: "step step--done", "aria-labelledby": "step-title" },
    h("div", { class: "booked" },
      tickIcon(),
      h("h2", { id: "step-title", class: "step__title" }, "You're booked in"),
      h("p", {}, `Your free consultation call with ${name} is confirmed for`),
      when, zoneLine,
      howItHappens(booking, name),
      h("div", { class: "actions actions--center" }, ics.el)),
    h("h3", {}, "What happens next"),
    h("ul", { class: "next-steps" },
      h("li", {}, email ? `We're sending a confirmation to ${email}.` : "We're sending you a confirmation."),
      h("li", {}, booking.call?.method === "phone"
        ? `At the time of your call, ${name} will phone you. Please keep your phone at hand.`
        : "At the time of your call, open the video link above (it's in your confirmation email too)."),
      h("li", {}, "If something comes up, you can move or cancel the call. There's no need to explain.")),
    h("h3", {}, "Your private link"),
    h("p", {}, "Use this link to see, move or cancel your booking. We've emailed it to you too. "
      + "Please keep it to yourself: anyone with it can change your booking."),
    h("p", {}, h("a", { href: link, class: "btn btn--primary", "data-manage-link": "" }, "Manage your booking")),
    h("div", { class: "field" }, h("label", { for: "manage-link", class: "field__label" }, "Copy the link"),
      h("div", { class: "copy-row" }, linkInput, copy)));
  state.clinician = null;
  show(view, { onZone: paint, onLeave: ics.revoke });
}

/** "Dr X will call you at +1 …" or "Join by video: <link>", from the booking's `call`. */
export function howItHappens(booking, clinicianName) {
  const call = booking.call;
  if (!call) return null;
  if (call.method === "video" && call.video_url) {
    return h("p", { class: "booked__how", "data-call-how": "video" }, "Join by video: ",
      h("a", { href: call.video_url, target: "_blank", rel: "noopener noreferrer", "data-video-link": "" },
        call.video_url));
  }
  return h("p", { class: "booked__how", "data-call-how": call.method },
    callSentence(call, clinicianName, booking.client?.phone || state.client.phone));
}

function tickIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const make = (tag, attrs) => {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  };
  const svg = make("svg", { class: "booked__icon", "aria-hidden": "true", focusable: "false", viewBox: "0 0 24 24",
    width: "44", height: "44" });
  svg.append(make("circle", { cx: "12", cy: "12", r: "11", fill: "currentColor" }),
    make("path", { d: "M7 12.5l3.2 3.2L17.5 8.5", fill: "none", stroke: "#fff", "stroke-width": "2.2",
      "stroke-linecap": "round", "stroke-linejoin": "round" }));
  return svg;
}
