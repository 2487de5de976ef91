/* The orders table and what surrounds it: one row per order (plus its hidden details row),
 * the empty state, the tab counts and the pagination line. On narrow screens the CSS stacks each
 * row's cells; their data-label says what each one is.
 */
import { setBusy } from "./buttons.js";
import { $, h, icon } from "./dom.js";
import { S, fmt, formatDate, numbers, plural } from "./i18n.js";
import { adminLink, shippingInformation, trackingLink } from "./shipping_info.js";
import { needsReauth, state } from "./state.js";
import { badge, orderSyncState } from "./statuses.js";

export const COLUMNS = 10;

function itemCount(order) {
  const lines = order.line_items || [];
  if (lines.length) return lines.reduce((sum, line) => sum + (Number(line.quantity) || 0), 0);
  return order.packages.reduce((sum, p) => sum + (p.items || []).reduce((s, i) => s + (Number(i.quantity) || 0), 0), 0);
}

/** A sync button is off while the store awaits re-authorization, and points to the banner. */
export function markBlockedByReauth(button) {
  if (!needsReauth()) return button;
  button.setAttribute("aria-disabled", "true");
  button.setAttribute("aria-describedby", "reauth-title");
  button.title = S.reauthFirst;
  button.classList.add("is-blocked");
  return button;
}

/** The row's Synchronize button: when the order needs it, busy while the merchant's own sync runs.
 * Orders on their way for another reason (a mass sync, a retry) say so in their badge instead. */
function syncButton(order) {
  const busy = state.syncing.has(order.id);
  const syncState = orderSyncState(order);
  if (!busy && (!order.requires_sync || order.cancelled || syncState === "in_progress")) return null;
  const button = h("button", {
    type: "button", class: "button", dataset: { action: "sync", orderId: order.id, focusKey: "sync-" + order.id },
    "aria-label": fmt(busy ? S.syncBusyLabel : S.syncLabel, { name: order.name }),
  }, icon("sync"), h("span", { class: "button-label", text: S.sync }));
  if (busy) setBusy(button, true);
  return markBlockedByReauth(button);
}

function selectBox(order) {
  return h("input", {
    type: "checkbox", class: "select-order", dataset: { action: "select", orderId: order.id },
    "aria-label": fmt(S.selectOrder, { name: order.name }),
    checked: state.allMatching || state.selected.has(order.id),
  });
}

const cell = (label, props, ...children) => h("td", Object.assign({ "data-label": label }, props || {}), ...children);

function buildOrderRow(order) {
  const expanded = state.expanded.has(order.id);
  const detailsId = "details-" + order.id;
  const toggle = h("button", {
    type: "button", class: "toggle", "aria-expanded": String(expanded), "aria-controls": detailsId,
    "aria-label": fmt(expanded ? S.hideDetails : S.showDetails, { name: order.name }),
    dataset: { action: "toggle", orderId: order.id, focusKey: "toggle-" + order.id },
  }, icon("chevron"));
  const packages = order.packages.filter((p) => p.status !== "voided" || p.tracking_number);
  const tracking = packages.length
    ? h("ul", { class: "tracking-list" }, packages.map((p) =>
      h("li", {}, p.carrier ? h("span", { class: "carrier", text: p.carrier }) : null, trackingLink(p))))
    : h("span", { class: "subdued", text: S.noPackages });
  const row = h("tr", { class: "order-row" + (expanded ? " is-expanded" : ""), dataset: { orderId: order.id } },
    h("td", { class: "col-select" }, selectBox(order)),
    h("td", { class: "col-toggle" }, toggle),
    cell(S.columns.order, { class: "col-order" }, h("div", { class: "badges" },
      h("span", { class: "order-name", text: order.name }),
      adminLink(order, true),
      order.cancelled ? h("span", { class: "badge badge-neutral", text: S.cancelled }) : null)),
    cell(S.columns.date, {}, order.placed_at ? h("time", { datetime: order.placed_at, text: formatDate(order.placed_at) }) : ""),
    cell(S.columns.customer, { class: "col-customer", text: order.customer || "—" }),
    cell(S.columns.items, { text: plural(S.items, itemCount(order)) }),
    cell(S.columns.tracking, {}, tracking),
    cell(S.columns.fulfillment, {}, badge("fulfillment", order.fulfillment_status)),
    cell(S.columns.sync, { class: "col-sync" }, badge("orderSync", orderSyncState(order))),
    h("td", { class: "actions" }, syncButton(order)));
  const details = h("tr", { class: "details-row", id: detailsId, dataset: { orderId: order.id }, hidden: !expanded },
    h("td", { colspan: COLUMNS }, expanded ? shippingInformation(state.details.get(order.id) || order) : null));
  return [row, details];
}

