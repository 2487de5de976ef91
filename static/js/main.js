/* ShipSync orders page: ES modules, no build step, loaded by templates/orders.html. It reads
 * the merchant JSON API (DESIGN §4) and never reloads the page. Texts come translated from
 * the server in the #shipsync-config blob; every value from the API is written as text.
 * This module only wires the others together and starts the polls.
 */
import { connectBridge } from "./bridge.js";
import { config } from "./config.js";
import { wireDialogs } from "./dialogs.js";
import { $ } from "./dom.js";
import { pickSummary, wireFilters } from "./filters.js";
import { resumeBatch, wireMassSync } from "./mass_sync.js";
import { openLinkedOrder, wirePagination, wireRows, wireSearch, wireTabs } from "./orders_controls.js";
import { loadOrders, scheduleRowRefresh } from "./orders_loader.js";
import { loadStore, onStoreRendered } from "./reauth_banner.js";
import { wireSelection } from "./selection.js";
import { fillCarrierNames, wireSettings } from "./settings_dialog.js";
import { state } from "./state.js";
import { wireSummary } from "./summary_strip.js";
import { readUrl } from "./url_state.js";

function start() {
  readUrl();
  wireTabs();
  wireSearch();
  wireFilters();
  wirePagination();
  wireRows();
  wireSelection();
  wireSettings();
  wireDialogs();
  wireMassSync();
  wireSummary(pickSummary);
  for (const button of document.querySelectorAll("[data-dismiss]")) {
    button.addEventListener("click", () => { $(button.dataset.dismiss).hidden = true; });
  }
  onStoreRendered((reauthorized) => {
    fillCarrierNames(state.store);
    if (reauthorized) loadOrders();
    else scheduleRowRefresh();  // rows held for access may now be on their way
  });
  loadStore();
  if (!openLinkedOrder()) loadOrders();
  resumeBatch();
}

// A signed-out page only offers the ways in: it has no orders to show. An embedded page first
// hears from its admin (through the platform's bridge) whether it is inside it.
if (config.mode !== "signed_out") {
  await connectBridge();
  start();
}
