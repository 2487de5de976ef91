/* The store as ShipSync sees it, polled so that the re-authorization banner appears when the
 * store stops accepting ShipSync's access, and goes away (with a toast) once it accepts it again.
 */
import { api } from "./api.js";
import { $ } from "./dom.js";
import { S } from "./i18n.js";
import { reportError, toast } from "./notices.js";
import { POLL } from "./polling.js";
import { state } from "./state.js";

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
  const reauthorized = wasShown && !needed;
  if (reauthorized) toast(S.reauthorized);
  storeRendered(reauthorized);
}
