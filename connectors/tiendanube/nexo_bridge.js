/* Tiendanube / Nuvemshop's bridge for the embedded orders page (connectors.platform.Embedding):
 * a small client of Nexo, the admin's messaging protocol (@tiendanube/nexo), written for
 * ShipSync instead of bundling the package (the page has no build step).
 *
 * The wire format, as @tiendanube/nexo 1.2.1's dist does it (connectors/tiendanube/README.md,
 * "Nexo and the admin's origins"): the app posts {type, payload} to window.parent with target
 * "*" (Nexo sends no client id and no secret); the admin answers by posting a message of the
 * same type into the app's frame, and the helper resolves with that message's payload.
 *   "app/connected"          sent with no payload; any answer of this type means connected
 *                            (Nexo's connect() waits 3 s)
 *   "app/ready"              iAmReady: no answer
 *   "app/auth/sessionToken"  getSessionToken: the answer's payload is {token}, a JWT signed
 *                            with the app's client secret, naming the store (storeId)
 * Nexo itself hears any message; this bridge hears only its parent, on one of the admin's
 * origins ("https://*.mitiendanube.com" style entries match one store subdomain). A page not
 * framed, or framed by something that never answers, is not inside the admin: the page then
 * falls back to the standalone sign-in.
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
  // "*" as Nexo does: what we post is a request with no secret in it; answers are checked on arrival.
  window.parent.postMessage({ type, payload }, "*");
}

/** Whether a message's origin is one of the admin's: exactly, or one subdomain label under a
 * "scheme://*.domain" entry (no port: as frame-ancestors reads it). */
function fromAdmin(origin) {
  return origins.some((allowed) => {
    if (allowed === origin) return true;
    const wildcard = allowed.indexOf("://*.");
    if (wildcard < 0) return false;
    const scheme = allowed.slice(0, wildcard + 3), domain = allowed.slice(wildcard + 4);
    if (!origin.startsWith(scheme)) return false;
    const host = origin.slice(scheme.length);
    return host.endsWith(domain) && /^[a-z0-9-]+$/i.test(host.slice(0, -domain.length));
  });
}

/** The payload of the admin's next message of this type (rejects after waitMs). Only our own
 * parent, on one of the admin's origins, is heard. */
function answer(type, waitMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { window.removeEventListener("message", heard); reject(new Error(type)); }, waitMs);
    function heard(event) {
      const data = event.data;
      if (event.source !== window.parent || !fromAdmin(event.origin)) return;
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
