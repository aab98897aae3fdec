// The week's open 15-minute slots of one clinician: a row of days, then the chosen day's times,
// grouped by part of the day, in the visitor's zone.

import * as api from "./api.js";
import { announce, h, newId, notice } from "./dom.js";
import { formatDay, formatTime, groupByDay, LOCALE, zone, zoneName } from "./time.js";

const PARTS = [["Morning", 0, 12], ["Afternoon", 12, 17], ["Evening", 17, 24]];

function hourIn(iso) {
  const text = new Intl.DateTimeFormat("en-GB", { timeZone: zone(), hour: "2-digit", hourCycle: "h23" })
    .format(new Date(iso));
  return Number(text);
}

function dayButtonText(day) {
  const at = new Date(day.slots[0].start);
  const weekday = new Intl.DateTimeFormat(LOCALE, { timeZone: zone(), weekday: "short" }).format(at);
  const date = new Intl.DateTimeFormat(LOCALE, { timeZone: zone(), day: "numeric", month: "short" }).format(at);
  const n = day.slots.length;
  return [h("span", { class: "day-btn__weekday" }, weekday), h("span", { class: "day-btn__date" }, date),
    h("span", { class: "day-btn__count" }, `${n} ${n === 1 ? "time" : "times"}`)];
}

/**
 * `hide`: starts not to offer (the current booking, times we just learned are taken).
 * `day`: { get, set } remembering the chosen day across reloads of the list.
 */
export function slotPicker({ clinicianId, filters = {}, hide = new Set(), onPick, whenEmpty = null, day = null }) {
  const el = h("div", { class: "slot-picker" });
  const memory = day || (() => { let d = null; return { get: () => d, set: (v) => { d = v; } }; })();
  let slots = null;
  let busy = false;

  function buttonFor(slot) {
    return h("button", {
      type: "button", class: "slot", "aria-label": `${formatTime(slot.start)}, ${formatDay(slot.start)}`,
      dataset: { start: slot.start }, onclick: (event) => pick(slot, event.currentTarget),
    }, formatTime(slot.start));
  }

  function panel(d) {
    const id = newId("day");
    const parts = PARTS.map(([name, from, to]) => [name, d.slots.filter((s) => {
      const hour = hourIn(s.start);
      return hour >= from && hour < to;
    })]).filter(([, list]) => list.length);
    return h("section", { class: "day", "aria-labelledby": id, dataset: { day: d.key } },
      h("h3", { id, class: "day__title" }, d.label),
      parts.map(([name, list]) => {
        const partId = newId("part");
        return h("div", { class: "day__part", role: "group", "aria-labelledby": `${id} ${partId}` },
          h("h4", { id: partId, class: "day__part-title" }, name),
          h("ul", { class: "slot-grid", role: "list" }, list.map((s) => h("li", {}, buttonFor(s)))));
      }));
  }

  function render() {
    if (slots === null) {
      el.replaceChildren(h("p", { class: "loading", role: "status" }, "Finding open times…"));
      return;
    }
    const days = groupByDay(slots.filter((s) => !hide.has(s.start)));
    if (!days.length) {
      el.replaceChildren(h("div", { class: "empty" },
        h("p", { class: "empty__title" }, "There are no open times in the coming week."), whenEmpty));
      return;
    }
    if (!days.some((d) => d.key === memory.get())) memory.set(days[0].key);
    const holder = h("div", { class: "day-panel" });
    const buttons = days.map((d) => h("button", {
      type: "button", class: "day-btn", "aria-pressed": String(d.key === memory.get()), dataset: { day: d.key },
      onclick: () => choose(d),
    }, dayButtonText(d)));
    function choose(d) {
      memory.set(d.key);
      for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.day === d.key));
      holder.replaceChildren(panel(d));
      announce(`${d.slots.length} open ${d.slots.length === 1 ? "time" : "times"} on ${d.label}.`);
    }
    holder.replaceChildren(panel(days.find((d) => d.key === memory.get())));
    el.replaceChildren(
      h("p", { class: "hint" }, `Times are in ${zoneName(zone())}. Each call lasts 15 minutes.`),
      h("div", { class: "days-row", role: "group", "aria-label": "Choose a day" }, buttons),
      holder);
  }

  async function pick(slot, btn) {
    if (busy) return;
    setBusy(true, btn);
    try { await onPick(slot); } finally { setBusy(false); }
  }

  function setBusy(value, btn = null) {
    busy = value;
    for (const b of el.querySelectorAll("button.slot")) {
      b.setAttribute("aria-disabled", value ? "true" : "false");
      b.classList.toggle("is-picked", value && b === btn);
    }
    el.setAttribute("aria-busy", value ? "true" : "false");
  }

  async function load() {
    slots = null;
    render();
    try {
      slots = await api.slots({ clinician_id: clinicianId, ...filters, tz: zone() });
    } catch (err) {
      el.replaceChildren(notice(api.plainError(err), { kind: "error", alert: true }),
        h("button", { type: "button", class: "btn btn--secondary", onclick: load }, "Try again"));
      return;
    }
    render();
    const days = groupByDay(slots.filter((s) => !hide.has(s.start)));
    const count = days.reduce((n, d) => n + d.slots.length, 0);
    announce(count ? `${count} open times over ${days.length} ${days.length === 1 ? "day" : "days"}.`
      : "There are no open times in the coming week.");
  }

  return { el, load, render };
}
