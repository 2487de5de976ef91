/* Telling the merchant something: a toast for passing news (the admin's own toast when the page
 * is embedded and its platform's bridge can show one), the #notice banner (and a blocked page)
 * for session and installation problems, which retrying cannot fix.
 */
import { adminToast, bridge } from "./bridge.js";
import { config } from "./config.js";
import { $, h } from "./dom.js";
import { S, fmt } from "./i18n.js";
import { state } from "./state.js";

/** One toast per text at a time: a repeated failure does not pile up toasts. */
export function toast(text, isError) {
  if (adminToast(text, isError)) return;
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
    if (bridge.inside) anchor.target = "_top";  // an admin's frame cannot show a store's consent screen
    anchor.hidden = false;
  } else {
    anchor.hidden = true;
  }
  $("notice").hidden = false;
}

/** The text for a failure retrying may fix; null for session and installation problems, which
 * block the page (see block). */
export function blockingError(error) {
  if (error.code === "no_token") {
    // Opened outside the admin (no bridge answered): the platform's sign-in is the way in.
    const admin = config.embedding.admin;
    block(fmt(S.errorNoToken, { admin }), bridge.inside ? null
      : { href: config.embedding.signInUrl, text: fmt(S.signIn, { admin }) });
    return true;
  }
  if (error.status === 401) {
    block(S.errorSession);
    return true;
  }
  if (error.status === 404 && /store not installed/.test(error.message)) {
    // An admin whose URL names no store (Tiendanube's) installs through the platform's sign-in.
    const install = config.installUrl || (config.embedding && config.embedding.signInUrl);
    block(S.errorNotInstalled, install ? { href: install, text: S.installLink } : null);
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
