/* What the page knows right now, read by several modules: the list on screen (its tab, page,
 * search and orders), the store, whether a mass sync runs and whether the page is blocked.
 * It is shared because the polls depend on each other: a block stops both timers, a running
 * batch refreshes the rows itself, and rows held for the store's access move once it is active.
 */

export const state = {
  tab: "pending", page: 1, perPage: 25, q: "", total: 0, orders: [],
  expanded: new Set(), syncing: new Set(),
  rowsTimer: null, storeTimer: null, store: null,
  batchRunning: false, blocked: false,
};
