// Entry point: the time-zone picker, the skip link and the hash router (#/, #/contact, #/manage/<id>).

import * as book from "./book.js";
import * as contact from "./contact.js";
import { announce, zoneChanged } from "./dom.js";
import { reportSize } from "./frame.js";
import * as manage from "./manage.js";
import { setZone, zone, zoneChoices, zoneName } from "./time.js";

const pages = [book, contact, manage];
let first = true;

/** A deep link's clinician and time (/?clinician=ID&start=ISO), taken from the address once so a reload
 * does not hold the time again; other parameters (a slot finder's source, booking-referral) stay. */
function deepLink() {
  const params = new URLSearchParams(location.search);
  const link = { clinician: params.get("clinician"), start: params.get("start") };
  if (!link.clinician) return null;
  params.delete("clinician");
  params.delete("start");
  const rest = params.toString();
  history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
  return link;
}

function route() {
  const hash = location.hash || "#/";
  if (!hash.startsWith("#/")) return;
  const focus = !first;
  const link = first && hash === "#/" ? deepLink() : null;
  first = false;
  if (link) {
    for (const page of pages) page.stop();
    book.openLink(link.clinician, link.start, { focus });
    return;
  }
  for (const page of pages) page.stop();
  const m = hash.match(/^#\/manage\/([^?/]+)(?:\?(.*))?$/);
  if (m) {
    const params = new URLSearchParams(m[2] || "");
    manage.start(decodeURIComponent(m[1]), params.get("token"), { focus, action: params.get("action") });
  } else if (hash.startsWith("#/contact")) {
    contact.start({ focus });
  } else {
    book.start({ focus });
  }
}

function zonePicker() {
  const select = document.getElementById("time-zone");
  const options = zoneChoices().map((tz) => {
    const opt = document.createElement("option");
    opt.value = tz;
    opt.textContent = tz.replaceAll("_", " ");
    return opt;
  });
  select.replaceChildren(...options);
  select.value = zone();
  select.addEventListener("change", () => {
    setZone(select.value);
    zoneChanged(select.value);
    announce(`Times are now shown in ${zoneName(select.value)}.`);
  });
}

function skipLink() {
  document.querySelector("[data-skip]").addEventListener("click", (event) => {
    event.preventDefault();
    const main = document.getElementById("main");
    main.focus();
    main.scrollIntoView();
  });
}

zonePicker();
skipLink();
reportSize();
window.addEventListener("hashchange", route);
window.addEventListener("pagehide", book.releaseOnExit);
route();
