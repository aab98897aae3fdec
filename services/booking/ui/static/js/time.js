// Time zones and dates in the visitor's zone, plain-word labels, and the .ics calendar file.

const CONFIG = (() => {
  try { return JSON.parse(document.getElementById("attune-config").textContent); } catch { return {}; }
})();

/** The page's one locale: its texts are English, so its dates and times follow the practice's locale
 * (PRACTICE_LOCALE), never the browser's (no German dates inside English sentences). */
export const LOCALE = (() => {
  try { return new Intl.DateTimeFormat(CONFIG.locale || "en-US").resolvedOptions().locale; } catch { return "en-US"; }
})();

function labels(list, fallback) {
  return Array.isArray(list) && list.length ? Object.fromEntries(list.map((x) => [x.code, x.label])) : fallback;
}

/** The practice's taxonomy (ATTUNE_TAXONOMY): code -> label, in the practice's order. */
export const MODALITIES = labels(CONFIG.taxonomy?.modalities, {
  attachment_focused: "Attachment-focused therapy",
  eft: "Emotionally Focused Therapy (EFT)",
  ddp: "Dyadic Developmental Psychotherapy (DDP)",
  mbt: "Mentalization-Based Treatment (MBT)",
  circle_of_security: "Circle of Security (parenting)",
  abft: "Attachment-Based Family Therapy (ABFT)",
});

export const POPULATIONS = labels(CONFIG.taxonomy?.populations, {
  adults: "Adults", couples: "Couples", families: "Families",
  parents: "Parents", adolescents: "Adolescents (teens)", children: "Children",
});

export const WEEKDAYS = [
  ["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"], ["thu", "Thursday"],
  ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"],
];

const languageNames = (() => {
  try { return new Intl.DisplayNames(["en"], { type: "language" }); } catch { return null; }
})();

export function languageName(code) {
  if (!code) return "";
  if (languageNames && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(code)) {
    try { return languageNames.of(code) || code; } catch { return code; }
  }
  return code.charAt(0).toUpperCase() + code.slice(1);
}

export function plainList(items) {
  const list = items.filter(Boolean);
  try { return new Intl.ListFormat("en", { style: "long", type: "conjunction" }).format(list); } catch {
    return list.join(", ");
  }
}

function validZone(tz) {
  if (!tz) return false;
  try { new Intl.DateTimeFormat("en", { timeZone: tz }); return true; } catch { return false; }
}

export function browserZone() {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return validZone(tz) ? tz : "UTC";
}

let current = (() => {
  const saved = localStorage.getItem("attune.timeZone");
  return validZone(saved) ? saved : browserZone();
})();

export function zone() { return current; }

export function setZone(tz) {
  if (!validZone(tz)) return;
  current = tz;
  if (tz === browserZone()) localStorage.removeItem("attune.timeZone");
  else localStorage.setItem("attune.timeZone", tz);
}

export function zoneChoices() {
  let all = [];
  try { all = Intl.supportedValuesOf("timeZone"); } catch { all = []; }
  const set = new Set(all);
  set.add(browserZone());
  set.add(current);
  set.add("UTC");
  return [...set].sort();
}

export function zoneName(tz = current, at = new Date()) {
  const place = tz.split("/").pop().replaceAll("_", " ");
  let abbrev = "";
  try {
    abbrev = new Intl.DateTimeFormat("en", { timeZone: tz, timeZoneName: "short" })
      .formatToParts(at).find((p) => p.type === "timeZoneName")?.value || "";
  } catch { abbrev = ""; }
  return abbrev && abbrev !== place ? `${place} time (${abbrev})` : `${place} time`;
}

function fmt(options, iso, tz = current) {
  return new Intl.DateTimeFormat(LOCALE, { timeZone: tz, ...options }).format(new Date(iso));
}

export const formatTime = (iso, tz) => fmt({ hour: "numeric", minute: "2-digit" }, iso, tz);
export const formatDay = (iso, tz) => fmt({ weekday: "long", day: "numeric", month: "long" }, iso, tz);
export const formatShortDay = (iso, tz) => fmt({ weekday: "short", day: "numeric", month: "short" }, iso, tz);
export const formatLongDate = (iso, tz) =>
  fmt({ weekday: "long", day: "numeric", month: "long", year: "numeric" }, iso, tz);

export function formatWhen(iso, tz) {
  return `${formatDay(iso, tz)}, ${formatTime(iso, tz)}`;
}

export function dayKey(iso, tz = current) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date(iso));
  const get = (t) => parts.find((p) => p.type === t).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Slots grouped by the day they fall on in `tz`, in order. */
export function groupByDay(slots, tz = current) {
  const days = new Map();
  for (const slot of slots) {
    const key = dayKey(slot.start, tz);
    if (!days.has(key)) days.set(key, { key, label: formatDay(slot.start, tz), slots: [] });
    days.get(key).slots.push(slot);
  }
  return [...days.values()];
}

export function countdownText(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return `${minutes}:${seconds}`;
}

function icsDate(iso) {
  return new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function icsText(value) {
  return String(value).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/([,;])/g, "\\$1");
}

function fold(line) {
  const out = [];
  let rest = line;
  while (rest.length > 74) {
    out.push(rest.slice(0, 74));
    rest = ` ${rest.slice(74)}`;
  }
  out.push(rest);
  return out.join("\r\n");
}

/** How the call happens, in one sentence for the client: `call` is the booking's {method, video_url?}. */
export function callSentence(call, clinicianName, phone) {
  const who = clinicianName || "Your clinician";
  if (!call) return "";
  if (call.method === "phone") {
    return phone ? `${who} will call you at ${phone}.` : `${who} will call you on the phone number you gave.`;
  }
  return call.video_url ? `Join by video: ${call.video_url}` : "A video call: the link to join comes with your confirmation.";
}

/** An iCalendar (RFC 5545) event for the booked call: LOCATION and URL say where it happens. */
export function icsFile({ id, start, end, clinicianName, practiceName, manageUrl, call = null, phone = "" }) {
  const summary = `Free consultation call${clinicianName ? ` with ${clinicianName}` : ""}`;
  const how = callSentence(call, clinicianName, phone);
  const video = call && call.method === "video" ? call.video_url : "";
  const where = [];
  if (video) where.push(`LOCATION:${icsText(video)}`, `URL:${icsText(video)}`);
  else if (call && call.method === "phone") {
    where.push(`LOCATION:${icsText(`Phone call: ${clinicianName || "your clinician"} calls you${phone ? ` at ${phone}` : ""}`)}`);
  }
  const lines = [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Attune//Booking page//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${icsText(id)}@attune`,
    `DTSTAMP:${icsDate(new Date().toISOString())}`,
    `DTSTART:${icsDate(start)}`,
    `DTEND:${icsDate(end)}`,
    `SUMMARY:${icsText(`${summary} (${practiceName})`)}`,
    ...where,
    `DESCRIPTION:${icsText(`Your free 15-minute consultation call with ${practiceName}.` + (how ? `\n${how}` : "") +
      (manageUrl ? `\nTo see, move or cancel it: ${manageUrl}` : ""))}`,
    "STATUS:CONFIRMED", "TRANSP:OPAQUE",
    "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Consultation call soon", "TRIGGER:-PT30M", "END:VALARM",
    "END:VEVENT", "END:VCALENDAR",
  ];
  return `${lines.map(fold).join("\r\n")}\r\n`;
}
