/* Tiendanube / Nuvemshop's bridge for the embedded orders page (connectors.platform.Embedding):
 * a small client of Nexo, the admin's messaging protocol (@tiendanube/nexo), written for
 * ShipSync instead of bundling the package (the page has no build step).
 *
 * The protocol as Nexo's helpers speak it: the app posts {type, payload} to window.parent; the
 * admin answers by posting a message of the same type into the app's frame.
 *   "app/connected"          the app asks; the admin's answer means it is listening (connect)
 *   "app/ready"              the app is ready to be shown (iAmReady; no answer)
 *   "app/auth/sessionToken"  the app asks; the answer's payload is {token}: a JWT signed with
 *                            the app's client secret, naming the store (storeId)
 * A page not framed, or framed by something that never answers, is not inside the admin: the
 * page then falls back to the standalone sign-in.
 */
const CONNECTED = "app/connected";
const READY = "app/ready";
const SESSION_TOKEN = "app/auth/sessionToken";
const CONNECT_WAIT_MS = 3000;  // Nexo's own connect() gives the admin 3 s
const TOKEN_WAIT_MS = 10000;
const TOKEN_MARGIN_S = 30;     // ask for a new token this long before the one held expires

let origins = [];
let connected = null;
let held = null;  // {token, exp}

function post(type, payload) {
  // "*": what we post is a request with no secret in it; answers are checked on arrival.
  window.parent.postMessage(payload === undefined ? { type } : { type, payload }, "*");
}

/** The payload of the admin's next message of this type (rejects after waitMs). Only our own
 * parent, on one of the admin's origins, is heard. */
function answer(type, waitMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { window.removeEventListener("message", heard); reject(new Error(type)); }, waitMs);
    function heard(event) {
      const data = event.data;
      if (event.source !== window.parent || !origins.includes(event.origin)) return;
      if (!data || typeof data !== "object" || data.type !== type) return;
      clearTimeout(timer);
      window.removeEventListener("message", heard);
      resolve(data.payload || {});
    }
    window.addEventListener("message", heard);
  });
}

function ask(type, waitMs) {
  const answered = answer(type, waitMs);
  post(type);
  return answered;
}

/** The token's expiry (seconds) from its claims; 0 when unreadable (then it is not kept). */
function expiry(token) {
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof claims.exp === "number" ? claims.exp : 0;
  } catch (_) {
    return 0;
  }
}

/** Connect to the admin and tell it the app is ready: true inside the admin, false otherwise. */
export function start(config) {
  if (!connected) {
    origins = (config.embedding && config.embedding.origins) || [];
    connected = window.parent === window ? Promise.resolve(false)
      : ask(CONNECTED, CONNECT_WAIT_MS).then(() => { post(READY); return true; }, () => false);
  }
  return connected;
}

/** A session token from the admin (kept while it has time left), or null. */
export async function sessionToken() {
  if (!(await connected)) return null;
  if (held && held.exp - TOKEN_MARGIN_S > Date.now() / 1000) return held.token;
  try {
    const { token } = await ask(SESSION_TOKEN, TOKEN_WAIT_MS);
    if (typeof token !== "string" || !token) return null;
    held = { token, exp: expiry(token) };
    return token;
  } catch (_) {
    return null;
  }
}
