/* The filters over the list (status, cause, carrier, dates, sort), the CSV export of what they
 * show, and the summary strip's shortcuts into them. Every change goes into the address too.
 */
import { api } from "./api.js";
import { setBusy, unavailable } from "./buttons.js";
import { $, h } from "./dom.js";
import { S } from "./i18n.js";
import { reportError } from "./notices.js";
import { loadOrders, resetPaging } from "./orders_loader.js";
import { FILTER_KEYS, state } from "./state.js";
import { listParams, writeUrl } from "./url_state.js";

const input = (key) => $("filter-" + key);
const DEFAULTS = { status: "", cause: "", carrier: "", from: "", to: "", sort: "-date" };

function showFilters() {
  for (const key of FILTER_KEYS) input(key).value = state.filters[key] || DEFAULTS[key];
}

function apply() {
  resetPaging();
  writeUrl();
  loadOrders();
}

export function clearFilters() {
  Object.assign(state.filters, DEFAULTS);
  showFilters();
  apply();
}

/** A view of the list in one step (the summary strip's figures): tab and filters together. */
export function showView(tab, filters) {
  Object.assign(state.filters, DEFAULTS, filters);
  showFilters();
  const tabButton = document.querySelector(`[role="tab"][data-tab="${tab}"]`);
  if (tabButton) tabButton.click();
  else apply();
}

const today = () => new Date().toISOString().slice(0, 10);

export function pickSummary(key) {
  if (key === "synced_today") showView("all", { status: "synced", from: today() });
  else if (key === "waiting_reauth") showView("pending", { cause: "token_expired" });
  else showView("pending", {});
}

/** The CSV of the current filter: fetched with the page's credentials, then saved. */
async function exportCsv() {
  const button = $("export-button");
  if (unavailable(button)) return;
  setBusy(button, true, S.exporting);
  try {
    const response = await api("GET", "/orders/export?" + listParams(), undefined, true);
    const blob = await response.blob();
    const name = (/filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "") || [])[1] || "orders.csv";
    const link = h("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } catch (error) {
    reportError(error);
  } finally {
    setBusy(button, false);
  }
}

export function wireFilters() {
  const causes = input("cause");
  for (const [value, label] of Object.entries(S.causes)) causes.append(h("option", { value, text: label }));
  showFilters();
  let timer = null;
  for (const key of FILTER_KEYS) {
    input(key).addEventListener("change", () => {
      clearTimeout(timer);
      const value = input(key).value.trim();
      if (value === state.filters[key]) return;
      state.filters[key] = value;
      apply();
    });
  }
  input("carrier").addEventListener("input", () => {  // typing: once it pauses
    clearTimeout(timer);
    timer = setTimeout(() => input("carrier").dispatchEvent(new Event("change")), 400);
  });
  $("filters-form").addEventListener("submit", (event) => event.preventDefault());
  $("filters-clear").addEventListener("click", clearFilters);
  $("export-button").addEventListener("click", exportCsv);
}
