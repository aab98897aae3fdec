// Labelled form fields and the API's problem+json field errors shown beside the field at fault.

import { h } from "./dom.js";

function describe(control, ...ids) {
  const all = new Set((control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
  for (const id of ids) if (id) all.add(id);
  if (all.size) control.setAttribute("aria-describedby", [...all].join(" "));
  else control.removeAttribute("aria-describedby");
}

/** A label, an optional hint, a slot for the error message, then the control. */
/** `name`: a short name for the error summary when the label is long. */
export function field({ id, label, control, hint = null, optional = false, name = null }) {
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  describe(control, hintId);
  return h("div", { class: "field", dataset: { field: id, name: name || label } },
    h("label", { for: id, class: "field__label" }, label,
      optional ? h("span", { class: "field__optional" }, " (optional)") : null),
    hint ? h("p", { id: hintId, class: "field__hint" }, hint) : null,
    h("p", { id: `${id}-error`, class: "field__error", hidden: true }),
    control);
}

export function checkboxField({ id, label, control, hint = null, name = null }) {
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  describe(control, hintId);
  return h("div", { class: "field field--checkbox", dataset: { field: id, name: name || label } },
    h("p", { id: `${id}-error`, class: "field__error", hidden: true }),
    h("div", { class: "checkbox" }, control, h("label", { for: id }, label)),
    hint ? h("p", { id: hintId, class: "field__hint" }, hint) : null);
}

/** A fieldset whose error message is described on the group and on its first control. */
export function group({ id, legend, hint = null, children, name = null }) {
  const hintId = hint ? `${id}-hint` : null;
  const fs = h("fieldset", { class: "field field--group", id, dataset: { field: id, name: name || legend } },
    h("legend", { class: "field__label" }, legend),
    hint ? h("p", { id: hintId, class: "field__hint" }, hint) : null,
    h("p", { id: `${id}-error`, class: "field__error", hidden: true }),
    children);
  if (hintId) fs.setAttribute("aria-describedby", hintId);
  return fs;
}

function fieldControl(form, id) {
  const box = form.querySelector(`[data-field="${id}"]`);
  if (!box) return null;
  return box.matches("fieldset") ? box.querySelector("input, select, textarea, button") : box.querySelector(`#${id}`);
}

export function clearErrors(form) {
  for (const box of form.querySelectorAll(".field.has-error")) {
    box.classList.remove("has-error");
    const err = box.querySelector(".field__error");
    err.hidden = true;
    err.textContent = "";
    for (const c of box.querySelectorAll("[aria-invalid]")) {
      c.removeAttribute("aria-invalid");
      const rest = (c.getAttribute("aria-describedby") || "").split(/\s+/).filter((x) => x && x !== err.id);
      if (rest.length) c.setAttribute("aria-describedby", rest.join(" "));
      else c.removeAttribute("aria-describedby");
    }
  }
  const summary = form.querySelector(".error-summary");
  if (summary) summary.remove();
}

/** Which field an API error path (`client.email`, `preferred_times.0.start`) belongs to. */
function fieldFor(path, fieldMap) {
  let best = null;
  for (const key of Object.keys(fieldMap)) {
    if ((path === key || path.startsWith(`${key}.`)) && (!best || key.length > best.length)) best = key;
  }
  return best ? fieldMap[best] : null;
}

/**
 * Puts each message next to its field (aria-invalid + aria-describedby) and lists them all in a
 * summary at the top of the form, which takes focus so the problem is read out at once.
 */
const EMPTY = /^(Length must be between 1 and \d+\.|Missing data for required field\.|Shorter than minimum length 1\.|Give a name \(not only spaces\)\.)$/;

/** The API's generic "too short" for a field left empty, said the way a person would. */
function plain(messages, id, emptyText) {
  const list = (Array.isArray(messages) ? messages : [String(messages)]);
  return list.map((m) => (emptyText[id] && EMPTY.test(m) ? emptyText[id] : m)).join(" ");
}

export function showErrors(form, errors, fieldMap, { general = null, emptyText = {} } = {}) {
  clearErrors(form);
  const items = [];
  const shown = new Map();
  for (const [path, messages] of Object.entries(errors || {})) {
    const id = fieldFor(path, fieldMap);
    const text = plain(messages, id, emptyText);
    if (!id || !form.querySelector(`[data-field="${id}"]`)) {
      items.push({ id: null, text });
      continue;
    }
    shown.set(id, [shown.get(id), text].filter(Boolean).join(" "));
  }
  const inFormOrder = [...form.querySelectorAll("[data-field]")].map((b) => b.dataset.field).filter((f) => shown.has(f));
  for (const id of inFormOrder) {
    const text = shown.get(id);
    const box = form.querySelector(`[data-field="${id}"]`);
    const err = box.querySelector(".field__error");
    err.replaceChildren(h("span", { class: "visually-hidden" }, "Error: "), text);
    err.hidden = false;
    box.classList.add("has-error");
    const control = fieldControl(form, id);
    const targets = box.matches("fieldset") ? [box, ...box.querySelectorAll("input, select, textarea")] : [control];
    for (const t of targets) {
      if (!t) continue;
      t.setAttribute("aria-invalid", "true");
      describe(t, err.id);
    }
    items.push({ id, text: `${box.dataset.name}: ${text}` });
  }
  if (general) items.unshift({ id: null, text: general });
  if (!items.length) return null;
  const summary = h("div", { class: "error-summary", role: "alert", tabindex: "-1" },
    h("h3", { class: "error-summary__title" }, "Please check the following"),
    h("ul", {}, items.map((item) => h("li", {}, item.id
      ? h("a", { href: `#${item.id}`, onclick: (e) => { e.preventDefault(); fieldControl(form, item.id)?.focus(); } },
        item.text)
      : item.text))));
  form.prepend(summary);
  summary.focus();
  return summary;
}
