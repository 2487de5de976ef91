/* What the merchant does to the orders list: tabs (with arrow keys), search, pages, and the
 * rows' own buttons (details, Synchronize, attempt history, "Search all orders").
 */
import { api } from "./api.js";
import { unavailable } from "./buttons.js";
import { $ } from "./dom.js";
import { clearFilters } from "./filters.js";
import { openHistory } from "./history_dialog.js";
import { syncOrder } from "./order_sync.js";
import { loadOrders, resetPaging } from "./orders_loader.js";
import { renderOrders } from "./orders_table.js";
import { toggleSelected } from "./selection.js";
import { state } from "./state.js";
import { writeUrl } from "./url_state.js";

export function selectTab(tab, focus) {
  state.tab = tab;
  resetPaging();
  for (const node of document.querySelectorAll('[role="tab"]')) {
    const selected = node.dataset.tab === tab;
    node.setAttribute("aria-selected", String(selected));
    node.tabIndex = selected ? 0 : -1;
    if (selected) {
      $("orders-panel").setAttribute("aria-labelledby", node.id);
      if (focus) node.focus();
    }
  }
  writeUrl();
  loadOrders();
}

/** Opening a row loads the order's timeline (the list leaves it out to stay light). */
async function loadDetails(orderId) {
  try {
    const full = await api("GET", `/orders/${orderId}`);
    state.details.set(orderId, full);
    if (state.expanded.has(orderId)) renderOrders();
  } catch (_) { /* the packages still show; the timeline waits for the next opening */ }
}

export function expandOrder(orderId) {
  state.expanded.add(orderId);
  renderOrders();
  loadDetails(orderId);
}

function toggleOrder(orderId) {
  if (state.expanded.has(orderId)) {
    state.expanded.delete(orderId);
    renderOrders();
  } else {
    expandOrder(orderId);
  }
}

/** Opened from the store's own order page (/shopify/order): that order found, its details
 * open. Returns false when the page was opened normally. */
export function openLinkedOrder() {
  const params = new URLSearchParams(window.location.search);
  const orderId = Number(params.get("order"));
  if (!params.has("q")) return false;
  state.q = params.get("q");
  $("search-input").value = state.q;
  if (orderId) state.expanded.add(orderId);
  selectTab(params.get("tab") || "all");
  return true;
}

export function wireTabs() {
  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  for (const tab of tabs) {
    const selected = tab.dataset.tab === state.tab;  // the address may name another tab
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected) $("orders-panel").setAttribute("aria-labelledby", tab.id);
    tab.addEventListener("click", () => selectTab(tab.dataset.tab));
    tab.addEventListener("keydown", (event) => {
      const index = tabs.indexOf(tab);
      const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      selectTab(tabs[(next + tabs.length) % tabs.length].dataset.tab, true);
    });
  }
}

/** Search on submit, or once typing pauses. */
export function wireSearch() {
  const input = $("search-input");
  input.value = state.q;
  let timer = null;
  const apply = () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q === state.q) return;
    state.q = q;
    resetPaging();
    writeUrl();
    loadOrders();
  };
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(apply, 350);
  });
}

/** Pages follow the API's cursors (keyset: a deep page costs what the first does); the cursor
 * of each page seen is kept so Previous goes back without counting. */
export function wirePagination() {
  $("page-prev").addEventListener("click", () => { state.page -= 1; loadOrders(); });
  $("page-next").addEventListener("click", () => {
    state.cursors[state.page] = state.nextCursor;
    state.page += 1;
    loadOrders();
  });
  $("orders-retry").addEventListener("click", () => {
    $("orders-error").hidden = true;
    loadOrders();
  });
}

/** One listener on the table body: rows are re-rendered, so their buttons come and go. */
export function wireRows() {
  const body = $("orders-body");
  body.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target) {
      // A click on the row itself (not a link or button) opens it too, for mouse users.
      const row = event.target.closest("tr.order-row");
      if (row && !event.target.closest("a, button, input")) toggleOrder(Number(row.dataset.orderId));
      return;
    }
    const orderId = Number(target.dataset.orderId);
    if (target.dataset.action === "toggle") toggleOrder(orderId);
    else if (target.dataset.action === "sync" && !unavailable(target)) syncOrder(orderId);
    else if (target.dataset.action === "history") openHistory(orderId, target);
    else if (target.dataset.action === "search-all") selectTab("all");
    else if (target.dataset.action === "clear-filters") clearFilters();
    else if (target.dataset.action === "select") toggleSelected(orderId, target.checked);
  });
}
