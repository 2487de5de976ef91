/* Loading the orders list for the current tab, filters and page, and refreshing it, slower and
 * slower, while shipments on screen are on their way. A failed load empties the list and says
 * so in place, with Retry: rows of another tab or filter are never left under the new one.
 */
import { api } from "./api.js";
import { $ } from "./dom.js";
import { blockingError, errorText } from "./notices.js";
import { renderCounts, renderOrders, renderPagination } from "./orders_table.js";
import { POLL } from "./polling.js";
import { loadStore } from "./reauth_banner.js";
import { state } from "./state.js";
import { inFlight, resuming } from "./statuses.js";
import { loadSummary } from "./summary_strip.js";
import { listParams } from "./url_state.js";

let loadSeq = 0;
let rowsDelay = POLL.rows;

/** Back to the first page (a new tab, search or filter): the cursors belong to the old list. */
export function resetPaging() {
  state.page = 1;
  state.cursors = [null];
  state.selected.clear();
  state.allMatching = false;
}

function showLoadError(error) {
  state.loaded = true;
  state.orders = [];
  state.total = 0;
  renderOrders();
  renderPagination();
  $("orders-error-text").textContent = errorText(error);
  $("orders-error").hidden = false;
}

export async function loadOrders() {
  if (state.blocked) return;
  const seq = ++loadSeq;
  clearTimeout(state.rowsTimer);
  $("orders-table").setAttribute("aria-busy", "true");
  const params = listParams();
  params.set("per_page", state.perPage);
  const cursor = state.cursors[state.page - 1];
  if (cursor) params.set("cursor", cursor);
  else params.set("page", state.page);
  try {
    const data = await api("GET", "/orders?" + params);
    if (seq !== loadSeq) return;  // a newer load (tab, page, filter) superseded this one
    $("orders-error").hidden = true;
    if (!data.orders.length && state.page > 1) {  // orders left this page: start again from the first
      state.page = 1;
      return loadOrders();
    }
    state.loaded = true;
    state.total = data.total;
    state.orders = data.orders;
    state.nextCursor = data.next_cursor;
    renderCounts(data.counts);
    renderOrders();
    renderPagination();
    if (state.orders.some((o) => o.packages.some((p) => p.error && p.error.cause === "token_expired"))) {
      if ($("reauth-banner").hidden) loadStore();
    }
    loadSummary();
    scheduleRowRefresh();
  } catch (error) {
    if (seq === loadSeq && !blockingError(error)) showLoadError(error);
  } finally {
    if (seq === loadSeq) {
      $("orders-table").setAttribute("aria-busy", "false");
      $("orders-loading").hidden = true;
    }
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
  loadSummary();
}

export function replaceOrder(order) {
  const index = state.orders.findIndex((o) => o.id === order.id);
  if (index === -1) return;
  state.orders[index] = order;
  if (order.timeline) state.details.set(order.id, order);
  renderOrders();
}
