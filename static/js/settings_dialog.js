/* The settings dialog: notify the customer, synchronize automatically, and the carrier names
 * mapping (one editable row per carrier), checked here before it is saved.
 */
import { api } from "./api.js";
import { setBusy, unavailable } from "./buttons.js";
import { $, h, icon } from "./dom.js";
import { S, fmt } from "./i18n.js";
import { reportError, toast } from "./notices.js";
import { loadOrders } from "./orders_loader.js";
import { loadStore } from "./reauth_banner.js";
import { state } from "./state.js";

function mappingRow(from, to) {
  const remove = h("button", { type: "button", class: "button icon-button button-plain", dataset: { action: "remove" } }, icon("close"));
  const source = h("input", { type: "text", value: from, maxlength: 100, "aria-label": S.mappingPlatform, dataset: { field: "from" } });
  const target = h("input", { type: "text", value: to, maxlength: 100, "aria-label": S.mappingStore, dataset: { field: "to" },
    list: "carrier-names", autocomplete: "off" });
  const label = () => remove.setAttribute("aria-label", source.value.trim()
    ? fmt(S.mappingRemove, { carrier: source.value.trim() }) : S.mappingRemoveEmpty);
  source.addEventListener("input", label);
  label();
  return h("tr", {}, h("td", {}, source), h("td", {}, target), h("td", {}, remove));
}

/** The store's own carrier names (Shopify's list, or the WooCommerce tracking plugin's providers),
 * offered while typing a store carrier name or a carrier filter. */
export function fillCarrierNames(store) {
  const names = (store && store.carrier_suggestions) || [];
  $("carrier-names").replaceChildren(...names.map((name) => h("option", { value: name })));
}

function fillSettings(settings) {
  $("setting-notify").checked = !!settings.notify_customer;
  $("setting-auto").checked = !!settings.auto_sync;
  const rows = Object.entries(settings.carrier_mapping || {}).sort(([a], [b]) => a.localeCompare(b))
    .map(([from, to]) => mappingRow(from, to));
  $("mapping-rows").replaceChildren(...rows);
  $("settings-error").hidden = true;
}

/** Which WooCommerce key ShipSync uses, as the store lists it, so older ones can be revoked. */
function showKey(key) {
  const line = $("store-key");
  line.hidden = !key;
  line.textContent = key ? fmt(S.apiKey, { key: key.ends_with }) : "";
}

async function openSettings() {
  const button = $("settings-button");
  if (unavailable(button)) return;
  const store = state.store || await loadStore();
  if (!store) return;
  fillCarrierNames(store);
  fillSettings(store.settings);
  showKey(store.api_key);
  $("settings-dialog").showModal();
}

/** The mapping as {platform carrier: store carrier}; throws an Error with the text to show,
 * having marked the offending input aria-invalid. */
function readMapping() {
  const mapping = {};
  const seen = new Map();
  for (const row of $("mapping-rows").querySelectorAll("tr")) {
    const [source, target] = row.querySelectorAll("input");
    const from = source.value.trim();
    const to = target.value.trim();
    source.removeAttribute("aria-invalid");
    target.removeAttribute("aria-invalid");
    if (!from && !to) continue;
    if (!from || !to) {
      (from ? target : source).setAttribute("aria-invalid", "true");
      throw new Error(S.mappingIncomplete);
    }
    if (seen.has(from.toLowerCase())) {
      source.setAttribute("aria-invalid", "true");
      throw new Error(fmt(S.mappingDuplicate, { carrier: from }));
    }
    seen.set(from.toLowerCase(), true);
    mapping[from] = to;
  }
  return mapping;
}

async function saveSettings(event) {
  event.preventDefault();
  const error = $("settings-error");
  const save = $("settings-save");
  if (unavailable(save)) return;
  let mapping;
  try {
    mapping = readMapping();
  } catch (invalid) {
    error.textContent = invalid.message;
    error.hidden = false;
    return;
  }
  error.hidden = true;
  setBusy(save, true, S.saving);
  try {
    const result = await api("PATCH", "/store/settings", {
      notify_customer: $("setting-notify").checked,
      auto_sync: $("setting-auto").checked,
      carrier_mapping: mapping,
    });
    if (state.store) state.store.settings = result.settings;
    $("settings-dialog").close();
    toast(S.settingsSaved);
    loadOrders();  // turning automatic sync on starts the waiting packages
  } catch (failure) {
    if (failure.status === 400) {
      error.textContent = S.errorGeneric + (failure.message ? ` (${failure.message})` : "");
      error.hidden = false;
    } else {
      $("settings-dialog").close();
      reportError(failure);
    }
  } finally {
    setBusy(save, false);
  }
}

export function wireSettings() {
  $("settings-button").addEventListener("click", openSettings);
  $("settings-dialog").returnFocusTo = $("settings-button");
  $("settings-form").addEventListener("submit", saveSettings);
  $("mapping-add").addEventListener("click", () => {
    const row = mappingRow("", "");
    $("mapping-rows").append(row);
    row.querySelector("input").focus();
  });
  $("mapping-rows").addEventListener("click", (event) => {
    const remove = event.target.closest('[data-action="remove"]');
    if (!remove) return;
    const row = remove.closest("tr");
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    (next ? next.querySelector("input") : $("mapping-add")).focus();
  });
}
