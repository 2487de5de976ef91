/* What the page knows right now, read by several modules: the list on screen (its tab, filters,
 * page and cursor, orders), the selection, the store, whether a mass sync runs and whether the
 * page is blocked. It is shared because the polls depend on each other: a block stops both timers,
 * a running batch refreshes the rows itself, and rows held for the store's access move once it is
 * active.
 */

export const FILTER_KEYS = ["status", "cause", "carrier", "from", "to", "sort"];

export const state = {
  tab: "pending", page: 1, perPage: 25, q: "", total: 0, orders: [],
  filters: { status: "", cause: "", carrier: "", from: "", to: "", sort: "-date" },
  // cursors[i]: the cursor that opens page i + 1 (keyset pagination; page 1 needs none).
  cursors: [null], nextCursor: null,
  expanded: new Set(), syncing: new Set(), details: new Map(),
  selected: new Set(), allMatching: false,
  rowsTimer: null, storeTimer: null, store: null,
  batchRunning: false, blocked: false, loaded: false,
};

/** Re-authorization is awaited: nothing can reach the store, so the sync buttons are off. */
export const needsReauth = () => !!state.store && state.store.status === "reauth_required";
