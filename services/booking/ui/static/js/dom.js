// Small DOM helpers: build elements without innerHTML, move focus, speak to screen readers.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "value" && "value" in el) el.value = value;
    else if (key === "checked" || key === "disabled" || key === "hidden") el[key] = Boolean(value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let uid = 0;
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

let zoneHook = null;

/** Replaces the page's view; `focus` moves keyboard focus to the new step's heading. */
export function mount(view, { focus = true, onZone = null } = {}) {
  const root = document.getElementById("view");
  root.replaceChildren(view);
  zoneHook = onZone;
  if (focus) focusHeading(view);
}

export function zoneChanged(tz) {
  if (zoneHook) zoneHook(tz);
}

export function focusHeading(container) {
  const target = container.querySelector("[data-focus]") || container.querySelector("h2");
  if (!target) return;
  target.setAttribute("tabindex", "-1");
  target.focus();
}

/** A polite message for screen readers, outside any view so it survives re-renders. */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 60);
}

export function visuallyHidden(text) {
  return h("span", { class: "visually-hidden" }, text);
}

/** A plain-language message box; `alert` makes assistive technology read it at once. */
export function notice(text, { kind = "info", alert = false, title = null } = {}) {
  const role = alert ? "alert" : "status";
  return h("div", { class: `notice notice--${kind}`, role },
    title ? h("p", { class: "notice__title" }, title) : null,
    h("p", { class: "notice__text" }, text));
}

export function setStep(step) {
  const progress = document.getElementById("progress");
  if (!progress) return;
  progress.hidden = !step;
  document.body.dataset.step = String(step || 0);
  for (const li of progress.querySelectorAll("li[data-step]")) {
    const n = Number(li.dataset.step);
    li.classList.toggle("is-done", Boolean(step) && n < step);
    if (n === step) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  }
}

export function setTitle(heading, lede, pageTitle) {
  document.getElementById("page-title").textContent = heading;
  const ledeEl = document.getElementById("page-lede");
  ledeEl.textContent = lede || "";
  ledeEl.hidden = !lede;
  document.title = pageTitle;
}

export function button(label, onclick, { kind = "secondary", type = "button", ...rest } = {}) {
  return h("button", { type, class: `btn btn--${kind}`, onclick, ...rest }, label);
}
