/* Choosing orders and synchronizing just those: a box per row, one for the page, then "all N
 * matching" (every order of the current tab and filters, gathered page by page).
 */
import { api } from "./api.js";
import { unavailable } from "./buttons.js";
import { $ } from "./dom.js";
import { S, fmt, numbers, plural } from "./i18n.js";
import { startBatch } from "./mass_sync.js";
import { reportError } from "./notices.js";
import { renderOrders } from "./orders_table.js";
import { needsReauth, state } from "./state.js";
import { listParams } from "./url_state.js";

// POST /api/sync takes at most this many order ids at once.
const MAX_IDS = 1000;

export function toggleSelected(orderId, checked) {
  state.allMatching = false;
  if (checked) state.selected.add(orderId);
  else state.selected.delete(orderId);
  renderSelection();
}

function clearSelection() {
  state.selected.clear();
  state.allMatching = false;
  renderOrders();
  renderSelection();
}

/** The bar over the table, the page's box (checked, mixed or empty) and the sync button's state. */
export function renderSelection() {
  const onPage = state.orders.map((o) => o.id);
  const chosenHere = onPage.filter((id) => state.selected.has(id)).length;
  const pageBox = $("select-page");
  pageBox.checked = state.allMatching || (onPage.length > 0 && chosenHere === onPage.length);
  pageBox.indeterminate = !state.allMatching && chosenHere > 0 && chosenHere < onPage.length;
  const count = state.allMatching ? state.total : state.selected.size;
  $("bulk-bar").hidden = count === 0;
  $("bulk-count").textContent = plural(S.selectedCount, count);
  const all = $("bulk-all");
  all.hidden = state.allMatching || chosenHere !== onPage.length || state.total <= onPage.length;
  all.textContent = fmt(S.selectAllMatching, { count: numbers.format(state.total) });
  const sync = $("bulk-sync");
  if (needsReauth() || state.batchRunning) sync.setAttribute("aria-disabled", "true");
  else sync.removeAttribute("aria-disabled");
  if (needsReauth()) sync.setAttribute("aria-describedby", "reauth-title");
  else sync.removeAttribute("aria-describedby");
}

/** Every order id the current tab and filters match (capped at what one request may carry). */
async function matchingIds() {
  const ids = [];
  let cursor = null;
  do {
    const params = listParams();
    params.set("per_page", 100);
    if (cursor) params.set("cursor", cursor);
    const page = await api("GET", "/orders?" + params);
    ids.push(...page.orders.map((o) => o.id));
    cursor = page.next_cursor;
  } while (cursor && ids.length < MAX_IDS);
  return ids.slice(0, MAX_IDS);
}

async function syncSelected() {
  const button = $("bulk-sync");
  if (unavailable(button)) return;
  try {
    const ids = state.allMatching ? await matchingIds() : Array.from(state.selected);
    if (!ids.length) return;
    await startBatch(ids);
    clearSelection();
  } catch (error) {
    reportError(error);
  }
}

export function wireSelection() {
  $("select-page").addEventListener("change", (event) => {
    state.allMatching = false;
    for (const order of state.orders) {
      if (event.target.checked) state.selected.add(order.id);
      else state.selected.delete(order.id);
    }
    renderOrders();
    renderSelection();
  });
  $("bulk-all").addEventListener("click", () => {
    state.allMatching = true;
    renderOrders();
    renderSelection();
  });
  $("bulk-clear").addEventListener("click", clearSelection);
  $("bulk-sync").addEventListener("click", syncSelected);
  document.addEventListener("shipsync:rows", renderSelection);
}
