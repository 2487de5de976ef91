/* Buttons that start work: while it runs they stay focusable (aria-disabled, not disabled)
 * and say what they are doing.
 */
import { spinner } from "./dom.js";
import { S } from "./i18n.js";
import { state } from "./state.js";

export function setBusy(button, busy, busyText) {
  const label = button.querySelector(".button-label");
  if (busy) {
    if (!button.dataset.idleLabel) button.dataset.idleLabel = label.textContent;
    label.textContent = busyText || S.syncBusy;
    if (!button.querySelector(".spinner")) button.prepend(spinner());
    const firstIcon = button.querySelector(".icon");
    if (firstIcon) firstIcon.setAttribute("hidden", "");  // an SVG element has no .hidden property
    button.setAttribute("aria-busy", "true");
    button.setAttribute("aria-disabled", "true");
  } else {
    if (button.dataset.idleLabel) label.textContent = button.dataset.idleLabel;
    const spin = button.querySelector(".spinner");
    if (spin) spin.remove();
    const firstIcon = button.querySelector(".icon");
    if (firstIcon) firstIcon.removeAttribute("hidden");
    button.removeAttribute("aria-busy");
    // A blocked page, or a store awaiting re-authorization (is-blocked), keeps its buttons off.
    if (!state.blocked && !button.classList.contains("is-blocked")) button.removeAttribute("aria-disabled");
  }
}

export const unavailable = (button) => button.getAttribute("aria-disabled") === "true";
