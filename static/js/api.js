/* The merchant JSON API (DESIGN §4). A page inside a store's admin sends the session token its
 * platform's bridge hands out; a standalone page relies on its session cookie and sends the
 * CSRF token on writes.
 */
import { bridge, sessionToken } from "./bridge.js";
import { config } from "./config.js";
import { S, fmt } from "./i18n.js";

/** status 0: the server was not reached, or there is no session token (code "no_token"). */
class ApiError extends Error {
  constructor(status, message, code) {
    super(message || "");
    this.status = status;
    this.code = code || null;
  }
}

/** The response's JSON (or, with raw, the response itself); throws ApiError when the call fails
 * or the answer is not 2xx. */
export async function api(method, path, body, raw) {
  const headers = { Accept: "application/json" };
  if (bridge.inside || (config.mode === "embedded" && !config.csrfToken)) {
    const token = await sessionToken();
    if (!token) throw new ApiError(0, fmt(S.errorNoToken, { admin: config.embedding.admin }), "no_token");
    headers.Authorization = "Bearer " + token;
  } else if (method !== "GET" && config.csrfToken) {
    headers["X-CSRF-Token"] = config.csrfToken;
  }
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const url = new URL(config.apiBase + path, window.location.href);
  url.searchParams.set("locale", config.locale);  // cause texts in the page's language
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: "same-origin", cache: "no-store" });
  } catch (_) {
    throw new ApiError(0, S.errorNetwork);
  }
  if (raw && response.ok) return response;
  let data = null;
  try { data = await response.json(); } catch (_) { /* not JSON */ }
  if (!response.ok) throw new ApiError(response.status, data && data.error);
  return data;
}
