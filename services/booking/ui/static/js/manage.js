// Managing a booking through its private link: see it, move it to another open time, or cancel it.

import * as api from "./api.js";
import { button, h, mount, notice, setStep, setTitle } from "./dom.js";
import { calendarLink, howItHappens, manageUrl } from "./book.js";
import { field } from "./forms.js";
import { slotPicker } from "./slots.js";
import { formatLongDate, formatTime, zone, zoneName } from "./time.js";

const PRACTICE = api.config.practiceName;
let leave = null;
let current = null; // { id, token, booking, clinicianName }
const gone = new Set(); // times found taken since the list was read

function show(view, { focus = true, onZone = null, onLeave = null } = {}) {
  if (leave) leave();
  leave = onLeave;
  mount(view, { focus, onZone });
}

export function stop() {
  if (leave) leave();
  leave = null;
}

function tokenFor(id, fromUrl) {
  const key = `attune.manage.${id}`;
  if (fromUrl) sessionStorage.setItem(key, fromUrl);
  const token = fromUrl || sessionStorage.getItem(key);
  // The token stays in the address's fragment (never sent to a server, so in no server's log), so that a
  // bookmark, a reload or a new tab opens the booking again; an email's one-off action is dropped.
  if (token) history.replaceState(history.state, "", manageUrl(id, token));
  return token;
}

function when(booking) {
  return `${formatLongDate(booking.start)}, ${formatTime(booking.start)} – ${formatTime(booking.end)}`;
}

function section(title, ...children) {
  return h("section", { class: "step", "aria-labelledby": "step-title" },
    h("h2", { id: "step-title", class: "step__title" }, title), ...children);
}

/** `action` (cancel or reschedule) comes from the links in the practice's emails. */
export async function start(id, tokenFromUrl, { focus = false, action = null } = {}) {
  setStep(0);
  setTitle("Your consultation call", null, `Your consultation call · ${PRACTICE}`);
  const token = tokenFor(id, tokenFromUrl);
  if (!token) return showProblem(focus);
  show(section("Your booking", h("p", { class: "loading", role: "status" }, "Opening your booking…")), { focus });
  try {
    const booking = await api.booking(id, token);
    current = { id, token, booking, clinicianName: booking.clinician_name || null };
  } catch (err) {
    return showProblem(focus, err);
  }
  if (!current.clinicianName) {
    try { current.clinicianName = (await api.clinician(current.booking.clinician_id)).name; } catch { /* optional */ }
  }
  if (current.booking.status === "confirmed" && Date.parse(current.booking.end) > Date.now()) {
    if (action === "cancel") return showCancel();
    if (action === "reschedule") return showReschedule();
  }
  return showBooking({ focus });
}

function showProblem(focus, err = null) {
  const reachable = !err || (err.status >= 400 && err.status < 500);
  const reach = api.reachPractice();
  const text = reachable
    ? "The link may be incomplete or out of date. Please open the link from your confirmation email again, "
      + `or contact the practice and we'll help.${reach ? ` ${reach}` : ""}`
    : api.plainError(err);
  show(section("We couldn't open this booking", notice(text, { kind: "warning", alert: true }),
    h("p", {}, h("a", { href: "#/" }, "Book a consultation call"))), { focus });
}

function details(booking) {
  const status = booking.status === "cancelled" ? "Cancelled" : "Confirmed";
  return h("div", { class: `summary-card summary-card--${booking.status}` },
    h("p", { class: `badge badge--${booking.status}` }, status),
    h("dl", { class: "summary" },
      h("dt", {}, "When"), h("dd", { "data-when": "" }, when(booking)),
      h("dt", {}, "Time zone"), h("dd", {}, zoneName(zone(), new Date(booking.start))),
      current.clinicianName ? [h("dt", {}, "With"), h("dd", {}, current.clinicianName)] : null,
      booking.call && booking.status === "confirmed"
        ? [h("dt", {}, "How"), h("dd", {}, howItHappens(booking, current.clinicianName || "Your clinician"))] : null,
      h("dt", {}, "Booking reference"), h("dd", { class: "mono" }, booking.id)));
}

