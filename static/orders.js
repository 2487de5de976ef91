/* ShipSync orders page: plain script, no build step. It reads the merchant JSON API
 * (DESIGN §4) and never reloads the page. Texts come translated from the server in the
 * #shipsync-config blob; every value from the API is written with textContent.
 */
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("shipsync-config").textContent);
  if (config.mode === "signed_out") return;

  const S = config.strings;
  const IN_FLIGHT = new Set(["pending", "syncing", "retrying"]);
  // Milliseconds. The batch poll is short so the progress bar moves visibly.
  const POLL = { order: 600, batch: 400, rows: 1500, rowsMax: 10000, store: 20000, storeReauth: 2500 };
  const BATCH_KEY = "shipsync.batch." + (config.shop || "standalone");
  const urlToken = new URLSearchParams(window.location.search).get("id_token");
  const pluralRules = new Intl.PluralRules(config.locale);
  const numbers = new Intl.NumberFormat(config.locale);
  const dates = new Intl.DateTimeFormat(config.locale, { dateStyle: "medium", timeStyle: "short" });

  const state = {
    tab: "pending", page: 1, perPage: 25, q: "", total: 0, orders: [],
    expanded: new Set(), syncing: new Set(), loadSeq: 0,
    rowsTimer: null, rowsDelay: POLL.rows, storeTimer: null, store: null,
    batchId: null, batchRunning: false, blocked: false,
  };

  const $ = (id) => document.getElementById(id);

  // ---- small helpers ------------------------------------------------------------------

  function fmt(template, vars) {
    return String(template).replace(/\{(\w+)\}/g, (match, key) =>
      vars && vars[key] !== undefined && vars[key] !== null ? String(vars[key]) : match);
  }

  function plural(entry, count, vars) {
    const text = entry[pluralRules.select(count)] || entry.other;
    return fmt(text, Object.assign({ count: numbers.format(count) }, vars || {}));
  }

  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function icon(name) {
    return $("icon-" + name).content.firstElementChild.cloneNode(true);
  }

  function spinner() {
    return h("span", { class: "spinner", "aria-hidden": "true" });
  }

  function formatDate(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : dates.format(date);
  }

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

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function storage(action, value) {
    try {  // sessionStorage can be refused inside a third-party iframe
      if (action === "get") return window.sessionStorage.getItem(BATCH_KEY);
      if (action === "set") window.sessionStorage.setItem(BATCH_KEY, value);
      if (action === "remove") window.sessionStorage.removeItem(BATCH_KEY);
    } catch (_) { /* progress then simply does not survive a reload */ }
    return null;
  }

  // ---- API ------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message, code) {
      super(message || "");
      this.status = status;
      this.code = code || null;
    }
  }

  /** App Bridge's fresh token when the CDN script loaded; else the one Shopify put on the URL. */
  async function sessionToken() {
    const bridge = window.shopify;
    if (bridge && typeof bridge.idToken === "function") {
      try {
        const token = await bridge.idToken();
        if (token) return token;
      } catch (_) { /* fall back to the URL's token */ }
    }
    return urlToken;
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (config.mode === "shopify") {
      const token = await sessionToken();
      if (!token) throw new ApiError(0, S.errorNoToken, "no_token");
      headers.Authorization = "Bearer " + token;
    } else if (method !== "GET" && config.csrfToken) {
      headers["X-CSRF-Token"] = config.csrfToken;
    }
    let payload;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const url = new URL(config.apiBase + path, window.location.href);
    url.searchParams.set("locale", config.locale);  // cause texts in the page's language
    let response;
    try {
      response = await fetch(url, { method, headers, body: payload, credentials: "same-origin", cache: "no-store" });
    } catch (_) {
      throw new ApiError(0, S.errorNetwork, "network");
    }
    let data = null;
    try { data = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) throw new ApiError(response.status, data && data.error);
    return data;
  }

  // ---- notices and toasts ------------------------------------------------------------------

  function toast(text, isError) {
    const node = h("div", { class: "toast" + (isError ? " toast-error" : "") , text });
    $("toasts").append(node);
    setTimeout(() => node.remove(), isError ? 8000 : 5000);
  }

  function showNotice(text, link) {
    $("notice-text").textContent = text;
    const anchor = $("notice-link");
    if (link) {
      anchor.href = link.href;
      anchor.textContent = link.text;
      if (config.mode === "shopify") anchor.target = "_top";
      anchor.hidden = false;
    } else {
      anchor.hidden = true;
    }
    $("notice").hidden = false;
  }

  /** Session and installation problems stop the page; anything else is a passing toast. */
  function reportError(error) {
    if (error.code === "no_token" || error.status === 401) {
      block(error.code === "no_token" ? S.errorNoToken : S.errorSession);
    } else if (error.status === 404 && /store not installed/.test(error.message)) {
      block(S.errorNotInstalled, config.installUrl ? { href: config.installUrl, text: S.installLink } : null);
    } else if (error.status === 0) {
      toast(S.errorNetwork, true);
    } else {
      toast(S.errorGeneric, true);
    }
  }

  function block(text, link) {
    state.blocked = true;
    clearTimeout(state.rowsTimer);
    clearTimeout(state.storeTimer);
    showNotice(text, link);
    for (const id of ["mass-sync-button", "settings-button"]) $(id).setAttribute("aria-disabled", "true");
    $("orders-body").replaceChildren(h("tr", { class: "empty-row" }, h("td", { colspan: 8, text: "—" })));
    $("orders-table").setAttribute("aria-busy", "false");
  }

  // ---- buttons ---------------------------------------------------------------------------

  /** Busy buttons keep focus (aria-disabled, not disabled) and say what they are doing. */
  function setBusy(button, busy, busyText) {
    const label = button.querySelector(".button-label");
    if (busy) {
      if (!button.dataset.idleLabel) button.dataset.idleLabel = label.textContent;
      label.textContent = busyText || S.syncBusy;
      if (!button.querySelector(".spinner")) button.prepend(spinner());
      const firstIcon = button.querySelector(".icon");
      if (firstIcon) firstIcon.setAttribute("hidden", "");  // an SVG element has no .hidden property
      button.setAttribute("aria-busy", "true");
      button.setAttribute("aria-disabled", "true");
    } else {
      if (button.dataset.idleLabel) label.textContent = button.dataset.idleLabel;
      const spin = button.querySelector(".spinner");
      if (spin) spin.remove();
      const firstIcon = button.querySelector(".icon");
      if (firstIcon) firstIcon.removeAttribute("hidden");
      button.removeAttribute("aria-busy");
      if (!state.blocked) button.removeAttribute("aria-disabled");
    }
  }

  const unavailable = (button) => button.getAttribute("aria-disabled") === "true";

  // ---- orders table ------------------------------------------------------------------------

  function orderSyncState(order) {
    const packages = order.packages.filter((p) => p.status !== "voided");
    if (!packages.length) return "none";
    if (packages.some((p) => IN_FLIGHT.has(p.status))) return "in_progress";
    if (packages.some((p) => p.status === "requires_sync")) return "requires_sync";
    return "synced";
  }

  const inFlight = (order) => order.packages.some((p) => IN_FLIGHT.has(p.status));

  /** Held for the store's access while the store is active again: the worker resumes them shortly. */
  const resuming = (order) => !!state.store && state.store.status === "active" && order.packages.some((p) =>
    p.status === "requires_sync" && p.error && (p.error.cause === "token_expired" || p.error.cause === "store_uninstalled"));

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
      none: ["neutral", "minus"],
    },
    packageStatus: {
      pending: ["info", "clock"],
      syncing: ["info", null],
      retrying: ["warning", null],
      synced: ["success", "check"],
      requires_sync: ["critical", "alert"],
      voided: ["neutral", "minus"],
    },
  };

  function badge(kind, value, extra) {
    const [tone, iconName] = BADGES[kind][value] || ["neutral", "minus"];
    const text = S[kind][value] || value;
    return h("span", { class: `badge badge-${tone}`, dataset: Object.assign({ status: value }, extra || {}) },
      iconName ? icon(iconName) : spinner(), h("span", { text }));
  }

  function trackingLink(pkg) {
    const href = safeUrl(pkg.tracking_url);
    const number = pkg.tracking_number || S.noTracking;
    if (!href) return h("span", { class: "tracking-number", text: number });
    return h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "tracking-number" },
      h("span", { text: number }), icon("external"));
  }

  function itemCount(order) {
    const lines = order.line_items || [];
    if (lines.length) return lines.reduce((sum, line) => sum + (Number(line.quantity) || 0), 0);
    return order.packages.reduce((sum, p) => sum + (p.items || []).reduce((s, i) => s + (Number(i.quantity) || 0), 0), 0);
  }

  /** The row's Synchronize button: when the order needs it, busy while the merchant's own sync runs.
   * Orders on their way for another reason (a mass sync, a retry) say so in their badge instead. */
  function syncButton(order) {
    const busy = state.syncing.has(order.id);
    if (!busy && (!order.requires_sync || order.cancelled || orderSyncState(order) === "in_progress")) return null;
    const button = h("button", {
      type: "button", class: "button", dataset: { action: "sync", orderId: order.id, focusKey: "sync-" + order.id },
      "aria-label": fmt(busy ? S.syncBusyLabel : S.syncLabel, { name: order.name }),
    }, icon("sync"), h("span", { class: "button-label", text: S.sync }));
    if (busy) setBusy(button, true, S.syncBusy);
    return button;
  }

  function buildOrderRow(order) {
    const expanded = state.expanded.has(order.id);
    const detailsId = "details-" + order.id;
    const toggle = h("button", {
      type: "button", class: "toggle", "aria-expanded": String(expanded), "aria-controls": detailsId,
      "aria-label": fmt(expanded ? S.hideDetails : S.showDetails, { name: order.name }),
      dataset: { action: "toggle", orderId: order.id, focusKey: "toggle-" + order.id },
    }, icon("chevron"));
    const packages = order.packages.filter((p) => p.status !== "voided" || p.tracking_number);
    const tracking = packages.length
      ? h("ul", { class: "tracking-list" }, packages.map((p) =>
        h("li", {}, p.carrier ? h("span", { class: "carrier", text: p.carrier }) : null, trackingLink(p))))
      : h("span", { class: "subdued", text: S.noPackages });
    const row = h("tr", { class: "order-row" + (expanded ? " is-expanded" : ""), dataset: { orderId: order.id } },
      h("td", { class: "col-toggle" }, toggle),
      h("td", {}, h("div", { class: "badges" },
        h("span", { class: "order-name", text: order.name }),
        order.cancelled ? h("span", { class: "badge badge-neutral", text: S.cancelled }) : null)),
      h("td", {}, order.placed_at ? h("time", { datetime: order.placed_at, text: formatDate(order.placed_at) }) : ""),
      h("td", { text: plural(S.items, itemCount(order)) }),
      h("td", {}, tracking),
      h("td", {}, badge("fulfillment", order.fulfillment_status)),
      h("td", {}, badge("orderSync", orderSyncState(order))),
      h("td", { class: "actions" }, syncButton(order)));
    const details = h("tr", { class: "details-row", id: detailsId, dataset: { orderId: order.id }, hidden: !expanded },
      h("td", { colspan: 8 }, expanded ? shippingInformation(order) : null));
    return [row, details];
  }

  function lineTitles(order) {
    const titles = new Map();
    for (const line of order.line_items || []) titles.set(String(line.id), line.title || line.sku || line.id);
    return titles;
  }

  function shippingInformation(order) {
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

  function emptyRow() {
    const search = state.q;
    const content = search
      ? [h("h2", { text: fmt(S.emptySearch, { q: search }) }),
        state.tab !== "all" ? h("button", { type: "button", class: "button", dataset: { action: "search-all" }, text: S.searchAll }) : null]
      : [h("h2", { text: S.empty[state.tab] }), h("p", { text: S.emptyHelp[state.tab] })];
    return h("tr", { class: "empty-row" }, h("td", { colspan: 8 }, h("div", { class: "empty-state" }, content)));
  }

  /** Re-render, reusing the rows whose order did not change, and keep keyboard focus where it was. */
  function renderOrders() {
    const body = $("orders-body");
    const active = document.activeElement;
    const focusKey = active && body.contains(active) ? active.dataset.focusKey : null;
    if (!state.orders.length) {
      body.replaceChildren(emptyRow());
    } else {
      const existing = new Map();
      for (const row of body.querySelectorAll("tr.order-row")) existing.set(row.dataset.orderId, row);
      const rows = [];
      for (const order of state.orders) {
        const signature = JSON.stringify([order, state.expanded.has(order.id), state.syncing.has(order.id)]);
        const old = existing.get(String(order.id));
        if (old && old.dataset.signature === signature) {
          rows.push(old, old.nextElementSibling);
        } else {
          const [row, details] = buildOrderRow(order);
          row.dataset.signature = signature;
          rows.push(row, details);
        }
      }
      body.replaceChildren(...rows);
    }
    if (focusKey && document.activeElement !== active) {
      const orderId = focusKey.split("-").pop();
      const target = body.querySelector(`[data-focus-key="${focusKey}"]`)
        || body.querySelector(`[data-focus-key="toggle-${orderId}"]`);
      if (target) target.focus();
    }
  }

  function renderCounts(counts) {
    for (const node of document.querySelectorAll("[data-count]")) {
      const value = counts[node.dataset.count];
      node.textContent = value === undefined ? "" : numbers.format(value);
    }
  }

  function renderPagination() {
    const pages = Math.max(1, Math.ceil(state.total / state.perPage));
    $("page-prev").disabled = state.page <= 1;
    $("page-next").disabled = state.page >= pages;
    if (!state.total) {
      $("page-info").textContent = "";
      return;
    }
    const from = (state.page - 1) * state.perPage + 1;
    const to = Math.min(state.total, state.page * state.perPage);
    $("page-info").textContent = fmt(S.range, { from: numbers.format(from), to: numbers.format(to), total: numbers.format(state.total) })
      + (pages > 1 ? " · " + fmt(S.pageOf, { page: numbers.format(state.page), pages: numbers.format(pages) }) : "");
  }

  async function loadOrders() {
    if (state.blocked) return;
    const seq = ++state.loadSeq;
    clearTimeout(state.rowsTimer);
    $("orders-table").setAttribute("aria-busy", "true");
    const params = new URLSearchParams({ tab: state.tab, page: state.page, per_page: state.perPage });
    if (state.q) params.set("q", state.q);
    try {
      const data = await api("GET", "/orders?" + params);
      if (seq !== state.loadSeq) return;  // a newer load (tab, page, search) superseded this one
      const pages = Math.max(1, Math.ceil(data.total / state.perPage));
      if (!data.orders.length && state.page > pages) {  // orders left this tab: show the last page
        state.page = pages;
        return loadOrders();
      }
      state.total = data.total;
      state.orders = data.orders;
      renderCounts(data.counts);
      renderOrders();
      renderPagination();
      if (state.orders.some((o) => o.packages.some((p) => p.error && p.error.cause === "token_expired"))) {
        if ($("reauth-banner").hidden) loadStore();
      }
      scheduleRowRefresh();
    } catch (error) {
      if (seq === state.loadSeq) reportError(error);
    } finally {
      if (seq === state.loadSeq) $("orders-table").setAttribute("aria-busy", "false");
    }
  }

  /** While shipments on screen are on their way, refresh the rows, slower and slower. */
  function scheduleRowRefresh() {
    clearTimeout(state.rowsTimer);
    const moving = state.orders.some((o) => !state.syncing.has(o.id) && (inFlight(o) || resuming(o)));
    if (!moving || state.blocked || state.batchRunning) {  // a running batch refreshes the rows itself
      state.rowsDelay = POLL.rows;
      return;
    }
    state.rowsTimer = setTimeout(() => {
      state.rowsDelay = Math.min(state.rowsDelay * 1.5, POLL.rowsMax);
      loadOrders();
    }, state.rowsDelay);
  }

  async function refreshCounts() {
    try {
      const data = await api("GET", "/orders?" + new URLSearchParams({ tab: state.tab, per_page: 1 }));
      renderCounts(data.counts);
    } catch (_) { /* the next list load shows them */ }
  }

  function replaceOrder(order) {
    const index = state.orders.findIndex((o) => o.id === order.id);
    if (index === -1) return;
    state.orders[index] = order;
    renderOrders();
  }

  // ---- tabs, search, pagination ----------------------------------------------------------------

  function selectTab(tab, focus) {
    state.tab = tab;
    state.page = 1;
    for (const node of document.querySelectorAll('[role="tab"]')) {
      const selected = node.dataset.tab === tab;
      node.setAttribute("aria-selected", String(selected));
      node.tabIndex = selected ? 0 : -1;
      if (selected) {
        $("orders-panel").setAttribute("aria-labelledby", node.id);
        if (focus) node.focus();
      }
    }
    loadOrders();
  }

  function wireTabs() {
    const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
    for (const tab of tabs) {
      tab.addEventListener("click", () => selectTab(tab.dataset.tab));
      tab.addEventListener("keydown", (event) => {
        const index = tabs.indexOf(tab);
        const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        selectTab(tabs[(next + tabs.length) % tabs.length].dataset.tab, true);
      });
    }
  }

  function wireSearch() {
    const input = $("search-input");
    let timer = null;
    const apply = () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (q === state.q) return;
      state.q = q;
      state.page = 1;
      loadOrders();
    };
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      apply();
    });
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(apply, 350);
    });
    $("page-prev").addEventListener("click", () => { state.page -= 1; loadOrders(); });
    $("page-next").addEventListener("click", () => { state.page += 1; loadOrders(); });
  }

  function wireTable() {
    const body = $("orders-body");
    body.addEventListener("click", (event) => {
      const target = event.target.closest("[data-action]");
      if (!target) {
        // A click on the row itself (not a link or button) opens it too, for mouse users.
        const row = event.target.closest("tr.order-row");
        if (row && !event.target.closest("a, button")) toggleOrder(Number(row.dataset.orderId));
        return;
      }
      const orderId = Number(target.dataset.orderId);
      if (target.dataset.action === "toggle") toggleOrder(orderId);
      else if (target.dataset.action === "sync" && !unavailable(target)) syncOrder(orderId);
      else if (target.dataset.action === "history") openHistory(orderId, target);
      else if (target.dataset.action === "search-all") selectTab("all");
    });
  }

  function toggleOrder(orderId) {
    if (state.expanded.has(orderId)) state.expanded.delete(orderId);
    else state.expanded.add(orderId);
    renderOrders();
  }

  // ---- individual sync -------------------------------------------------------------------

  async function syncOrder(orderId) {
    const order = state.orders.find((o) => o.id === orderId);
    if (!order || state.syncing.has(orderId) || state.blocked) return;
    state.syncing.add(orderId);
    renderOrders();
    let latest = order;
    try {
      await api("POST", `/orders/${orderId}/sync`);
      const started = Date.now();
      do {  // follow the order until none of its packages is on its way
        await sleep(POLL.order);
        latest = await api("GET", `/orders/${orderId}`);
        replaceOrder(latest);
      } while (inFlight(latest) && Date.now() - started < 5 * 60 * 1000);
      toast(fmt(latest.requires_sync ? S.syncStillFailing : S.syncDone, { name: latest.name }), latest.requires_sync);
      refreshCounts();
    } catch (error) {
      reportError(error);
    } finally {
      state.syncing.delete(orderId);
      replaceOrder(latest);
      scheduleRowRefresh();
    }
  }

  // ---- mass sync ---------------------------------------------------------------------------

  async function startMassSync() {
    const button = $("mass-sync-button");
    if (unavailable(button) || state.batchRunning) return;
    setBusy(button, true);
    try {
      const { batch_id: batchId } = await api("POST", "/sync");
      trackBatch(batchId);
    } catch (error) {
      setBusy(button, false);
      reportError(error);
    }
  }

  async function trackBatch(batchId) {
    const panel = $("mass-sync");
    state.batchId = batchId;
    state.batchRunning = true;
    storage("set", batchId);
    setBusy($("mass-sync-button"), true);
    panel.hidden = false;
    panel.dataset.done = "false";
    $("mass-sync-title").textContent = S.massRunning;
    $("mass-summary").replaceChildren();
    $("mass-sync-dismiss").hidden = true;
    loadOrders();  // the batch's packages were restarted: show them on their way at once
    let lastRows = Date.now();
    while (state.batchId === batchId) {
      let progress;
      try {
        progress = await api("GET", `/sync/${encodeURIComponent(batchId)}`);
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
      summary.push(h("ul", { class: "failures" }, p.failures.map((f) => h("li", { dataset: { orderId: f.order_id } },
        h("strong", { text: `${f.order_name} · ${fmt(S.package, { id: f.package_id })}: ` }),
        f.error ? f.error.message + " " : "",
        f.error ? [h("strong", { text: S.whatToDo }), " ", f.error.fix] : null))));
      if (p.failed > p.failures.length) summary.push(h("p", { text: plural(S.massMore, p.failed - p.failures.length) }));
    }
    $("mass-summary").replaceChildren(...summary);
    loadOrders();
  }

  function closeBatch() {
    state.batchId = null;
    state.batchRunning = false;
    storage("remove");
    $("mass-sync").hidden = true;
    setBusy($("mass-sync-button"), false);
  }

  // ---- store: re-authorization banner ----------------------------------------------------

  async function loadStore() {
    clearTimeout(state.storeTimer);
    if (state.blocked) return null;
    try {
      state.store = await api("GET", "/store");
      renderStore();
    } catch (error) {
      reportError(error);
    }
    if (!state.blocked) {
      const reauth = state.store && state.store.status === "reauth_required";
      state.storeTimer = setTimeout(loadStore, reauth ? POLL.storeReauth : POLL.store);
    }
    return state.store;
  }

  function renderStore() {
    const banner = $("reauth-banner");
    const needed = state.store.status === "reauth_required";
    const wasShown = !banner.hidden;
    $("reauth-link").href = state.store.reauthorize_url;
    banner.hidden = !needed;
    if (wasShown && !needed) {
      toast(S.reauthorized);
      loadOrders();
    } else {
      scheduleRowRefresh();  // rows held for access may now be on their way
    }
  }

  // ---- settings ----------------------------------------------------------------------------

  function mappingRow(from, to) {
    const remove = h("button", { type: "button", class: "button icon-button button-plain", dataset: { action: "remove" } }, icon("close"));
    const source = h("input", { type: "text", value: from, maxlength: 100, "aria-label": S.mappingPlatform, dataset: { field: "from" } });
    const target = h("input", { type: "text", value: to, maxlength: 100, "aria-label": S.mappingStore, dataset: { field: "to" } });
    const label = () => remove.setAttribute("aria-label", source.value.trim()
      ? fmt(S.mappingRemove, { carrier: source.value.trim() }) : S.mappingRemoveEmpty);
    source.addEventListener("input", label);
    label();
    return h("tr", {}, h("td", {}, source), h("td", {}, target), h("td", {}, remove));
  }

  function fillSettings(settings) {
    $("setting-notify").checked = !!settings.notify_customer;
    $("setting-auto").checked = !!settings.auto_sync;
    const rows = Object.entries(settings.carrier_mapping || {}).sort(([a], [b]) => a.localeCompare(b))
      .map(([from, to]) => mappingRow(from, to));
    $("mapping-rows").replaceChildren(...rows);
    $("settings-error").hidden = true;
  }

  async function openSettings() {
    const button = $("settings-button");
    if (unavailable(button)) return;
    const store = state.store || await loadStore();
    if (!store) return;
    fillSettings(store.settings);
    $("settings-dialog").showModal();
  }

  function readMapping() {
    const mapping = {};
    const seen = new Map();
    for (const row of $("mapping-rows").querySelectorAll("tr")) {
      const [source, target] = row.querySelectorAll("input");
      const from = source.value.trim();
      const to = target.value.trim();
      source.removeAttribute("aria-invalid");
      target.removeAttribute("aria-invalid");
      if (!from && !to) continue;
      if (!from || !to) {
        (from ? target : source).setAttribute("aria-invalid", "true");
        throw new Error(S.mappingIncomplete);
      }
      if (seen.has(from.toLowerCase())) {
        source.setAttribute("aria-invalid", "true");
        throw new Error(fmt(S.mappingDuplicate, { carrier: from }));
      }
      seen.set(from.toLowerCase(), true);
      mapping[from] = to;
    }
    return mapping;
  }

  async function saveSettings(event) {
    event.preventDefault();
    const error = $("settings-error");
    const save = $("settings-save");
    if (unavailable(save)) return;
    let mapping;
    try {
      mapping = readMapping();
    } catch (invalid) {
      error.textContent = invalid.message;
      error.hidden = false;
      return;
    }
    error.hidden = true;
    setBusy(save, true, S.saving);
    try {
      const result = await api("PATCH", "/store/settings", {
        notify_customer: $("setting-notify").checked,
        auto_sync: $("setting-auto").checked,
        carrier_mapping: mapping,
      });
      if (state.store) state.store.settings = result.settings;
      $("settings-dialog").close();
      toast(S.settingsSaved);
      loadOrders();  // turning automatic sync on starts the waiting packages
    } catch (failure) {
      if (failure.status === 400) {
        error.textContent = S.errorGeneric + (failure.message ? ` (${failure.message})` : "");
        error.hidden = false;
      } else {
        $("settings-dialog").close();
        reportError(failure);
      }
    } finally {
      setBusy(save, false);
    }
  }

  function wireSettings() {
    $("settings-button").addEventListener("click", openSettings);
    $("settings-form").addEventListener("submit", saveSettings);
    $("mapping-add").addEventListener("click", () => {
      const row = mappingRow("", "");
      $("mapping-rows").append(row);
      row.querySelector("input").focus();
    });
    $("mapping-rows").addEventListener("click", (event) => {
      const remove = event.target.closest('[data-action="remove"]');
      if (!remove) return;
      const row = remove.closest("tr");
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      (next ? next.querySelector("input") : $("mapping-add")).focus();
    });
  }

  // ---- attempt history ----------------------------------------------------------------------

  async function openHistory(orderId, trigger) {
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

  function wireDialogs() {
    for (const dialog of document.querySelectorAll("dialog")) {
      dialog.addEventListener("click", (event) => {
        if (event.target.closest("[data-close]") || event.target === dialog) dialog.close();
      });
      dialog.addEventListener("close", () => {
        if (dialog.returnFocusTo && document.contains(dialog.returnFocusTo)) dialog.returnFocusTo.focus();
      });
    }
    $("settings-dialog").returnFocusTo = $("settings-button");
  }

  // ---- start -------------------------------------------------------------------------------

  wireTabs();
  wireSearch();
  wireTable();
  wireSettings();
  wireDialogs();
  $("mass-sync-button").addEventListener("click", startMassSync);
  $("mass-sync-dismiss").addEventListener("click", () => {
    closeBatch();
    $("mass-sync-button").focus();
  });
  loadStore();
  loadOrders();
  const unfinished = storage("get");
  if (unfinished) trackBatch(unfinished);
})();
