/* The row's Synchronize button: start the order's sync, then follow the order until none of
 * its packages is on its way, and say how it ended.
 */
import { api } from "./api.js";
import { S, fmt } from "./i18n.js";
import { reportError, toast } from "./notices.js";
import { refreshCounts, replaceOrder, scheduleRowRefresh } from "./orders_loader.js";
import { expandOrder } from "./orders_controls.js";
import { renderOrders } from "./orders_table.js";
import { POLL, sleep } from "./polling.js";
import { needsReauth, state } from "./state.js";
import { inFlight } from "./statuses.js";

// Past this the row polling takes over from following the order.
const FOLLOW_AT_MOST = 5 * 60 * 1000;

export async function syncOrder(orderId) {
  const order = state.orders.find((o) => o.id === orderId);
  if (!order || state.syncing.has(orderId) || state.blocked || needsReauth()) return;
  state.syncing.add(orderId);
  renderOrders();
  let latest = order;
  try {
    await api("POST", `/orders/${orderId}/sync`);
    const started = Date.now();
    do {
      await sleep(POLL.order);
      latest = await api("GET", `/orders/${orderId}`);
      replaceOrder(latest);
    } while (inFlight(latest) && Date.now() - started < FOLLOW_AT_MOST);
    if (latest.requires_sync) {
      // Say why, and open the order's shipping information, where the fix is.
      const failed = latest.packages.find((p) => p.status === "requires_sync" && p.error);
      const cause = failed ? S.causes[failed.error.cause] || failed.error.cause : "";
      toast(fmt(cause ? S.syncFailedBecause : S.syncStillFailing, { name: latest.name, cause }), true);
      expandOrder(orderId);
    } else {
      toast(fmt(S.syncDone, { name: latest.name }));
    }
    refreshCounts();
  } catch (error) {
    reportError(error);
  } finally {
    state.syncing.delete(orderId);
    replaceOrder(latest);
    scheduleRowRefresh();
  }
}
