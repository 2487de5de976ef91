/* Shopify's bridge for the embedded orders page (connectors.platform.Embedding): App Bridge,
 * loaded by the page before any other script, hands out a fresh session token and shows toasts
 * in the admin. When its CDN cannot be reached the page still works on the id_token Shopify put
 * on the URL (short-lived: enough for the page to load and show its state).
 */
const urlToken = new URLSearchParams(window.location.search).get("id_token");

const appBridge = () => window.shopify;

/** Shopify always opened this page (the server saw its ?shop=): App Bridge's title bar names it. */
export async function start() {
  const title = document.querySelector("h1");
  if (title && !document.querySelector("ui-title-bar")) {
    const bar = document.createElement("ui-title-bar");
    bar.setAttribute("title", title.textContent.trim());
    document.body.prepend(bar);
  }
  return true;
}

/** App Bridge's fresh token when the CDN script loaded; else the one Shopify put on the URL. */
export async function sessionToken() {
  const bridge = appBridge();
  if (bridge && typeof bridge.idToken === "function") {
    try {
      const token = await bridge.idToken();
      if (token) return token;
    } catch (_) { /* fall back to the URL's token */ }
  }
  return urlToken;
}

/** Shopify admin's own toast, when App Bridge loaded. */
export function toast(text, isError) {
  const bridge = appBridge();
  if (!bridge || !bridge.toast || typeof bridge.toast.show !== "function") return false;
  bridge.toast.show(text, { isError: !!isError, duration: isError ? 8000 : 5000 });
  return true;
}
