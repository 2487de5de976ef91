/* The summary strip over the list: shipments synchronized today, orders needing the merchant,
 * shipments waiting for re-authorization. Each one opens the list it counts.
 */
import { api } from "./api.js";
import { numbers } from "./i18n.js";

let listener = () => {};

/** onPick(key): the merchant chose a figure; the list shows what it counts. */
export function wireSummary(onPick) {
  listener = onPick;
  for (const link of document.querySelectorAll("[data-summary]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      listener(link.dataset.summary);
    });
  }
}

export async function loadSummary() {
  let summary;
  try {
    summary = await api("GET", "/summary");
  } catch (_) {
    return;  // the list's own error says the page cannot load; the figures keep their last value
  }
  for (const node of document.querySelectorAll("[data-summary-value]")) {
    const value = summary[node.dataset.summaryValue];
    node.textContent = value === undefined ? "—" : numbers.format(value);
    node.closest("[data-summary]").dataset.summaryCount = String(value);
  }
}
