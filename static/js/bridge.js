/* The embedding platform's bridge: an ES module the platform ships in its own package, named by
 * its descriptor (connectors.platform.Embedding) and served at /embedded/<platform>/bridge.js.
 * It answers whether the page runs inside the admin, hands out session tokens and may show
 * toasts in the admin. Loaded once, before the page starts; a bridge that cannot load or says
 * "not inside the admin" leaves the page standalone (session cookie, or the sign-in).
 */
import { config } from "./config.js";

const NONE = { start: async () => false, sessionToken: async () => null };

/** The loaded bridge (NONE on a standalone page), and whether it found the admin. */
export const bridge = { module: NONE, inside: false };

export async function connectBridge() {
  if (config.mode !== "embedded" || !config.embedding) return false;
  try {
    bridge.module = await import(config.embedding.bridge);
    bridge.inside = !!(await bridge.module.start(config));
  } catch (_) {
    bridge.inside = false;
  }
  return bridge.inside;
}

/** A fresh session token from the admin, or null outside it. */
export async function sessionToken() {
  return bridge.inside ? bridge.module.sessionToken() : null;
}

/** True when the admin showed the toast itself. */
export function adminToast(text, isError) {
  return bridge.inside && typeof bridge.module.toast === "function" && bridge.module.toast(text, isError) === true;
}

/** The page's key in sessionStorage (one per store it shows). */
export const storageKey = (what) => `shipsync.${what}.` + (config.store || config.mode);
