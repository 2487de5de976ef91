/* An order's shipping information (its expanded row): one card per package with its carrier,
 * tracking, items, and what went wrong in plain words. Tracking links are built here too.
 */
import { config } from "./config.js";
import { h, icon } from "./dom.js";
import { S, fmt, formatDate } from "./i18n.js";
import { badge } from "./statuses.js";

/** Only http(s) links are ever made clickable: tracking URLs come from outside. */
function safeUrl(value) {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch (_) {
    return null;
  }
}

export function trackingLink(pkg) {
  const href = safeUrl(pkg.tracking_url);
  const number = pkg.tracking_number || S.noTracking;
  if (!href) return h("span", { class: "tracking-number", text: number });
  return h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "tracking-number" },
    h("span", { text: number }), icon("external"));
}

function lineTitles(order) {
  const titles = new Map();
  for (const line of order.line_items || []) titles.set(String(line.id), line.title || line.sku || line.id);
  return titles;
}

export function shippingInformation(order) {
  const titles = lineTitles(order);
  const header = h("div", { class: "shipping-info-header" },
    h("h3", { text: S.shippingInformation }),
    h("button", {
      type: "button", class: "button", dataset: { action: "history", orderId: order.id, focusKey: "history-" + order.id },
      "aria-label": fmt(S.historyLabel, { name: order.name }),
    }, icon("history"), h("span", { text: S.historyButton })));
  return h("div", { class: "shipping-info" }, header,
    h("div", { class: "packages" }, order.packages.map((p) => packageCard(p, titles))));
}

function packageCard(pkg, titles) {
  const status = pkg.status;
  const facts = [
    [S.carrier, pkg.carrier || "—"],
    [S.tracking, trackingLink(pkg)],
    [S.itemsHeading, h("ul", {}, (pkg.items || []).map((item) =>
      h("li", { text: `${item.quantity} × ${titles.get(String(item.line_item_id)) || fmt(S.lineItem, { id: item.line_item_id })}` })))],
  ];
  const notes = [];
  if (status === "retrying" && pkg.next_attempt_at) notes.push(fmt(S.nextAttempt, { time: formatDate(pkg.next_attempt_at) }));
  if (status === "synced" && pkg.synced_at) notes.push(fmt(S.syncedAt, { time: formatDate(pkg.synced_at) }));
  if (pkg.fulfillment_id) notes.push(fmt(S.fulfillmentId, { id: pkg.fulfillment_id }));
  const error = pkg.error && status !== "synced" && status !== "voided" ? pkg.error : null;
  const headingId = `package-${pkg.id}`;
  return h("article", {
    class: "package-card" + (status === "requires_sync" ? " needs-attention" : ""),
    "aria-labelledby": headingId, dataset: { packageId: pkg.package_id, status },
  },
  h("header", {}, h("h4", { id: headingId, text: fmt(S.package, { id: pkg.package_id }) }), badge("packageStatus", status)),
  h("dl", {}, facts.map(([term, value]) => [h("dt", { text: term }), h("dd", {}, value)])),
  notes.length ? h("p", { class: "subdued", text: notes.join(" · ") }) : null,
  error ? problem(pkg, error) : null);
}

/** What went wrong, in plain words: the heading when the merchant must act, then cause, fix, attempts. */
function problem(pkg, error) {
  const attention = pkg.status === "requires_sync";
  const cause = [S.causes[error.cause] || error.cause,
    error.http_status ? fmt(S.httpStatus, { status: error.http_status }) : null].filter(Boolean).join(" · ");
  const facts = [fmt(S.lastError + ": {cause}", { cause })];
  if (pkg.attempts > 0) facts.push(fmt(S.attempts, { count: pkg.attempts, max: config.maxAttempts }));
  return h("div", { class: attention ? "callout" : "package-error" },
    attention ? icon("alert") : null,
    h("div", { class: "problem" },
      attention ? h("h5", { text: S.requiresSyncHeading }) : null,
      h("p", { text: error.message }),
      h("p", {}, h("strong", { text: S.whatToDo }), " ", error.fix),
      h("p", { class: "subdued", text: facts.join(" · ") }),
      error.detail ? h("p", { class: "store-answer" }, h("span", { class: "subdued", text: S.storeAnswer + ": " }),
        h("code", { text: error.detail })) : null));
}
