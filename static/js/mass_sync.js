/* "Synchronize my shipments": start a batch, follow its progress in the #mass-sync panel
 * (bar, legend, then a summary of what still failed), and pick it up again after a reload.
 */
import { api } from "./api.js";
import { setBusy, unavailable } from "./buttons.js";
import { storageKey } from "./bridge.js";
import { $, h, icon } from "./dom.js";
import { S, fmt, numbers, plural } from "./i18n.js";
import { reportError } from "./notices.js";
import { loadOrders } from "./orders_loader.js";
import { POLL, sleep } from "./polling.js";
import { adminLink } from "./shipping_info.js";
import { needsReauth, state } from "./state.js";

const BATCH_KEY = storageKey("batch");
let batchId = null;

// sessionStorage can be refused inside a third-party iframe: progress then simply does not
// survive a reload.
function rememberBatch(id) {
  try { window.sessionStorage.setItem(BATCH_KEY, id); } catch (_) { /* see above */ }
}

function rememberedBatch() {
  try { return window.sessionStorage.getItem(BATCH_KEY); } catch (_) { return null; }
}

function forgetBatch() {
  try { window.sessionStorage.removeItem(BATCH_KEY); } catch (_) { /* see above */ }
}

/** A batch for these orders' packages (orderIds), or for every one that needs it; throws ApiError. */
export async function startBatch(orderIds) {
  const { batch_id: id } = await api("POST", "/sync", orderIds ? { order_ids: orderIds } : undefined);
  trackBatch(id);
}

async function startMassSync() {
  const button = $("mass-sync-button");
  if (unavailable(button) || state.batchRunning || needsReauth()) return;
  setBusy(button, true);
  try {
    await startBatch();
  } catch (error) {
    setBusy(button, false);
    reportError(error);
  }
}

async function trackBatch(id) {
  const panel = $("mass-sync");
  batchId = id;
  state.batchRunning = true;
  rememberBatch(id);
  setBusy($("mass-sync-button"), true);
  panel.hidden = false;
  panel.dataset.done = "false";
  $("mass-sync-title").textContent = S.massRunning;
  $("mass-summary").replaceChildren();
  $("mass-sync-dismiss").hidden = true;
  loadOrders();  // the batch's packages were restarted: show them on their way at once
  let lastRows = Date.now();
  while (batchId === id) {
    let progress;
    try {
      progress = await api("GET", `/sync/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error.status === 404) {  // an old batch id from another session
        closeBatch();
        return;
      }
      reportError(error);
      if (state.blocked) return;
      await sleep(2000);
      continue;
    }
    renderProgress(progress);
    if (progress.done) {
      finishBatch(progress);
      return;
    }
    if (Date.now() - lastRows >= POLL.rows) {  // rows refresh as packages sync
      lastRows = Date.now();
      loadOrders();
    }
    await sleep(POLL.batch);
  }
}

function renderProgress(p) {
  const bar = $("mass-progress");
  const processed = p.synced + p.failed;
  const share = (n) => (p.total ? (100 * n) / p.total : 0) + "%";
  bar.hidden = p.total === 0;
  $("mass-legend").hidden = p.total === 0;
  bar.setAttribute("aria-valuemax", String(p.total));
  bar.setAttribute("aria-valuenow", String(processed));
  bar.setAttribute("aria-valuetext", fmt(S.massValueText, {
    synced: numbers.format(p.synced), failed: numbers.format(p.failed),
    pending: numbers.format(p.pending), total: numbers.format(p.total),
  }));
  bar.querySelector(".progress-synced").style.width = share(p.synced);
  bar.querySelector(".progress-failed").style.width = share(p.failed);
  Object.assign($("mass-sync").dataset, { total: p.total, synced: p.synced, failed: p.failed, pending: p.pending });
  $("mass-synced").textContent = plural(S.massSynced, p.synced);
  $("mass-failed").textContent = plural(S.massFailed, p.failed);
  $("mass-pending").textContent = plural(S.massPending, p.pending);
  $("mass-processed").textContent = fmt(S.massProcessed, { done: numbers.format(processed), total: numbers.format(p.total) });
}

function finishBatch(p) {
  state.batchRunning = false;
  setBusy($("mass-sync-button"), false);
  $("mass-sync").dataset.done = "true";
  $("mass-sync-title").textContent = S.massDone;
  $("mass-sync-dismiss").hidden = false;
  const summary = [];
  if (!p.total) {
    summary.push(h("p", { text: S.massNothing }));
  } else if (!p.failed) {
    summary.push(h("p", { class: "legend legend-synced" }, icon("check"), h("span", { text: plural(S.massAllSynced, p.total) })));
  } else {
    summary.push(h("p", { class: "legend legend-failed" }, icon("alert"), h("span", { text: plural(S.massSomeFailed, p.failed) })));
    summary.push(h("ul", { class: "failure-groups" }, (p.by_cause || []).map(causeGroup)));
  }
  $("mass-summary").replaceChildren(...summary);
  loadOrders();
}

/** One cause: how many, what it means and what to do, once; then the orders it hit, each with its
 * link into the store's admin. */
function causeGroup(group) {
  const orders = group.orders.map((o) => h("li", { dataset: { orderId: o.order_id } },
    h("span", { text: o.order_name || fmt(S.package, { id: o.package_id }) }),
    adminLink({ name: o.order_name, admin_url: o.admin_url }, true)));
  const more = group.count - group.orders.length;
  return h("li", { class: "failure-group", dataset: { cause: group.cause || "" } },
    h("p", {}, h("strong", { text: `${S.causes[group.cause] || group.cause} · ${plural(S.massCauseCount, group.count)}` })),
    h("p", { text: group.message }),
    h("p", {}, h("strong", { text: S.whatToDo }), " ", group.fix),
    h("ul", { class: "failure-orders" }, orders),
    more > 0 ? h("p", { class: "subdued", text: plural(S.massMore, more) }) : null);
}

function closeBatch() {
  batchId = null;
  state.batchRunning = false;
  forgetBatch();
  $("mass-sync").hidden = true;
  setBusy($("mass-sync-button"), false);
}

export function wireMassSync() {
  $("mass-sync-button").addEventListener("click", startMassSync);
  $("mass-sync-dismiss").addEventListener("click", () => {
    closeBatch();
    $("mass-sync-button").focus();
  });
}

/** A batch started before a reload goes on showing its progress. */
export function resumeBatch() {
  const unfinished = rememberedBatch();
  if (unfinished) trackBatch(unfinished);
}
