// Inside the practice's own site (embed.js puts this page in an iframe): tell the embedding page how tall the
// content is, so the frame fits it without a scroll bar of its own, and when a new step begins.

function contentHeight() {
  const footer = document.querySelector(".site-footer");
  const bottom = footer ? footer.getBoundingClientRect().bottom : document.body.getBoundingClientRect().bottom;
  return Math.ceil(bottom + window.scrollY);
}

export function reportSize() {
  if (window.parent === window) return;
  document.documentElement.classList.add("is-embedded");
  let last = 0;
  const send = () => {
    const height = contentHeight();
    if (height === last) return;
    last = height;
    // Only a height and a step go out: nothing about the visitor. The embedding page checks our origin.
    window.parent.postMessage({ type: "attune:height", height }, "*");
  };
  new ResizeObserver(send).observe(document.body);
  window.addEventListener("load", send);
  const step = () => window.parent.postMessage({ type: "attune:step" }, "*");
  new MutationObserver(step).observe(document.body, { attributes: true, attributeFilter: ["data-step"] });
  send();
}
