/** How long the page waits before asking the server again, in milliseconds.
 * The batch poll is short so the progress bar moves visibly. */
export const POLL = { order: 600, batch: 400, rows: 1500, rowsMax: 10000, store: 20000, storeReauth: 2500 };

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