function showBooking({ focus = true, title = null, message = null } = {}) {
  const b = current.booking;
  const past = Date.parse(b.end) < Date.now();
  let ics = null;
  let actions;
  if (b.status === "cancelled") {
    actions = h("div", { class: "actions" }, h("a", { href: "#/", class: "btn btn--primary" }, "Find another time"));
  } else if (past) {
    actions = h("p", {}, "This call has already taken place.");
  } else {
    ics = calendarLink(b, current.clinicianName, manageUrl(b.id, current.token));
    actions = h("div", { class: "actions" },
      button("Move to another time", showReschedule, { kind: "primary" }),
      button("Cancel this call", showCancel, { kind: "secondary" }),
      ics.el);
  }
  const heading = title || (b.status === "cancelled" ? "This call is cancelled" : "Your booking");
  const view = section(heading, message ? notice(message, { kind: "success" }) : null, details(b), actions);
  const repaint = () => view.querySelector(".summary-card").replaceWith(details(current.booking));
  show(view, { focus, onZone: repaint, onLeave: ics ? ics.revoke : null });
}

function showReschedule({ message = null, title = null } = {}) {
  const b = current.booking;
  const picker = slotPicker({ clinicianId: b.clinician_id, hide: new Set([b.start, ...gone]),
    onPick: (slot) => confirmMove(slot),
    whenEmpty: h("p", {}, "Please contact the practice and we'll find a time with you.") });
  const alert = message ? notice(message, { kind: "warning", alert: true, title }) : null;
  if (alert) alert.dataset.focus = "";
  const view = h("section", { class: "step", "aria-labelledby": "step-title" },
    button("Keep my current time", () => showBooking(), { kind: "link back" }),
    h("h2", { id: "step-title", class: "step__title" }, "Choose a new time"),
    h("p", { class: "step__intro" }, `Your call is now on ${when(b)}. It stays booked until you confirm a new time.`),
    alert, picker.el);
  show(view, { onZone: () => picker.render() });
  picker.load();
}

function confirmMove(slot, { focus = true } = {}) {
  const b = current.booking;
  const status = h("div", { class: "status-slot" });
  const yes = button("Yes, move my call", async () => {
    if (yes.getAttribute("aria-disabled") === "true") return;
    yes.setAttribute("aria-disabled", "true");
    yes.textContent = "Moving your call…";
    try {
      current.booking = await api.rescheduleBooking(b.id, current.token, slot.start);
    } catch (err) {
      if (err.status === 409 || err.status === 422) gone.add(slot.start);
      if (err.status === 409) {
        return showReschedule({ title: "Someone else just took that time",
          message: "Sorry about that. Your call has not moved. Please choose another time." });
      }
      if (err.status === 422) {
        return showReschedule({ title: "That time is no longer bookable",
          message: "Your call has not moved. Please choose another time." });
      }
      yes.removeAttribute("aria-disabled");
      yes.textContent = "Yes, move my call";
      status.replaceChildren(notice(api.plainError(err), { kind: "error", alert: true }));
      return undefined;
    }
    return showBooking({ title: "Your call has moved",
      message: `It's now on ${when(current.booking)}. We'll send you an updated confirmation.` });
  }, { kind: "primary" });
  const view = section("Move your call?",
    h("dl", { class: "summary summary--move" },
      h("dt", {}, "From"), h("dd", {}, h("s", {}, when(b))),
      h("dt", {}, "To"), h("dd", { class: "strong" }, when(slot))),
    h("p", { class: "hint" }, `Times are in ${zoneName(zone(), new Date(slot.start))}.`),
    status,
    h("div", { class: "actions" }, yes, button("Choose another time", () => showReschedule(), { kind: "secondary" })));
  show(view, { focus, onZone: () => confirmMove(slot, { focus: false }) });
}

function showCancel() {
  const b = current.booking;
  const reason = h("textarea", { class: "input", name: "reason", rows: "3", maxlength: "1000" });
  const status = h("div", { class: "status-slot" });
  const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "step-title" },
    field({ id: "reason", label: "Anything you'd like us to know?", optional: true,
      hint: "There's no need to explain.", control: reason }),
    status,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "btn btn--danger", "data-submit": "" }, "Yes, cancel my call"),
      button("Keep my call", () => showBooking(), { kind: "secondary" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const btn = form.querySelector("[data-submit]");
    if (btn.getAttribute("aria-disabled") === "true") return;
    btn.setAttribute("aria-disabled", "true");
    try {
      current.booking = await api.cancelBooking(b.id, current.token, reason.value.trim());
    } catch (err) {
      btn.removeAttribute("aria-disabled");
      status.replaceChildren(notice(api.plainError(err), { kind: "error", alert: true }));
      return;
    }
    showBooking({ title: "Your call is cancelled",
      message: "The time has been freed for someone else. We'll send you a short confirmation. "
        + "You're welcome to book again whenever you're ready." });
  });
  show(section("Cancel your call?",
    h("p", {}, `Your call${current.clinicianName ? ` with ${current.clinicianName}` : ""} on ${when(b)} `
      + "will be cancelled."),
    form));
}
