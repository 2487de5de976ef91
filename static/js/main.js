/* ShipSync orders page: ES modules, no build step, loaded by templates/orders.html. It reads
 * the merchant JSON API (DESIGN §4) and never reloads the page. Texts come translated from
 * the server in the #shipsync-config blob; every value from the API is written as text.
 * This module only wires the others together and starts the polls.
 */
import { config } from "./config.js";
import { wireDialogs } from "./dialogs.js";
import { resumeBatch, wireMassSync } from "./mass_sync.js";
import { openLinkedOrder, wirePagination, wireRows, wireSearch, wireTabs } from "./orders_controls.js";
import { loadOrders, scheduleRowRefresh } from "./orders_loader.js";
import { loadStore, onStoreRendered } from "./reauth_banner.js";
import { wireSettings } from "./settings_dialog.js";

function start() {
  wireTabs();
  wireSearch();
  wirePagination();
  wireRows();
  wireSettings();
  wireDialogs();
  wireMassSync();
  onStoreRendered((reauthorized) => {
    if (reauthorized) loadOrders();
    else scheduleRowRefresh();  // rows held for access may now be on their way
  });
  loadStore();
  if (!openLinkedOrder()) loadOrders();
  resumeBatch();
}

// A signed-out page only offers the ways in: it has no orders to show.
if (config.mode !== "signed_out") start();
