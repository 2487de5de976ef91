/* The list's tab, search and filters live in the address too, so a reload keeps them and a
 * link can be shared. Shopify's own parameters (shop, host, id_token…) are left as they are.
 */
import { FILTER_KEYS, state } from "./state.js";

const TABS = ["pending", "prepared", "all"];

export function readUrl() {
  const params = new URLSearchParams(window.location.search);
  if (TABS.includes(params.get("tab"))) state.tab = params.get("tab");
  state.q = params.get("q") || "";
  const perPage = Number(params.get("per_page"));
  if (Number.isInteger(perPage) && perPage >= 1 && perPage <= 100) state.perPage = perPage;
  for (const key of FILTER_KEYS) {
    if (params.has(key)) state.filters[key] = params.get(key);
  }
}

export function writeUrl() {
  const url = new URL(window.location.href);
  url.searchParams.set("tab", state.tab);
  if (state.q) url.searchParams.set("q", state.q);
  else url.searchParams.delete("q");
  for (const key of FILTER_KEYS) {
    const value = state.filters[key];
    if (value && !(key === "sort" && value === "-date")) url.searchParams.set(key, value);
    else url.searchParams.delete(key);
  }
  window.history.replaceState(null, "", url);
}

/** The API's query for the list on screen (also the CSV export's). */
export function listParams() {
  const params = new URLSearchParams({ tab: state.tab });
  if (state.q) params.set("q", state.q);
  for (const key of FILTER_KEYS) {
    if (state.filters[key]) params.set(key, state.filters[key]);
  }
  return params;
}
