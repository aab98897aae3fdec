// Two-step sign-in's key for an authenticator app: the QR code the staff service drew, and the key as text.

import { h } from "./dom.js";

/** The key in groups of four (easier to read out and type); spaces are ignored by the apps. */
function grouped(secret) { return (secret.match(/.{1,4}/g) || []).join(" "); }

/** The QR code (an SVG data: URI from the API: no script, no network) and the same key to type by hand. */
export function authenticatorKey(answer, practiceName) {
  return h("div", { class: "authenticator" },
    h("img", { class: "authenticator__qr", src: answer.qr_code, width: "200", height: "200",
      alt: `QR code that adds ${practiceName} to an authenticator app. The same key is written next to it.` }),
    h("div", { class: "authenticator__key" },
      h("p", {}, "No camera? Add it in the app as a time-based key, with this key:"),
      h("p", {}, h("code", { class: "secret", dataset: { secret: answer.secret } }, grouped(answer.secret)))));
}
