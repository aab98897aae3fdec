// Clinicians: directory entries (profile, modalities, populations, languages, accepting) and the schedule editor;
// a clinician edits their own entry's self-service fields (the API refuses the rest: the practice sets them).

import * as api from "./api.js";
import { announce, badge, button, check, clearErrors, field, h, input, notice, quietReplace, select, showErrors } from "./dom.js";
import { scheduleEditor } from "./schedule.js";
import { when, zones } from "./time.js";

export const TITLE = "Clinicians";
const CALL_LABELS = { video: "video call", phone: "phone call (the clinician calls the client)" };

function limits(c) {
  const parts = [c.max_per_day ? `at most ${c.max_per_day} consultations` : "no cap",
    c.buffer_minutes ? `${c.buffer_minutes} minutes free before and after each` : null];
  return parts.filter(Boolean).join("; ");
}

/** How the call happens (phone, or video at a standing link or a link per booking) and, with `limits`, the day's rules. */
function callFields(c, { limits = true } = {}) {
  const call = (c && c.call) || { method: "video" };
  const method = select([["video", "Video call"], ["phone", "Phone call (the clinician calls the client)"]], { value: call.method });
  const url = input({ type: "url", inputmode: "url", placeholder: "https://", value: call.video_url || "" });
  const urlField = field("Video link", url, { name: "call.video_url",
    hint: "A standing room for every consultation; leave it empty for a new link per booking." });
  const number = (value, attrs) => input({ type: "number", inputmode: "numeric", value: value ?? "", ...attrs });
  const maxPerDay = number(c && c.max_per_day, { min: "1", max: "96" });
  const buffer = number(c && c.buffer_minutes, { min: "0", max: "120", step: "5" });
  const showUrl = () => { urlField.hidden = method.value !== "video"; };
  method.addEventListener("change", showUrl);
  showUrl();
  const count = (el) => (el.value.trim() === "" ? null : Number(el.value));
  const fieldset = h("fieldset", { dataset: { field: "call" } }, h("legend", {}, "How the call happens"),
    h("div", { class: "grid2" }, field("Call", method, { name: "call.method" }), urlField, limits ? [
      field("Consultations per day at most", maxPerDay, { name: "max_per_day", hint: "In their time zone; empty: no cap." }),
      field("Buffer (minutes)", buffer, { name: "buffer_minutes", hint: "Kept free before and after each; steps of 5." })] : null),
    h("p", { class: "error-text", hidden: true }));
  const read = () => ({ call: method.value === "video" && url.value.trim() ? { method: "video", video_url: url.value.trim() }
    : { method: method.value }, ...(limits ? { max_per_day: count(maxPerDay), buffer_minutes: count(buffer) } : {}) });
  return { fieldset, read };
}

/** What the practice's staff set (who, where, what they offer): the controls, laid out around `credentials`. */
function practiceFields(c, v, credentials) {
  const name = input({ required: true, value: c ? c.name : "" });
  const email = input({ type: "email", required: true, value: (c && c.email) || "" });
  const tz = select(zones().map((z) => [z, z.replaceAll("_", " ")]), { value: c ? c.time_zone : "America/New_York" });
  const modalities = v.modalities.map((m) => [m.id, h("input", { value: m.id, checked: c && c.modalities.includes(m.id) }), m.label]);
  const populations = v.populations.map((p) => [p, h("input", { value: p, checked: c && c.populations.includes(p) }), p]);
  const group = (legend, items, key) => h("fieldset", { dataset: { field: key } }, h("legend", {}, legend),
    h("div", { class: "checks" }, items.map(([, el, label]) => check(label, el))), h("p", { class: "error-text", hidden: true }));
  const checked = (items) => items.filter(([, el]) => el.checked).map(([id]) => id);
  return {
    first: name,
    top: h("div", { class: "grid2" }, field("Name", name, { name: "name" }), credentials,
      field("Email (for notifications)", email, { name: "email" }), field("Time zone", tz, { name: "time_zone" })),
    groups: [group("Approaches (modalities)", modalities, "modalities"), group("Works with (populations)", populations, "populations")],
    read: () => ({ name: name.value.trim(), email: email.value.trim(), time_zone: tz.value,
      modalities: checked(modalities), populations: checked(populations) }),
  };
}

