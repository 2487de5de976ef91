/* Telling the merchant something: a toast for passing news (Shopify admin's own toast when the
 * page is embedded and App Bridge loaded), the #notice banner (and a blocked page) for session
 * and installation problems, which retrying cannot fix.
 */
import { config } from "./config.js";
import { $, h } from "./dom.js";
import { S } from "./i18n.js";
import { state } from "./state.js";

/** One toast per text at a time: a repeated failure does not pile up toasts. */
export function toast(text, isError) {
  const bridge = window.shopify;
  if (bridge && bridge.toast && typeof bridge.toast.show === "function") {
    bridge.toast.show(text, { isError: !!isError, duration: isError ? 8000 : 5000 });
    return;
  }
  for (const old of $("toasts").querySelectorAll(".toast")) {
    if (old.textContent === text) old.remove();
  }
  const node = h("div", { class: "toast" + (isError ? " toast-error" : ""), text });
  $("toasts").append(node);
  setTimeout(() => node.remove(), isError ? 8000 : 5000);
}

function showNotice(text, link) {
  $("notice-text").textContent = text;
  const anchor = $("notice-link");
  if (link) {
    anchor.href = link.href;
    anchor.textContent = link.text;
    if (config.mode === "shopify") anchor.target = "_top";
    anchor.hidden = false;
  } else {
    anchor.hidden = true;
  }
  $("notice").hidden = false;
}

/** The text for a failure retrying may fix; null for session and installation problems, which
 * block the page (see block). */
export function blockingError(error) {
  if (error.code === "no_token" || error.status === 401) {
    block(error.code === "no_token" ? S.errorNoToken : S.errorSession);
    return true;
  }
  if (error.status === 404 && /store not installed/.test(error.message)) {
    block(S.errorNotInstalled, config.installUrl ? { href: config.installUrl, text: S.installLink } : null);
    return true;
  }
  return false;
}

export const errorText = (error) => (error.status === 0 ? S.errorNetwork : S.errorGeneric);

/** Session and installation problems stop the page; anything else is a passing toast. */
export function reportError(error) {
  if (!blockingError(error)) toast(errorText(error), true);
}

/** Stops every poll (each checks state.blocked) and empties the table: only the notice is left. */
function block(text, link) {
  state.blocked = true;
  clearTimeout(state.rowsTimer);
  clearTimeout(state.storeTimer);
  showNotice(text, link);
  for (const id of ["mass-sync-button", "settings-button"]) $(id).setAttribute("aria-disabled", "true");
  $("orders-body").replaceChildren(h("tr", { class: "empty-row" }, h("td", { colspan: 10, text: "—" })));
  $("orders-table").setAttribute("aria-busy", "false");
}
