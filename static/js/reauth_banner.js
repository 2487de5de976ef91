/* The store as ShipSync sees it, polled so that the re-authorization banner appears when the
 * store stops accepting ShipSync's access, and goes away (with a toast) once it accepts it again.
 */
import { api } from "./api.js";
import { storageKey } from "./bridge.js";
import { $ } from "./dom.js";
import { S } from "./i18n.js";
import { reportError, toast } from "./notices.js";
import { POLL } from "./polling.js";
import { renderOrders } from "./orders_table.js";
import { needsReauth, state } from "./state.js";

// Remembers, across the trip to the store's consent screen, that re-authorization was awaited,
// so the page can confirm it once the merchant comes back.
const AWAITED_KEY = storageKey("reauth");

function awaited(value) {
  try {
    if (value === undefined) return window.sessionStorage.getItem(AWAITED_KEY) === "1";
    if (value) window.sessionStorage.setItem(AWAITED_KEY, "1");
    else window.sessionStorage.removeItem(AWAITED_KEY);
  } catch (_) { /* storage refused inside a third-party frame: no confirmation after a reload */ }
  return false;
}

/** The header's sync button is off (and points to the banner) while re-authorization is awaited. */
function renderSyncButton() {
  const button = $("mass-sync-button");
  const blocked = needsReauth();
  button.classList.toggle("is-blocked", blocked);
  if (blocked) {
    button.setAttribute("aria-disabled", "true");
    button.setAttribute("aria-describedby", "mass-sync-help reauth-title");
    button.title = S.reauthFirst;
  } else {
    button.setAttribute("aria-describedby", "mass-sync-help");
    button.removeAttribute("title");
    if (!state.blocked && !state.batchRunning) button.removeAttribute("aria-disabled");
  }
}

// The orders list asks for the store (loadStore) when its rows show expired access, and hears
// back here; a listener keeps the two modules from importing each other.
let storeRendered = () => {};

/** listener(reauthorized): called after each store load; reauthorized once the banner went away. */
export function onStoreRendered(listener) {
  storeRendered = listener;
}

/** The store as last loaded (null if it never was, or the page is blocked); polls again, faster
 * while re-authorization is awaited. */
export async function loadStore() {
  clearTimeout(state.storeTimer);
  if (state.blocked) return null;
  try {
    state.store = await api("GET", "/store");
    renderStore();
  } catch (error) {
    reportError(error);
  }
  if (!state.blocked) {
    const reauth = state.store && state.store.status === "reauth_required";
    state.storeTimer = setTimeout(loadStore, reauth ? POLL.storeReauth : POLL.store);
  }
  return state.store;
}

function renderStore() {
  const banner = $("reauth-banner");
  const needed = state.store.status === "reauth_required";
  const wasShown = !banner.hidden;
  $("reauth-link").href = state.store.reauthorize_url;
  banner.hidden = !needed;
  const reauthorized = !needed && (wasShown || awaited());
  awaited(needed);
  if (reauthorized) {
    toast(S.reauthorized);
    $("reauth-done").hidden = false;
  }
  renderSyncButton();
  if (state.loaded) renderOrders();  // before the first load the skeleton rows stay
  storeRendered(reauthorized);
}
