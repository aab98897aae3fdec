// Times in the practice's zone (PRACTICE_TIME_ZONE, else the browser's), and wall times of a zone as instants.

import { settings } from "./api.js";

export const WEEKDAYS = [["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"],
  ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"]];

function valid(tz) {
  if (!tz) return false;
  try { new Intl.DateTimeFormat("en", { timeZone: tz }); return true; } catch { return false; }
}

export function zone() {
  const configured = settings() && settings().practiceTimeZone;
  if (valid(configured)) return configured;
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return valid(own) ? own : "UTC";
}

export function zones() {
  try { return Intl.supportedValuesOf("timeZone"); } catch { return [zone(), "UTC"]; }
}

function fmt(options, when, tz = zone()) {
  return new Intl.DateTimeFormat("en-US", { timeZone: tz, ...options }).format(new Date(when));
}

export const time = (when, tz) => fmt({ hour: "numeric", minute: "2-digit" }, when, tz);
export const day = (when, tz) => fmt({ weekday: "long", month: "long", day: "numeric" }, when, tz);
export const shortDay = (when, tz) => fmt({ weekday: "short", month: "short", day: "numeric" }, when, tz);
export const when = (at, tz) => `${shortDay(at, tz)}, ${time(at, tz)}`;

/** {year, month, day, hour, minute, weekday} of an instant on the wall clocks of `tz`. */
export function parts(at, tz = zone()) {
  const out = {};
  const f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short" });
  for (const p of f.formatToParts(new Date(at))) out[p.type] = p.value;
  return { year: +out.year, month: +out.month, day: +out.day, hour: +out.hour % 24, minute: +out.minute,
    second: +out.second, weekday: out.weekday.toLowerCase().slice(0, 3) };
}

export function dateKey(at, tz = zone()) {
  const p = parts(at, tz);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

export function hhmm(at, tz = zone()) {
  const p = parts(at, tz);
  return `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
}

function offset(ms, tz) {
  const p = parts(ms, tz);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant at which the wall clocks of `tz` show `date` (YYYY-MM-DD) `hm` (HH:MM). */
export function zoned(date, hm, tz = zone()) {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = hm.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let ms = wall - offset(wall, tz);
  ms = wall - offset(ms, tz);
  return new Date(ms);
}

export function iso(at) { return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"); }

/** Midnight today in `tz`, as an instant. */
export function startOfToday(tz = zone()) { return zoned(dateKey(Date.now(), tz), "00:00", tz); }

export function addDays(date, n) {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** A client's weekly wish ("tue 09:00-12:00" in their zone) on the practice's clocks, next occurrence. */
export function wishInZone(wish, clientZone, tz = zone()) {
  let date = dateKey(Date.now(), clientZone);
  for (let i = 0; i < 7 && parts(zoned(date, "12:00", clientZone), clientZone).weekday !== wish.weekday; i += 1) {
    date = addDays(date, 1);
  }
  const start = zoned(date, wish.start, clientZone);
  const end = wish.end === "24:00" ? zoned(addDays(date, 1), "00:00", clientZone) : zoned(date, wish.end, clientZone);
  return `${fmt({ weekday: "long" }, start, tz)} ${time(start, tz)} – ${time(end, tz)}`;
}
