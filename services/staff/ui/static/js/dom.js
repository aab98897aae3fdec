// Small DOM helpers: elements without innerHTML, labelled fields, notices, the polite announcer.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "value" && "value" in el) el.value = value;
    else if (key === "checked" || key === "disabled" || key === "hidden" || key === "required") el[key] = Boolean(value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let uid = 0;
export function newId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

export function button(label, onclick, { kind = "", type = "button", ...rest } = {}) {
  return h("button", { type, class: `btn${kind ? ` btn--${kind}` : ""}`, onclick, ...rest }, label);
}

/** A labelled control: `control` is an input/select/textarea element (given an id here). */
export function field(label, control, { hint = "", name = "" } = {}) {
  const id = control.id || newId("fld");
  control.id = id;
  if (name) control.name = name;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  const errorEl = h("p", { class: "error-text", id: `${id}-error`, hidden: true });
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field", dataset: { field: name || id } }, h("label", { for: id }, label), control, hintEl, errorEl);
}

export function check(label, input) {
  input.type = "checkbox";
  input.id = input.id || newId("chk");
  return h("span", { class: "check" }, input, h("label", { for: input.id }, label));
}

export function input(attrs = {}) { return h("input", { type: "text", ...attrs }); }

export function select(options, attrs = {}) {
  const el = h("select", attrs);
  for (const [value, label] of options) el.append(h("option", { value }, label));
  if (attrs.value !== undefined) el.value = attrs.value;
  return el;
}

export function notice(text, kind = "info", { alert = false } = {}) {
  return h("div", { class: `notice notice--${kind}`, role: alert ? "alert" : "status" }, text);
}

export function badge(status, label) {
  return h("span", { class: `badge badge--${status}` }, label || status.replace("_", " "));
}

export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 50);
}

function fieldOf(form, key) {
  const segments = key.split(".");
  for (let n = segments.length; n > 0; n -= 1) {
    const found = form.querySelector(`[data-field="${CSS.escape(segments.slice(0, n).join("."))}"]`);
    if (found) return found;
  }
  return null;
}

/** Shows the problem's field errors next to their fields (`errors` keys like "client.email"); the rest in `box`. */
export function showErrors(form, err, box, names = {}) {
  for (const el of form.querySelectorAll(".error-text")) { el.hidden = true; el.textContent = ""; }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const loose = [];
  for (const [key, messages] of Object.entries((err && err.errors) || {})) {
    const wrap = fieldOf(form, names[key] || key);
    const text = [].concat(messages).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
    if (!wrap) { loose.push(`${key}: ${text}`); continue; }
    const errorEl = wrap.querySelector(":scope > .error-text") || wrap.querySelector(".error-text");
    const control = wrap.querySelector("input, select, textarea");
    errorEl.textContent = errorEl.hidden ? text : `${errorEl.textContent} ${key}: ${text}`;
    errorEl.hidden = false;
    if (control) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", errorEl.id);
    }
  }
  const placed = Object.keys((err && err.errors) || {}).length > loose.length;
  const summary = placed && !loose.length ? "Please correct the marked fields." : err.message;
  box.replaceChildren(notice([summary, ...loose].filter(Boolean).join(" "), "error", { alert: true }));
  const first = form.querySelector("[aria-invalid='true']");
  if (first) first.focus();
}

export function clearErrors(form, box) {
  for (const el of form.querySelectorAll(".error-text")) { el.hidden = true; el.textContent = ""; }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  box.replaceChildren();
}

/** Replaces `root`'s children unless someone is working inside it (an open editor, a field with focus);
 * a focused button keeps the focus on its twin in the new content (same card key, same label). */
export function quietReplace(root, ...children) {
  const focused = root.contains(document.activeElement) ? document.activeElement : null;
  if (root.querySelector("[data-editing]") || (focused && focused.matches("input, select, textarea"))) return false;
  const card = focused && focused.closest("[data-key]");
  const key = card && card.dataset.key;
  const label = focused && (focused.getAttribute("aria-label") || focused.textContent);
  root.replaceChildren(...children.filter(Boolean));
  if (focused) {
    const scope = key ? root.querySelector(`[data-key="${CSS.escape(key)}"]`) : root;
    const twin = scope && [...scope.querySelectorAll("button, a")].find(
      (el) => (el.getAttribute("aria-label") || el.textContent) === label);
    if (twin) twin.focus();
    else if (scope && scope.matches("[data-key]")) { scope.setAttribute("tabindex", "-1"); scope.focus(); }
  }
  return true;
}
