"""One sandbox WooCommerce store's state: orders, notes, tracking, fulfillments, webhooks, keys.

Shapes follow the captured WooCommerce 10.0.2 answers (shared/woocommerce/samples). All
state is guarded by the sandbox's one lock; methods that change an order tell the
webhook deliverer, as WooCommerce's hooks do — including for the writes ShipSync makes
itself (the "echoes").
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import re
import secrets
import threading
import time
from collections import Counter
from datetime import datetime, timezone

from sandbox.common.faults import FaultScript
from sandbox.woocommerce.control import StoreReadouts
from sandbox.woocommerce.faults import Fault

ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed")
BACKENDS = ("native", "shipment_tracking", "none")
PROVIDERS = {
    "UPS": "https://www.ups.com/track?loc=en_US&tracknum=%number%",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%number%",
    "FedEx": "https://www.fedex.com/fedextrack/?action=track&tracknumbers=%number%",
    "DHL Express": "https://www.dhl.com/en/express/tracking.html?AWB=%number%&brand=DHL",
}
DEFAULT_LINE_ITEMS = ({"name": "Blue Mug", "quantity": 2, "sku": "MUG-BLUE", "price": 12.5},
                      {"name": "Canvas Tote", "quantity": 1, "sku": "TOTE-CNV", "price": 24})


def wc_time(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S")


class SandboxStore(FaultScript, StoreReadouts):
    """A store played under ``<sandbox>/stores/<name>``; its ``url`` is the store URL (and home URL)."""

    fault_type = Fault

    def __init__(self, sandbox, name: str, backend: str = "shipment_tracking", *, allow_http_callback: bool = False,
                 webhook_delay: float = 0.0, max_webhook_failures: int = 5, language: str = "en_US"):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}")
        self.sandbox, self.name, self.backend = sandbox, name, backend
        self.allow_http_callback = allow_http_callback
        self.language = language  # WordPress's locale (Settings → General → Site Language)
        self.webhook_delay = webhook_delay
        self.max_webhook_failures = max_webhook_failures
        self.lock: threading.RLock = sandbox.lock
        self.orders: dict[int, dict] = {}
        self.notes: dict[int, list[dict]] = {}
        self.trackings: dict[int, list[dict]] = {}
        self.fulfillments: dict[int, list[dict]] = {}
        self.emails: dict[int, list[dict]] = {}  # what the customer was e-mailed, per order
        self.webhooks: dict[int, dict] = {}
        self.keys: dict[str, dict] = {}
        self.nonces: dict[str, dict[int, str]] = {}
        self.auth_nonces: set[str] = set()  # wc-auth approve links handed out
        self.faults: list[Fault] = []
        self.request_log: list[dict] = []
        self.salt = secrets.token_bytes(16)  # WordPress's auth salt, which wp_hash keys on
        self.frozen_time: float | None = None  # tests pin "now" to put deliveries in one second
        self.delivery_log: list[dict] = []
        self._ids = {kind: itertools.count(start) for kind, start in
                     (("order", 100), ("item", 1), ("note", 1), ("fulfillment", 1), ("webhook", 1), ("key", 1),
                      ("meta", 1))}

    @property
    def url(self) -> str:
        return f"{self.sandbox.url}/stores/{self.name}"

    def now(self) -> float:
        return time.time() if self.frozen_time is None else self.frozen_time

    def delivery_id(self, webhook_id: int) -> str:
        """``WC_Webhook::get_new_delivery_id``: ``wp_hash($webhook_id . strtotime('now'))`` (an
        HMAC-MD5 keyed with the site's salt) — the same for every delivery of one webhook
        within one second."""
        return hmac.new(self.salt, f"{webhook_id}{int(self.now())}".encode(), hashlib.md5).hexdigest()

    def next_id(self, kind: str) -> int:
        return next(self._ids[kind])

    # --- keys ------------------------------------------------------------------------------

    def issue_key(self, permissions: str = "read_write", user_id: int = 1, role: str = "administrator") -> dict:
        """A new REST API key, as the authorize page or WooCommerce > Settings > Advanced make one."""
        with self.lock:
            key = {"key_id": self.next_id("key"), "consumer_key": "ck_" + secrets.token_hex(20),
                   "consumer_secret": "cs_" + secrets.token_hex(20), "permissions": permissions,
                   "user_id": user_id, "role": role}
            self.keys[key["consumer_key"]] = key
            return dict(key)

    def revoke_key(self, consumer_key: str | None = None) -> int:
        """Delete one key, or every key when none is named; the store answers "Consumer key is invalid."."""
        with self.lock:
            doomed = [consumer_key] if consumer_key else list(self.keys)
            for key in doomed:
                self.keys.pop(key, None)
            return len(doomed)

    # --- orders ------------------------------------------------------------------------------

    def create_order(self, line_items=None, status: str = "processing", customer: dict | None = None,
                     notify: bool = True) -> dict:
        """A new order (fires ``order.created``); ``line_items``: ``[{name, quantity, sku?, price?}]``."""
        if status not in ORDER_STATUSES:
            raise ValueError(f"status must be one of {', '.join(ORDER_STATUSES)}")
        customer = {"first_name": "Jane", "last_name": "Customer", "email": "jane.customer@example.test",
                    **(customer or {})}
        with self.lock:
            order_id, now = self.next_id("order"), wc_time()
            items = [self._line_item(i, item) for i, item in enumerate(line_items or DEFAULT_LINE_ITEMS)]
            total = sum(float(li["total"]) for li in items)
            address = {"first_name": customer["first_name"], "last_name": customer["last_name"], "company": "",
                       "address_1": "42 Test Street", "address_2": "", "city": "Portland", "state": "OR",
                       "postcode": "97205", "country": "US", "phone": "555-0100"}
            self.orders[order_id] = {
                "id": order_id, "parent_id": 0, "status": status, "currency": "USD", "version": "10.0.2",
                "prices_include_tax": False, "date_created": now, "date_modified": now,
                "discount_total": "0.00", "discount_tax": "0.00", "shipping_total": "0.00", "shipping_tax": "0.00",
                "cart_tax": "0.00", "total": f"{total:.2f}", "total_tax": "0.00", "customer_id": 2,
                "order_key": "wc_order_" + secrets.token_hex(6), "billing": {**address, "email": customer["email"]},
                "shipping": address, "payment_method": "cod", "payment_method_title": "Cash on delivery",
                "transaction_id": "", "customer_ip_address": "", "customer_user_agent": "", "created_via": "checkout",
                "customer_note": "", "date_completed": None, "date_paid": now if status != "pending" else None,
                "cart_hash": "", "number": str(order_id), "meta_data": [], "line_items": items, "tax_lines": [],
                "shipping_lines": [], "fee_lines": [], "coupon_lines": [], "refunds": [],
                "date_created_gmt": now, "date_modified_gmt": now, "date_completed_gmt": None,
                "date_paid_gmt": now if status != "pending" else None, "currency_symbol": "$",
            }
            self.notes[order_id], self.trackings[order_id], self.fulfillments[order_id] = [], [], []
            self.emails[order_id] = []
            if notify:
                self.order_changed(order_id, "created")
            return self.order_json(order_id)

    def _line_item(self, position: int, item: dict) -> dict:
        quantity, price = int(item.get("quantity", 1)), float(item.get("price", 10))
        return {"id": self.next_id("item"), "name": item.get("name", f"Product {position + 1}"),
                "product_id": 11 + position, "variation_id": 0, "quantity": quantity, "tax_class": "",
                "subtotal": f"{price * quantity:.2f}", "subtotal_tax": "0.00", "total": f"{price * quantity:.2f}",
                "total_tax": "0.00", "taxes": [], "meta_data": [], "sku": item.get("sku", f"SKU-{position + 1}"),
                "price": price, "image": {"id": "", "src": ""}, "parent_name": None}

    def update_order(self, order_id: int, changes: dict, notify: bool = True) -> dict:
        """Apply a REST-style update (status, customer_note, meta_data); fires ``order.updated``."""
        with self.lock:
            order = self.orders[order_id]
            if "status" in changes:
                if changes["status"] not in ORDER_STATUSES:
                    raise ValueError("status")
                if changes["status"] != order["status"]:
                    self.add_note(order_id, f"Order status changed from {order['status'].title()} to "
                                            f"{changes['status'].title()}.", customer_note=False)
                became_completed = changes["status"] == "completed" != order["status"]
                order["status"] = changes["status"]
                if order["status"] == "completed" and not order["date_completed"]:
                    order["date_completed"] = order["date_completed_gmt"] = wc_time()
                if became_completed:
                    self._email(order_id, "Your order is now complete", self._tracking_block(order_id))
            if "customer_note" in changes:
                order["customer_note"] = str(changes["customer_note"])
            for meta in changes.get("meta_data") or []:
                self.set_meta(order, meta["key"], meta.get("value"))
            self.touch(order_id, notify)
            return self.order_json(order_id)

    def delete_order(self, order_id: int) -> None:
        """Delete permanently; fires ``order.deleted`` with ``{"id": N}``."""
        with self.lock:
            self.orders.pop(order_id)
            self.order_changed(order_id, "deleted")

    def touch(self, order_id: int, notify: bool = True) -> None:
        order = self.orders[order_id]
        order["date_modified"] = order["date_modified_gmt"] = wc_time()
        if notify:
            self.order_changed(order_id, "updated")

    def order_changed(self, order_id: int, event: str) -> None:
        """Queue a delivery for every active webhook on ``order.<event>`` (built at delivery time)."""
        for webhook in self.webhooks.values():
            if webhook["status"] == "active" and webhook["topic"] == f"order.{event}":
                self.sandbox.deliverer.enqueue(self, webhook["id"], order_id, event, self.webhook_delay)

    def set_meta(self, order: dict, key: str, value) -> None:
        for entry in order["meta_data"]:
            if entry["key"] == key:
                entry["value"] = value
                return
        order["meta_data"].append({"id": self.next_id("meta"), "key": key, "value": value})

    def order_json(self, order_id: int) -> dict:
        with self.lock:
            data = copy.deepcopy(self.orders[order_id])
        base = f"{self.url}/wp-json/wc/v3"
        data["payment_url"] = f"{self.url}/checkout/order-pay/{order_id}/?pay_for_order=true&key={data['order_key']}"
        data["is_editable"] = data["status"] in ("pending", "on-hold")
        data["needs_payment"] = data["status"] == "pending"
        data["needs_processing"] = True
        data["_links"] = {"self": [{"href": f"{base}/orders/{order_id}"}], "collection": [{"href": f"{base}/orders"}]}
        return data

    # --- notes -------------------------------------------------------------------------------

    def add_note(self, order_id: int, text: str, customer_note: bool = False) -> dict:
        with self.lock:
            now = wc_time()
            note = {"id": self.next_id("note"), "author": "WooCommerce", "date_created": now,
                    "date_created_gmt": now, "note": text, "customer_note": bool(customer_note)}
            self.notes[order_id].append(note)
            if note["customer_note"]:  # WC_Email_Customer_Note: sent as written
                self._email(order_id, "A note has been added to your order", text)
            return dict(note)

    def _email(self, order_id: int, subject: str, body: str) -> None:
        """An e-mail to the customer, its text run through WordPress's typography (wptexturize)."""
        self.emails[order_id].append({"to": self.orders[order_id]["billing"]["email"], "subject": subject,
                                      "body": texturize(body)})

    def _tracking_block(self, order_id: int) -> str:
        """What Advanced Shipment Tracking adds to the customer's e-mails and order page."""
        return "\n".join(f"{t['tracking_provider'] or '—'} {t['tracking_number']} {t['tracking_link']}".strip()
                         for t in (tracking_json(item) for item in self.trackings[order_id]))

    def list_notes(self, order_id: int) -> list[dict]:
        with self.lock:  # newest first, as WooCommerce lists them
            return [dict(n) for n in sorted(self.notes[order_id], key=lambda n: n["id"], reverse=True)]

    # --- Shipment Tracking ---------------------------------------------------------------------

    def add_tracking(self, order_id: int, fields: dict) -> dict:
        """Like Advanced Shipment Tracking 3.9.2: every post adds an item (duplicates too);
        ``date_shipped`` is ignored (always today). The provider is ``custom_tracking_provider``
        when given, else ``tracking_provider``, mapped to AST's own provider by name or slug —
        a known name sent as a custom provider becomes AST's provider with AST's link; an
        unknown one is stored but echoed as "". AST then adds its own private order note."""
        with self.lock:
            name = fields.get("custom_tracking_provider") or fields.get("tracking_provider") or ""
            provider = _provider(name)
            item = {"tracking_provider": provider or name,
                    "custom_tracking_provider": "" if provider else (fields.get("custom_tracking_provider") or ""),
                    "custom_tracking_link": fields.get("custom_tracking_link") or "",
                    "tracking_number": str(fields["tracking_number"]), "tracking_product_code": "",
                    "source": "REST_API", "date_shipped": int(time.time()), "status_shipped": "1" if provider else "",
                    "tracking_id": hashlib.md5(secrets.token_bytes(16)).hexdigest(), "user_id": 1}
            self.trackings[order_id].append(item)
            self._sync_tracking_meta(order_id)
            self.add_note(order_id, f"Order was shipped with {provider or ''} and tracking number is: "
                                    f"{item['tracking_number']}")
            self.touch(order_id)
            return tracking_json(item)

    def set_tracking_plugin(self, active: bool) -> None:
        """Activate or deactivate Advanced Shipment Tracking: its routes (and namespaces in
        ``GET /wp-json/``) come and go at once; the tracking it stored stays in the order meta."""
        with self.lock:
            if self.backend == "native":
                raise ValueError("this store uses native fulfillments")
            self.backend = "shipment_tracking" if active else "none"

    def delete_tracking(self, order_id: int, tracking_id: str) -> dict | None:
        with self.lock:
            for item in self.trackings[order_id]:
                if item["tracking_id"] == tracking_id:
                    self.trackings[order_id].remove(item)
                    self._sync_tracking_meta(order_id)
                    self.touch(order_id)
                    return tracking_json(item)
        return None

    def _sync_tracking_meta(self, order_id: int) -> None:
        self.set_meta(self.orders[order_id], "_wc_shipment_tracking_items",
                      [dict(item, tracking_provider=(item["tracking_provider"] or "").lower().replace(" ", "-"))
                       for item in self.trackings[order_id]])

    # --- native fulfillments (WooCommerce 10.1+) -------------------------------------------------

    def add_fulfillment(self, order_id: int, fields: dict) -> dict:
        """Validated as FulfillmentsDataStore does: a known status, at least one item, integer
        item ids and positive quantities. Raises ValueError with WooCommerce's message."""
        status = fields.get("status") or ("fulfilled" if fields.get("is_fulfilled") else "unfulfilled")
        if status not in ("fulfilled", "unfulfilled"):
            raise ValueError("Invalid fulfillment status.")
        meta = [{"id": self.next_id("meta"), "key": m["key"], "value": m.get("value")}
                for m in fields.get("meta_data") or [] if isinstance(m, dict) and "key" in m]
        items = next((m["value"] for m in meta if m["key"] == "_items"), None)
        if not items:
            raise ValueError("The fulfillment should contain at least one item.")
        if not isinstance(items, list) or not all(
                isinstance(i, dict) and isinstance(i.get("item_id"), int) and not isinstance(i.get("item_id"), bool)
                and isinstance(i.get("qty"), (int, float)) and i["item_id"] > 0 and i["qty"] > 0 for i in items):
            raise ValueError("Invalid item.")
        with self.lock:
            fulfillment = {"id": self.next_id("fulfillment"), "entity_type": "WC_Order", "entity_id": str(order_id),
                           "status": status, "is_fulfilled": status == "fulfilled", "date_updated": wc_time(),
                           "date_deleted": None, "meta_data": meta}
            self.fulfillments[order_id].append(fulfillment)
            self._sync_fulfillment_status(order_id)
            return copy.deepcopy(fulfillment)

    def delete_fulfillment(self, order_id: int, fulfillment_id: int) -> dict | None:
        with self.lock:
            for fulfillment in self.fulfillments[order_id]:
                if fulfillment["id"] == fulfillment_id and not fulfillment["date_deleted"]:
                    fulfillment["date_deleted"] = wc_time()
                    self._sync_fulfillment_status(order_id)
                    return copy.deepcopy(fulfillment)
        return None

    def live_fulfillments(self, order_id: int) -> list[dict]:
        with self.lock:
            return [copy.deepcopy(f) for f in self.fulfillments[order_id] if not f["date_deleted"]]

    def _sync_fulfillment_status(self, order_id: int) -> None:
        """The order's ``_fulfillment_status`` as FulfillmentUtils computes it; saving the order
        fires ``order.updated``."""
        live = [f for f in self.fulfillments[order_id] if not f["date_deleted"]]
        shipped = Counter()
        for fulfillment in live:
            for item in next((m["value"] for m in fulfillment["meta_data"] if m["key"] == "_items"), []):
                shipped[item["item_id"]] += item["qty"]
        pending = [li for li in self.orders[order_id]["line_items"] if li["quantity"] - shipped[li["id"]] > 0]
        if not live:
            status = "no_fulfillments"
        elif all(f["is_fulfilled"] for f in live) and not pending:
            status = "fulfilled"
        elif any(f["is_fulfilled"] for f in live):
            status = "partially_fulfilled"
        else:
            status = "unfulfilled"
        self.set_meta(self.orders[order_id], "_fulfillment_status", status)
        self.touch(order_id)


def texturize(text: str) -> str:
    """The part of wptexturize that surprises: a ``x`` between digits becomes ``×`` (13x1 → 13×1)."""
    return re.sub(r"(?<=\d)x(?=\d)", "\u00d7", text)


def _provider(value: str) -> str | None:
    wanted = value.strip().lower()
    for name in PROVIDERS:
        if wanted in (name.lower(), name.lower().replace(" ", "-")):
            return name
    return None


def tracking_json(item: dict) -> dict:
    """How the Shipment Tracking API shows an item: a custom provider or an unknown one as ""."""
    provider = _provider(item["tracking_provider"])
    link = (PROVIDERS[provider].replace("%number%", item["tracking_number"]) if provider
            else item["custom_tracking_link"])
    shipped = datetime.fromtimestamp(item["date_shipped"], timezone.utc).strftime("%Y-%m-%d")
    return {"tracking_id": item["tracking_id"], "tracking_provider": provider or "", "tracking_link": link,
            "tracking_number": item["tracking_number"], "date_shipped": shipped}
