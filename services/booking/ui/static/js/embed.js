/*
 * Attune booking page, embedded in the practice's own site. Paste where the booking page should appear:
 *
 *   <script src="https://book.example-practice.org/embed.js" async></script>
 *
 * Optional attributes: data-clinician="cln_..." (open at that clinician's times), data-start="2026-03-05T14:00:00Z"
 * (with data-clinician: hold that time at once), data-title (the frame's accessible name), data-target="#booking"
 * (a CSS selector of the element to put the frame in; by default, right after this script).
 * The frame shows the booking page as its server configures it (name, colours, crisis notice): nothing on the
 * embedding site can change it. The site's origin must be listed in BOOKING_EMBED_ORIGINS on the booking service.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  var data = script.dataset;
  var query = new URLSearchParams();
  if (data.clinician) query.set("clinician", data.clinician);
  if (data.clinician && data.start) query.set("start", data.start);
  var frame = document.createElement("iframe");
  frame.src = origin + "/" + (query.toString() ? "?" + query.toString() : "");
  frame.title = data.title || "Book a free consultation call";
  frame.setAttribute("allow", "clipboard-write");
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.setAttribute("data-attune-booking", "");
  frame.style.cssText = "display:block;width:100%;border:0;height:720px;transition:height .15s ease-out;";
  var target = data.target ? document.querySelector(data.target) : null;
  if (target) target.appendChild(frame);
  else script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var message = event.data || {};
    if (message.type === "attune:height" && typeof message.height === "number" && message.height > 0) {
      frame.style.height = Math.min(Math.ceil(message.height), 20000) + "px";
    } else if (message.type === "attune:step" && frame.getBoundingClientRect().top < 0) {
      frame.scrollIntoView({ block: "start" }); // a new step starts at its top, not where the last one ended
    }
  });
})();
