// `#/invite/<token>`: the invited person chooses their own password (the API's errors at the field), then is signed in.

import * as api from "./api.js";
import { button, clearErrors, field, h, input, notice, showErrors } from "./dom.js";

/** `signedIn(session)` once the password is set; `toSignIn(message)` when the link no longer works. */
export function mount(root, token, signedIn, toSignIn) {
  const practice = api.settings().practiceName;
  const password = input({ type: "password", autocomplete: "new-password", required: true });
  const again = input({ type: "password", autocomplete: "new-password", required: true });
  const box = h("div", { class: "messages" });
  const form = h("form", { class: "form", novalidate: true },
    field("New password", password, { name: "password", hint: "At least 12 characters; a few unrelated words make a good one." }),
    field("The same password again", again, { name: "again" }),
    h("div", {}, button("Set my password and sign in", null, { kind: "primary", type: "submit" })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, box);
    if (password.value !== again.value) {
      showErrors(form, { message: "The two passwords differ.", errors: { again: ["Type the same password twice."] } }, box);
      return;
    }
    try {
      signedIn(await api.call("staff", "POST", "/v1/invitations/accept", { auth: false, body: { token, password: password.value } }));
    } catch (err) {
      if (err.status === 404 || err.status === 410) gone(err.message);
      else if (err.slug === "invitation-accepted-sign-in") toSignIn(err.message);
      else showErrors(form, { message: api.plainError(err), errors: err.errors }, box);
    }
  });

  /** The link was used, withdrawn or has expired: say so, and offer the sign-in instead of the form. */
  function gone(message) {
    form.replaceWith(h("div", { class: "form" }, button("Go to sign-in", () => toSignIn(""), { kind: "primary" })));
    box.replaceChildren(notice(message, "error", { alert: true }));
  }

  root.replaceChildren(h("section", { class: "signin panel", "aria-labelledby": "invite-title" },
    h("h1", { id: "invite-title" }, "Choose your password"),
    h("p", { class: "hint" }, `Welcome to ${practice}'s practice console. Choose the password you will sign in with.`),
    box, form));
  document.title = `Choose your password · ${practice}`;
  password.focus();
}
