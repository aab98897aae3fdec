// The schedule editor: weekly windows, date overrides, time off, and a preview of the open slots before saving.

import * as api from "./api.js";
import { announce, button, clearErrors, field, h, input, notice, select, showErrors } from "./dom.js";
import { WEEKDAYS, dateKey, day, hhmm, iso, time, zoned } from "./time.js";

function rows(legend, name, make, items, addLabel) {
  const body = h("div");
  const add = (item) => {
    const cells = make(item || {});
    const row = h("div", { class: "row" }, ...cells.fields,
      button("Remove", () => { row.remove(); add.focusAdd(); }, { kind: "quiet", "aria-label": `Remove this ${addLabel.toLowerCase()}` }));
    row.read = cells.read;
    body.append(row);
    return row;
  };
  const addButton = button(`Add ${addLabel.toLowerCase()}`, () => { const r = add(); r.querySelector("input, select").focus(); });
  add.focusAdd = () => addButton.focus();
  for (const item of items) add(item);
  const set = h("fieldset", { dataset: { field: name } }, h("legend", {}, legend), body,
    h("p", { class: "error-text", hidden: true }), addButton);
  set.read = () => [...body.children].map((r) => r.read());
  return set;
}

const timeInput = (value) => input({ type: "time", step: "900", value: value || "" });

export function scheduleEditor(clinician, schedule, { onSaved, onClose }) {
  const tz = clinician.time_zone;
  const weekly = rows("Weekly windows", "weekly", (w) => {
    const wd = select(WEEKDAYS, { value: w.weekday || "mon" });
    const start = timeInput(w.start || "09:00");
    const end = timeInput(w.end || "12:00");
    return { fields: [field("Day", wd), field("From", start), field("To", end)],
      read: () => ({ weekday: wd.value, start: start.value, end: end.value === "00:00" ? "24:00" : end.value }) };
  }, schedule.weekly, "Weekly window");
  const flat = schedule.overrides.flatMap((o) => (o.windows.length ? o.windows.map((w) => ({ date: o.date, ...w })) : [{ date: o.date }]));
  const overrides = rows("Date overrides (a date's own hours; leave the times empty for a day off)", "overrides", (o) => {
    const date = input({ type: "date", value: o.date || "" });
    const start = timeInput(o.start);
    const end = timeInput(o.end);
    return { fields: [field("Date", date), field("From", start), field("To", end)],
      read: () => ({ date: date.value, start: start.value, end: end.value }) };
  }, flat, "Date override");
  const timeOff = rows(`Time off (${tz.replaceAll("_", " ")} time)`, "time_off", (t) => {
    const from = input({ type: "datetime-local", step: "900", value: t.start ? `${dateKey(t.start, tz)}T${hhmm(t.start, tz)}` : "" });
    const to = input({ type: "datetime-local", step: "900", value: t.end ? `${dateKey(t.end, tz)}T${hhmm(t.end, tz)}` : "" });
    return { fields: [field("From", from), field("Until", to)], read: () => ({ start: from.value, end: to.value }) };
  }, schedule.time_off, "Time off");
  const box = h("div");
  const preview = h("div", { class: "preview", "aria-live": "polite" });

  function body() {
    const byDate = new Map();
    for (const o of overrides.read()) {
      if (!o.date) continue;
      if (!byDate.has(o.date)) byDate.set(o.date, []);
      if (o.start && o.end) byDate.get(o.date).push({ start: o.start, end: o.end === "00:00" ? "24:00" : o.end });
    }
    const instant = (local) => (local ? iso(zoned(local.slice(0, 10), local.slice(11, 16), tz)) : "");
    return { weekly: weekly.read(), overrides: [...byDate].map(([date, windows]) => ({ date, windows })),
      time_off: timeOff.read().filter((t) => t.start || t.end).map((t) => ({ start: instant(t.start), end: instant(t.end) })) };
  }

  const path = `/v1/clinicians/${encodeURIComponent(clinician.id)}/schedule`;
  async function showPreview() {
    clearErrors(form, box);
    try {
      const answer = await api.post("availability", `${path}/preview`, body());
      const days = new Map();
      for (const s of answer.slots) {
        const key = dateKey(s.start, tz);
        if (!days.has(key)) days.set(key, []);
        days.get(key).push(s);
      }
      preview.replaceChildren(...[h("h3", { id: "preview-title" }, `Preview: ${answer.slots.length} open slots in the coming week`),
        answer.bookable ? null : notice("Clients see none of these while the clinician is not accepting new clients.", "info"),
        h("p", { class: "hint" }, `In ${tz.replaceAll("_", " ")} time; nothing is saved yet.`),
        ...[...days].map(([, slots]) => h("details", { class: "preview__day" },
          h("summary", {}, `${day(slots[0].start, tz)}: ${slots.length} open, ${time(slots[0].start, tz)} to ${time(slots.at(-1).end, tz)}`),
          h("ul", { class: "slots", "aria-label": `Open slots on ${day(slots[0].start, tz)}` }, slots.map((s) => h("li", {}, time(s.start, tz)))))),
        answer.slots.length ? null : h("p", { class: "empty" }, "No open slots in the coming week.")].filter(Boolean));
      announce(`${answer.slots.length} open slots in the coming week.`);
    } catch (err) { showErrors(form, { message: api.plainError(err), errors: err.errors }, box); }
  }

  async function save() {
    clearErrors(form, box);
    try {
      const saved = await api.put("availability", path, body());
      box.replaceChildren(notice(`Schedule saved (version ${saved.version}).`, "ok"));
      announce("Schedule saved.");
      onSaved();
    } catch (err) { showErrors(form, { message: api.plainError(err), errors: err.errors }, box); }
  }

  const form = h("form", { class: "form", novalidate: true, dataset: { editing: "1" } },
    h("p", { class: "hint" }, `Local times in ${tz.replaceAll("_", " ")}, on the quarter hour.`),
    weekly, overrides, timeOff, box,
    h("div", { class: "card__actions" }, button("Preview open slots", showPreview),
      button("Save schedule", null, { kind: "primary", type: "submit" }), button("Close", onClose, { kind: "quiet" })),
    preview);
  form.addEventListener("submit", (event) => { event.preventDefault(); save(); });
  return form;
}
