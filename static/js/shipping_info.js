/* An order's shipping information (its expanded row): one card per package with its carrier,
 * tracking, items, and what went wrong in plain words. Tracking links are built here too.
 */
import { config } from "./config.js";
import { h, icon } from "./dom.js";
import { S, fmt, formatDate, formatTime, plural } from "./i18n.js";
import { badge, packageState } from "./statuses.js";

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

/** The order's page in the store's own admin (opens outside the app's frame). */
export function adminLink(order, compact) {
  const href = safeUrl(order.admin_url);
  if (!href) return null;
  const label = fmt(S.openInStore, { name: order.name });
  return h("a", {
    href, target: "_blank", rel: "noopener noreferrer", class: "admin-link" + (compact ? " icon-link" : " button"),
    "aria-label": label, title: label, dataset: { action: "admin" },
  }, icon("external"), compact ? null : h("span", { text: S.openInStoreShort }));
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
    h("div", { class: "header-actions" },
      adminLink(order, false),
      order.packages.length ? h("button", {
        type: "button", class: "button", dataset: { action: "history", orderId: order.id, focusKey: "history-" + order.id },
        "aria-label": fmt(S.historyLabel, { name: order.name }),
      }, icon("history"), h("span", { text: S.historyButton })) : null));
  if (!order.packages.length) {
    return h("div", { class: "shipping-info" }, header,
      h("div", { class: "empty-packages" }, h("p", { text: S.noPackagesYet }), h("p", { class: "subdued", text: S.noPackagesHelp })));
  }
  return h("div", { class: "shipping-info" }, header,
    h("div", { class: "packages" }, order.packages.map((p) => packageCard(p, titles))),
    order.timeline ? timelineSection(order) : h("p", { class: "subdued timeline-loading", text: S.loadingTimeline }));
}

/** What happened, oldest first: label, each call to the store with its cause, corrections, voids. */
function timelineSection(order) {
  return h("section", { class: "timeline", "aria-label": S.timelineHeading },
    h("h4", { text: S.timelineHeading }),
    h("ol", {}, order.timeline.map((event) => {
      const text = fmt(S.timeline[event.kind] || event.kind, {
        package: event.package_id, tracking: event.tracking_number || "", carrier: event.carrier || "",
        outcome: S.outcomes[event.outcome] || event.outcome,
      });
      const cause = event.cause ? S.causes[event.cause] || event.cause : null;
      return h("li", { class: "timeline-event timeline-" + event.kind, dataset: { kind: event.kind } },
        h("time", { datetime: event.at, text: formatDate(event.at) }),
        h("span", { class: "timeline-text" }, text, cause ? h("span", { class: "subdued", text: " · " + cause }) : null,
          event.message && event.kind !== "synced" ? h("span", { class: "subdued timeline-message", text: " — " + event.message }) : null));
    })));
}

function packageCard(pkg, titles) {
  const status = packageState(pkg);
  const facts = [
    [S.carrier, pkg.carrier || "—"],
    [S.tracking, trackingLink(pkg)],
    [S.itemsHeading, h("ul", {}, (pkg.items || []).map((item) =>
      h("li", { text: `${item.quantity} × ${titles.get(String(item.line_item_id)) || fmt(S.lineItem, { id: item.line_item_id })}` })))],
  ];
  const notes = [];
  if (status === "retrying" && pkg.next_attempt_at) notes.push(fmt(S.nextAttempt, { time: formatTime(pkg.next_attempt_at) }));
  if (status === "synced" && pkg.synced_at) notes.push(fmt(S.syncedAt, { time: formatDate(pkg.synced_at) }));
  if (pkg.fulfillment_id) notes.push(fmt(S.fulfillmentId, { id: pkg.fulfillment_id }));
  const error = pkg.error && status !== "synced" && status !== "voided" ? pkg.error : null;
  const headingId = `package-${pkg.id}`;
  return h("article", {
    class: "package-card" + (status === "requires_sync" ? " needs-attention" : ""),
    "aria-labelledby": headingId, dataset: { packageId: pkg.package_id, status: pkg.status },
  },
  h("header", {}, h("h4", { id: headingId, text: fmt(S.package, { id: pkg.package_id }) }), badge("packageStatus", status)),
  h("dl", {}, facts.map(([term, value]) => [h("dt", { text: term }), h("dd", {}, value)])),
  notes.length ? h("p", { class: "subdued", text: notes.join(" · ") }) : null,
  error ? problem(pkg, error) : null);
}

/** Attempts, said honestly: while retrying, which attempt of the run; once stopped, that no more
 * automatic attempts come. */
function attemptsText(pkg, error) {
  if (!pkg.attempts) return null;
  if (pkg.status === "retrying") return fmt(S.attemptsRetrying, { count: pkg.attempts, max: config.maxAttempts });
  if (pkg.status !== "requires_sync") return null;
  return plural(RETRIED.has(error.cause) ? S.attemptsStopped : S.attemptsNotRetried, pkg.attempts);
}

const RETRIED = new Set(["connection", "rate_limited", "store_server"]);

/** What went wrong, in plain words: the heading when the merchant must act, then cause, fix, attempts.
 * Waiting for a manual sync (automatic sync off) is no error, and a retry needs nothing from the
 * merchant: both say so instead. */
function problem(pkg, error) {
  if (error.cause === "manual_sync") {
    return h("div", { class: "package-note" }, icon("clock"), h("div", { class: "problem" },
      h("p", { text: error.message }), h("p", {}, h("strong", { text: S.whatToDo }), " ", error.fix)));
  }
  const attention = pkg.status === "requires_sync";
  const cause = [S.causes[error.cause] || error.cause,
    error.http_status ? fmt(S.httpStatus, { status: error.http_status }) : null].filter(Boolean).join(" · ");
  const facts = [fmt((attention ? S.lastError : S.lastAttempt) + ": {cause}", { cause }), attemptsText(pkg, error)].filter(Boolean);
  const fix = pkg.status === "retrying" ? S.retryingFix : error.fix;
  return h("div", { class: attention ? "callout" : "package-error" },
    attention ? icon("alert") : null,
    h("div", { class: "problem" },
      attention ? h("h5", { text: S.requiresSyncHeading }) : null,
      h("p", { text: error.message }),
      h("p", {}, h("strong", { text: S.whatToDo }), " ", fix),
      h("p", { class: "subdued", text: facts.join(" · ") }),
      error.detail ? h("p", { class: "store-answer" },
        h("span", { class: "subdued", text: (error.detail_from === "shipsync" ? S.detailLabel : S.storeAnswer) + ": " }),
        h("code", { text: error.detail })) : null));
}
