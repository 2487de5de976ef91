/* Loading the orders list for the current tab, page and search, and refreshing it, slower and
 * slower, while shipments on screen are on their way.
 */
import { api } from "./api.js";
import { $ } from "./dom.js";
import { reportError } from "./notices.js";
import { renderCounts, renderOrders, renderPagination } from "./orders_table.js";
import { POLL } from "./polling.js";
import { loadStore } from "./reauth_banner.js";
import { state } from "./state.js";
import { inFlight, resuming } from "./statuses.js";

let loadSeq = 0;
let rowsDelay = POLL.rows;

export async function loadOrders() {
  if (state.blocked) return;
  const seq = ++loadSeq;
  clearTimeout(state.rowsTimer);
  $("orders-table").setAttribute("aria-busy", "true");
  const params = new URLSearchParams({ tab: state.tab, page: state.page, per_page: state.perPage });
  if (state.q) params.set("q", state.q);
  try {
    const data = await api("GET", "/orders?" + params);
    if (seq !== loadSeq) return;  // a newer load (tab, page, search) superseded this one
    const pages = Math.max(1, Math.ceil(data.total / state.perPage));
    if (!data.orders.length && state.page > pages) {  // orders left this tab: show the last page
      state.page = pages;
      return loadOrders();
    }
    state.total = data.total;
    state.orders = data.orders;
    renderCounts(data.counts);
    renderOrders();
    renderPagination();
    if (state.orders.some((o) => o.packages.some((p) => p.error && p.error.cause === "token_expired"))) {
      if ($("reauth-banner").hidden) loadStore();
    }
    scheduleRowRefresh();
  } catch (error) {
    if (seq === loadSeq) reportError(error);
  } finally {
    if (seq === loadSeq) $("orders-table").setAttribute("aria-busy", "false");
  }
}

/** While shipments on screen are on their way, refresh the rows, slower and slower. */
export function scheduleRowRefresh() {
  clearTimeout(state.rowsTimer);
  const moving = state.orders.some((o) => !state.syncing.has(o.id) && (inFlight(o) || resuming(o, state.store)));
  if (!moving || state.blocked || state.batchRunning) {  // a running batch refreshes the rows itself
    rowsDelay = POLL.rows;
    return;
  }
  state.rowsTimer = setTimeout(() => {
    rowsDelay = Math.min(rowsDelay * 1.5, POLL.rowsMax);
    loadOrders();
  }, rowsDelay);
}

export async function refreshCounts() {
  try {
    const data = await api("GET", "/orders?" + new URLSearchParams({ tab: state.tab, per_page: 1 }));
    renderCounts(data.counts);
  } catch (_) { /* the next list load shows them */ }
}

export function replaceOrder(order) {
  const index = state.orders.findIndex((o) => o.id === order.id);
  if (index === -1) return;
  state.orders[index] = order;
  renderOrders();
}