/** The clinician's own profile: what the practice's staff set, as text. */
function setByPractice(c) {
  return h("div", {}, h("p", { class: "hint" }, "Set by the practice's staff (ask them to change these):"),
    h("dl", { class: "dl" }, h("dt", {}, "Name"), h("dd", {}, c.name), h("dt", {}, "Email"), h("dd", {}, c.email || "—"),
      h("dt", {}, "Time zone"), h("dd", {}, c.time_zone),
      h("dt", {}, "Approaches"), h("dd", {}, (c.modality_labels || c.modalities || []).join(", ") || "—"),
      h("dt", {}, "Per day"), h("dd", {}, limits(c))));
}

export function mount(root) {
  const staff = !api.ownClinician();
  const list = h("ul", { class: "list", "aria-label": "Clinicians" });
  const side = h("div", { class: "side" });
  const status = h("div");
  let vocab = null;
  root.append(h("h1", { id: "view-title" }, staff ? "Clinicians" : "My profile and schedule"), status,
    h("div", { class: "toolbar", hidden: !staff }, button("Add a clinician", () => openProfile(null), { kind: "primary" })),
    h("div", { class: "columns" }, h("div", {}, list), side));

  async function practice() {
    if (!vocab) vocab = await api.get("availability", "/v1/practice");
    return vocab;
  }

  function entry(c) {
    const mayEdit = staff || c.id === api.ownClinician();  // a clinician: their own self-service fields
    const actions = h("div", { class: "card__actions" },
      mayEdit ? button("Edit profile", () => openProfile(c), { "aria-label": `Edit profile: ${c.name}` }) : null,
      button("Schedule", () => openSchedule(c), { "aria-label": `Schedule: ${c.name}` }));
    return h("li", { class: "card", dataset: { key: c.id, clinician: c.id } },
      h("div", { class: "card__head" }, h("h2", { class: "card__when" }, c.name, c.credentials ? `, ${c.credentials}` : ""),
        c.active === false ? badge("inactive") : badge(c.accepting_new_clients ? "active" : "paused",
          c.accepting_new_clients ? "accepting new clients" : "not accepting")),
      h("dl", { class: "dl" },
        h("dt", {}, "Approaches"), h("dd", {}, (c.modality_labels || c.modalities || []).join(", ") || "—"),
        h("dt", {}, "Works with"), h("dd", {}, (c.populations || []).join(", ") || "—"),
        h("dt", {}, "Languages"), h("dd", {}, (c.languages || []).join(", ") || "—"),
        h("dt", {}, "Time zone"), h("dd", {}, c.time_zone),
        c.call ? [h("dt", {}, "The call"), h("dd", {}, CALL_LABELS[c.call.method] || c.call.method)] : null,
        h("dt", {}, "Per day"), h("dd", {}, limits(c)),
        h("dt", {}, "Next open"), h("dd", {}, c.next_available ? when(c.next_available) : "nothing open this week")),
      c.bio ? h("p", { class: "card__meta" }, c.bio) : null, actions);
  }

  async function openProfile(c) {
    const v = await practice();
    if (c) {  // the list leaves out the email and a standing video link: the one clinician's answer has them
      try { c = { ...c, ...(await api.get("availability", `/v1/clinicians/${encodeURIComponent(c.id)}`)) }; } catch { /* shown as listed */ }
    }
    const credentials = input({ value: (c && c.credentials) || "" });
    const credentialsField = field("Credentials", credentials, { name: "credentials" });
    const set = staff ? practiceFields(c, v, credentialsField) : null;
    const languages = input({ value: c ? c.languages.join(", ") : "en" });
    const accepting = h("input", { checked: c ? c.accepting_new_clients : true });
    const rules = callFields(c, { limits: staff });
    const bio = h("textarea", { rows: "3", maxlength: "2000" });
    bio.value = (c && c.bio) || "";
    const box = h("div");
    const form = h("form", { class: "form", novalidate: true, dataset: { editing: "1" } },
      set ? [set.top, set.groups] : [setByPractice(c), credentialsField],
      field("Languages", languages, { name: "languages", hint: "Codes, comma separated: en, es, pt-BR" }),
      h("div", {}, check("Accepting new clients", accepting)), rules.fieldset, field("Bio", bio, { name: "bio" }), box,
      h("div", { class: "card__actions" }, button(c ? "Save profile" : "Add the clinician", null, { kind: "primary", type: "submit" }),
        button("Close", () => side.replaceChildren(), { kind: "quiet" })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form, box);
      const body = { ...(set ? set.read() : {}),  // a clinician sends only what they may change
        languages: languages.value.split(",").map((s) => s.trim()).filter(Boolean),
        accepting_new_clients: accepting.checked, credentials: credentials.value.trim() || null, bio: bio.value.trim() || null,
        ...rules.read() };
      try {
        const saved = c ? await api.patch("availability", `/v1/clinicians/${encodeURIComponent(c.id)}`, body)
          : await api.post("availability", "/v1/clinicians", body);
        api.forgetClinicians();
        await view.refresh();
        announce(`${saved.name} saved.`);
        if (c) side.replaceChildren(notice(staff ? `${saved.name}'s profile is saved.` : "Your profile is saved.", "ok"));
        else openSchedule(saved, `${saved.name} is added. Now give them a schedule.`);
      } catch (err) { showErrors(form, { message: api.plainError(err), errors: err.errors }, box); }
    });
    side.replaceChildren(h("section", { class: "panel", "aria-labelledby": "profile-title" },
      h("h2", { id: "profile-title" }, c ? `Profile: ${c.name}` : "Add a clinician"), form));
    (set ? set.first : credentials).focus();
  }

  async function openSchedule(c, message = "") {
    const panel = h("section", { class: "panel", "aria-labelledby": "schedule-title" },
      h("h2", { id: "schedule-title" }, `Schedule: ${c.name}`), message ? notice(message, "ok") : null);
    side.replaceChildren(panel);
    try {
      panel.append(await calendarStatus(c));
      const schedule = await api.get("availability", `/v1/clinicians/${encodeURIComponent(c.id)}/schedule`);
      panel.append(scheduleEditor(c, schedule, { onSaved: () => { api.forgetClinicians(); view.refresh(); },
        onClose: () => side.replaceChildren() }));
      panel.querySelector("select, input, button").focus();
    } catch (err) { panel.append(notice(api.plainError(err), "error", { alert: true })); }
  }

  // The clinician's own calendar (CalDAV): whether its busy time is current, and holds or bookings it now covers.
  async function calendarStatus(c) {
    const box = h("section", { class: "calendar-status", "aria-labelledby": "calendar-title" },
      h("h3", { id: "calendar-title" }, "Own calendar"));
    let st;
    try {
      st = await api.get("availability", `/v1/clinicians/${encodeURIComponent(c.id)}/calendar`);
    } catch (err) {
      box.append(notice(api.plainError(err), "error"));
      return box;
    }
    if (!st.connected) {
      box.append(h("p", {}, "Not connected: only Attune's own schedule is used."));
      return box;
    }
    const synced = st.last_sync ? `last synced ${when(st.last_sync)}` : "not synced yet";
    box.append(h("p", {}, badge(st.status === "ok" ? "confirmed" : "cancelled", st.status), ` ${synced}`),
      st.stale ? notice(`Busy time may be out of date${st.reason ? `: ${st.reason}` : ""}. Slots use the last good sync.`,
        "error") : null);
    if (st.clashes.length) {
      box.append(notice("The calendar is now busy at these consultations (they stand; please check with the clinician):",
        "error"), h("ul", {}, ...st.clashes.map((x) => h("li", {}, `${when(x.start)} (${x.status})`))));
    }
    return box;
  }

  const view = {
    async refresh() {
      const found = await api.clinicians();
      quietReplace(list, ...(found.length ? found.map(entry) : [h("li", { class: "empty" }, "No clinicians yet.")]));
    },
  };
  return view;
}
