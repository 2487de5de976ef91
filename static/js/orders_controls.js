/* What the merchant does to the orders list: tabs (with arrow keys), search, pages, and the
 * rows' own buttons (details, Synchronize, attempt history, "Search all orders").
 */
import { unavailable } from "./buttons.js";
import { $ } from "./dom.js";
import { openHistory } from "./history_dialog.js";
import { syncOrder } from "./order_sync.js";
import { loadOrders } from "./orders_loader.js";
import { renderOrders } from "./orders_table.js";
import { state } from "./state.js";

function selectTab(tab, focus) {
  state.tab = tab;
  state.page = 1;
  for (const node of document.querySelectorAll('[role="tab"]')) {
    const selected = node.dataset.tab === tab;
    node.setAttribute("aria-selected", String(selected));
    node.tabIndex = selected ? 0 : -1;
    if (selected) {
      $("orders-panel").setAttribute("aria-labelledby", node.id);
      if (focus) node.focus();
    }
  }
  loadOrders();
}

function toggleOrder(orderId) {
  if (state.expanded.has(orderId)) state.expanded.delete(orderId);
  else state.expanded.add(orderId);
  renderOrders();
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
  let timer = null;
  const apply = () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q === state.q) return;
    state.q = q;
    state.page = 1;
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

export function wirePagination() {
  $("page-prev").addEventListener("click", () => { state.page -= 1; loadOrders(); });
  $("page-next").addEventListener("click", () => { state.page += 1; loadOrders(); });
}

/** One listener on the table body: rows are re-rendered, so their buttons come and go. */
export function wireRows() {
  const body = $("orders-body");
  body.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target) {
      // A click on the row itself (not a link or button) opens it too, for mouse users.
      const row = event.target.closest("tr.order-row");
      if (row && !event.target.closest("a, button")) toggleOrder(Number(row.dataset.orderId));
      return;
    }
    const orderId = Number(target.dataset.orderId);
    if (target.dataset.action === "toggle") toggleOrder(orderId);
    else if (target.dataset.action === "sync" && !unavailable(target)) syncOrder(orderId);
    else if (target.dataset.action === "history") openHistory(orderId, target);
    else if (target.dataset.action === "search-all") selectTab("all");
  });
}
