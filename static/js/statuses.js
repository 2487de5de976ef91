/* What an order's packages say about it, and the badge that shows a status: always an icon
 * (or a spinner while work runs) and a word, never colour alone.
 */
import { h, icon, spinner } from "./dom.js";
import { S } from "./i18n.js";

/** Package statuses the worker is still handling: rows showing them keep refreshing. */
const IN_FLIGHT = new Set(["pending", "syncing", "retrying"]);

/** A package's status as the merchant should read it: one held because automatic sync is off
 * waits for them; it has not failed. */
export function packageState(pkg) {
  if (pkg.status === "requires_sync" && pkg.error && pkg.error.cause === "manual_sync") return "waiting";
  return pkg.status;
}

export function orderSyncState(order) {
  const packages = order.packages.filter((p) => p.status !== "voided");
  if (!packages.length) return "none";
  if (packages.some((p) => IN_FLIGHT.has(p.status))) return "in_progress";
  if (packages.some((p) => packageState(p) === "requires_sync")) return "requires_sync";
  if (packages.some((p) => packageState(p) === "waiting")) return "waiting";
  return "synced";
}

export const inFlight = (order) => order.packages.some((p) => IN_FLIGHT.has(p.status));

/** Held for the store's access while the store is active again: the worker resumes them shortly. */
export const resuming = (order, store) => !!store && store.status === "active" && order.packages.some((p) =>
  p.status === "requires_sync" && p.error && (p.error.cause === "token_expired" || p.error.cause === "store_uninstalled"));

/** [tone, icon] per status; a null icon means a spinner. */
const BADGES = {
  fulfillment: {
    unfulfilled: ["attention", "clock"],
    partially_fulfilled: ["warning", "minus"],
    fulfilled: ["neutral", "check"],
  },
  orderSync: {
    requires_sync: ["critical", "alert"],
    in_progress: ["info", null],
    synced: ["success", "check"],
    waiting: ["neutral", "clock"],
    none: ["neutral", "minus"],
  },
  packageStatus: {
    pending: ["info", "clock"],
    syncing: ["info", null],
    retrying: ["warning", null],
    synced: ["success", "check"],
    requires_sync: ["critical", "alert"],
    waiting: ["neutral", "clock"],
    voided: ["neutral", "minus"],
  },
};

/** kind is a key of BADGES and of S (its texts); an unknown value shows as itself. */
export function badge(kind, value) {
  const [tone, iconName] = BADGES[kind][value] || ["neutral", "minus"];
  const text = S[kind][value] || value;
  return h("span", { class: `badge badge-${tone}`, dataset: { status: value } },
    iconName ? icon(iconName) : spinner(), h("span", { text }));
}