function filtered() {
  return state.q || Object.entries(state.filters).some(([key, value]) => value && !(key === "sort" && value === "-date"));
}

function emptyRow() {
  let content;
  if (state.q) {
    content = [h("h2", { text: fmt(S.emptySearch, { q: state.q }) }),
      state.tab !== "all" ? h("button", { type: "button", class: "button", dataset: { action: "search-all" }, text: S.searchAll }) : null];
  } else if (filtered()) {
    content = [h("h2", { text: S.emptyFiltered }),
      h("button", { type: "button", class: "button", dataset: { action: "clear-filters" }, text: S.clearFilters })];
  } else {
    content = [h("h2", { text: S.empty[state.tab] }), h("p", { text: S.emptyHelp[state.tab] })];
  }
  return h("tr", { class: "empty-row" }, h("td", { colspan: COLUMNS }, h("div", { class: "empty-state" }, content)));
}

/** Re-render, reusing the rows whose order did not change, and keep keyboard focus where it was. */
export function renderOrders() {
  const body = $("orders-body");
  const active = document.activeElement;
  const focusKey = active && body.contains(active) ? active.dataset.focusKey : null;
  if (!state.orders.length) {
    body.replaceChildren(emptyRow());
  } else {
    const existing = new Map();
    for (const row of body.querySelectorAll("tr.order-row")) existing.set(row.dataset.orderId, row);
    const rows = [];
    for (const order of state.orders) {
      const signature = JSON.stringify([order, state.expanded.has(order.id), state.syncing.has(order.id),
        state.details.get(order.id) || null, state.selected.has(order.id), state.allMatching, needsReauth()]);
      const old = existing.get(String(order.id));
      if (old && old.dataset.signature === signature) {
        rows.push(old, old.nextElementSibling);
      } else {
        const [row, details] = buildOrderRow(order);
        row.dataset.signature = signature;
        rows.push(row, details);
      }
    }
    body.replaceChildren(...rows);
  }
  if (focusKey && document.activeElement !== active) {
    const orderId = focusKey.split("-").pop();
    const target = body.querySelector(`[data-focus-key="${focusKey}"]`)
      || body.querySelector(`[data-focus-key="toggle-${orderId}"]`);
    if (target) target.focus();
  }
  document.dispatchEvent(new CustomEvent("shipsync:rows"));
}

export function renderCounts(counts) {
  for (const node of document.querySelectorAll("[data-count]")) {
    const value = counts[node.dataset.count];
    node.textContent = value === undefined ? "" : numbers.format(value);
  }
}

export function renderPagination() {
  const pages = Math.max(1, Math.ceil(state.total / state.perPage));
  $("page-prev").disabled = state.page <= 1;
  $("page-next").disabled = state.page >= pages || !state.nextCursor;
  if (!state.total) {
    $("page-info").textContent = "";
    return;
  }
  const from = (state.page - 1) * state.perPage + 1;
  const to = Math.min(state.total, from + state.orders.length - 1);
  $("page-info").textContent = fmt(S.range, { from: numbers.format(from), to: numbers.format(to), total: numbers.format(state.total) })
    + (pages > 1 ? " · " + fmt(S.pageOf, { page: numbers.format(state.page), pages: numbers.format(pages) }) : "");
}
