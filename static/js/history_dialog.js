/* The attempt history dialog: every attempt of each of an order's packages, loaded when opened. */
import { api } from "./api.js";
import { $, h, spinner } from "./dom.js";
import { S, fmt, formatDate, numbers } from "./i18n.js";
import { reportError } from "./notices.js";
import { state } from "./state.js";
import { badge } from "./statuses.js";

/** trigger gets focus back when the dialog closes (see dialogs.js). */
export async function openHistory(orderId, trigger) {
  const dialog = $("history-dialog");
  const body = $("history-body");
  const order = state.orders.find((o) => o.id === orderId);
  $("history-title").textContent = fmt(S.historyTitle, { name: order ? order.name : "" });
  body.replaceChildren(h("p", { class: "subdued" }, spinner(), " ", S.loadingHistory));
  dialog.returnFocusTo = trigger;
  dialog.showModal();
  try {
    const full = await api("GET", `/orders/${orderId}`);
    body.replaceChildren(...full.packages.map(historySection));
  } catch (error) {
    dialog.close();
    reportError(error);
  }
}

function historySection(pkg) {
  const columns = S.historyColumns;
  const rows = (pkg.history || []).map((attempt) => h("tr", {},
    h("td", {}, h("time", { datetime: attempt.at, text: formatDate(attempt.at) })),
    h("td", { text: S.outcomes[attempt.outcome] || attempt.outcome }),
    h("td", { text: attempt.cause ? (S.causes[attempt.cause] || attempt.cause) : "—" }),
    h("td", { text: attempt.http_status || "—" }),
    h("td", { text: attempt.message || "—" }),
    h("td", { text: attempt.wait_seconds ? fmt(S.seconds, { count: numbers.format(attempt.wait_seconds) }) : "—" })));
  return h("section", { class: "history-package", "aria-label": fmt(S.package, { id: pkg.package_id }) },
    h("div", { class: "badges" }, h("h3", { text: fmt(S.package, { id: pkg.package_id }) }), badge("packageStatus", pkg.status)),
    rows.length
      ? h("table", { class: "history-table" },
        h("thead", {}, h("tr", {}, ["at", "outcome", "cause", "http", "message", "wait"].map((key) =>
          h("th", { scope: "col", text: columns[key] })))),
        h("tbody", {}, rows))
      : h("p", { class: "subdued", text: S.historyEmpty }));
}
