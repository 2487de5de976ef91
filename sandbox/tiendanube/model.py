"""One sandbox Tiendanube store: orders with products, their fulfillment orders, webhooks,
the app's token, the rate bucket, scripted faults and the logs tests read.

Internal records are plain dicts; ``order_json`` / ``fo_json`` render them the way the API
does (dates without a colon in the offset for orders, with one for fulfillment orders;
in order *lists* ``quantity`` and ``variant_id`` come as strings).
"""
from __future__ import annotations

import copy
import secrets
import threading
from datetime import datetime, timezone

from sandbox.common.faults import FaultScript
from sandbox.tiendanube import ids, rules
from sandbox.tiendanube.bucket import LeakyBucket
from sandbox.tiendanube.faults import Fault

AUTH_STYLES = ("authentication", "authorization")


def order_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S+0000")


def fo_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class SandboxStore(FaultScript):
    fault_type = Fault

    def __init__(self, sandbox, store_id: int, *, name: str = "", plan: str = "basic",
                 auth_styles: tuple[str, ...] = ("authentication",), allow_http_webhooks: bool = False,
                 bucket: LeakyBucket | None = None):
        if not set(auth_styles) <= set(AUTH_STYLES) or not auth_styles:
            raise ValueError(f"auth_styles must be a non-empty subset of {AUTH_STYLES}")
        self.sandbox, self.store_id, self.name = sandbox, int(store_id), name or f"Loja {store_id}"
        # GET /store's original_domain: the store's subdomain, where its admin is served.
        self.original_domain = f"loja{self.store_id}.lojavirtualnuvem.com.br"
        self.plan, self.auth_styles, self.allow_http_webhooks = plan, tuple(auth_styles), allow_http_webhooks
        self.lock = threading.RLock()
        self.bucket = bucket or LeakyBucket.for_plan(plan)
        self.token: str | None = None
        self.scopes_accepted = False
        self.suspended = False
        self.orders: dict[int, dict] = {}
        self.webhooks: dict[int, dict] = {}
        self._webhook_ids = iter(range(1, 10**9))
        self._number = 100
        self.faults: list[Fault] = []
        self.request_log: list[dict] = []
        self.delivery_log: list[dict] = []
        self.notifications: list[dict] = []  # e-mails the store sent the customer

    # --- token -------------------------------------------------------------------------------
    def issue_token(self) -> str:
        """A new token; the previous one stops working (one live token per store and app)."""
        with self.lock:
            self.token = secrets.token_hex(20)
            self.scopes_accepted = True
            return self.token

    def revoke_token(self) -> None:
        with self.lock:
            self.token = None

    def uninstall(self) -> None:
        """``app/uninstalled`` goes out, then the token and the registrations are gone."""
        self.emit("app/uninstalled", {"store_id": self.store_id, "event": "app/uninstalled",
                                      "id": int(self.sandbox.app_id)})
        with self.lock:
            self.token, self.scopes_accepted = None, False
            self.webhooks.clear()

    # --- orders ------------------------------------------------------------------------------
    def create_order(self, products: list[dict] | None = None, *, shipping_type: str = "ship",
                     route: bool = True, customer: dict | None = None, payment_status: str = "paid") -> dict:
        """An order; each product may name a ``location`` (one fulfillment order per location).
        ``route=False`` leaves ``fulfillments`` empty until ``route_order`` (as right after checkout)."""
        products = products or [{"name": "Camiseta", "quantity": 1}]
        now = _now()
        with self.lock:
            self._number += 1
            order = {"id": ids.next_order_id(), "number": self._number, "status": "open",
                     "payment_status": payment_status, "created_at": now, "updated_at": now,
                     "cancelled_at": None, "cancel_reason": None, "shipping_type": shipping_type,
                     "customer": customer or {"name": "Ana Souza", "email": "ana@example.com"},
                     "products": [], "fos": []}
            for index, product in enumerate(products):
                quantity = int(product.get("quantity", 1))
                if quantity < 1:
                    raise ValueError("quantity must be at least 1")
                order["products"].append({
                    "id": ids.next_line_id(), "product_id": 9000 + index, "variant_id": 7000 + index,
                    "name": product.get("name", f"Produto {index + 1}"), "sku": product.get("sku", f"SKU-{index + 1}"),
                    "price": str(product.get("price", "10.00")), "quantity": quantity,
                    "location": product.get("location", "Depósito")})
            self.orders[order["id"]] = order
            if route:
                self._route(order)
        self.emit_order("order/created", order["id"])
        return self.order_json(order["id"])

    def route_order(self, order_id: int) -> None:
        with self.lock:
            self._route(self.orders[int(order_id)])

    def _route(self, order: dict) -> None:
        if order["fos"]:
            return
        now = _now()
        locations: dict[str, list[dict]] = {}
        for product in order["products"]:
            locations.setdefault(product["location"], []).append(product)
        for number, (location, products) in enumerate(locations.items(), start=1):
            order["fos"].append({
                "id": ids.ulid(), "number": f"{order['number']}-{number}", "status": "UNPACKED",
                "status_history": [{"status": "UNPACKED", "created_at": now}], "tracking_info": None,
                "tracking_info_history": [], "tracking_events": [], "fulfilled_at": None,
                "created_at": now, "updated_at": now, "shipping_type": order["shipping_type"],
                "location": {"id": ids.ulid(), "name": location},
                "line_items": [{"id": ids.ulid(), "external_id": str(p["id"]), "quantity": p["quantity"],
                                "product_id": p["product_id"], "variant_id": p["variant_id"], "name": p["name"],
                                "sku": p["sku"]} for p in products]})

    def cancel_order(self, order_id: int, reason: str = "other") -> dict:
        with self.lock:
            order = self.orders[int(order_id)]
            if order["status"] != "cancelled":
                order["status"], order["cancelled_at"], order["cancel_reason"] = "cancelled", _now(), reason
                order["updated_at"] = _now()
                for fo in order["fos"]:
                    if fo["status"] in ("UNPACKED", "PACKED", "READY_FOR_PICKUP"):
                        self._set_status(fo, "CANCELLED")
        self.emit_order("order/cancelled", order["id"])
        return self.order_json(order["id"])

    def dispatch_in_admin(self, order_id: int, fo_id: str | None = None, code: str = "MERCHANT-1") -> None:
        """The merchant ships an FO from the Tiendanube admin with their own tracking code."""
        with self.lock:
            order = self.orders[int(order_id)]
            fo = next(f for f in order["fos"] if fo_id in (None, f["id"]))
        self.patch_fo(order["id"], fo["id"], {"status": "DISPATCHED", "tracking_info": {"code": code}})

    def find_fo(self, order_id: int, fo_id: str) -> dict | None:
        order = self.orders.get(int(order_id))
        return next((fo for fo in order["fos"] if fo["id"] == fo_id), None) if order else None

    def patch_fo(self, order_id: int, fo_id: str, body: dict) -> tuple[int, dict]:
        """Apply a PATCH to a fulfillment order: (HTTP status, answer)."""
        problems = rules.validation_errors(body)
        if problems:
            return 400, {"description": "Validation error", "messages": problems}
        with self.lock:
            order, fo = self.orders[int(order_id)], self.find_fo(order_id, fo_id)
            if order["status"] == "cancelled":
                return 400, {"description": "Bad Request", "message": "The order is cancelled"}
            wanted = body.get("status")
            error = rules.transition_error(fo["shipping_type"], fo["status"], wanted)
            if error:
                return 400, {"description": "Bad Request", "message": error}
            tracking = body.get("tracking_info")
            notify = body.get("notify_customer", (tracking or {}).get("notify_customer", False))
            if tracking is not None:
                if fo["tracking_info"] is not None:
                    fo["tracking_info_history"].append(fo["tracking_info"])
                fo["tracking_info"] = {k: tracking.get(k) for k in ("code", "url", "carrier")}
            if wanted and wanted != fo["status"]:
                self._set_status(fo, wanted)
            fo["updated_at"] = order["updated_at"] = _now()
            if notify and fo["status"] == "DISPATCHED":
                self.notifications.append({"order_id": order["id"], "fo_id": fo["id"],
                                           "code": (fo["tracking_info"] or {}).get("code")})
            answer = self.fo_json(fo)
        self.emit_order("order/updated", order["id"])
        self.emit("fulfillment_order/status_updated", {
            "store_id": str(self.store_id), "event": "fulfillment_order/status_updated", "order_id": str(order["id"]),
            "fulfillment_id": fo["id"], "status": fo["status"]})
        if all(f["status"] in ("DISPATCHED", "DELIVERED") for f in order["fos"]):
            self.emit_order("order/fulfilled", order["id"])
        return 200, answer

    @staticmethod
    def _set_status(fo: dict, status: str) -> None:
        fo["status"] = status
        fo["status_history"].append({"status": status, "created_at": _now()})
        if status == "DELIVERED":
            fo["fulfilled_at"] = _now()

    # --- rendering ---------------------------------------------------------------------------
    def order_json(self, order_id: int, *, in_list: bool = False, aggregates: bool = False) -> dict:
        with self.lock:
            order = self.orders[int(order_id)]
            data = {"id": order["id"], "number": order["number"], "status": order["status"],
                    "payment_status": order["payment_status"], "shipping_status": shipping_status(order),
                    "created_at": order_time(order["created_at"]), "updated_at": order_time(order["updated_at"]),
                    "cancelled_at": order_time(order["cancelled_at"]) if order["cancelled_at"] else None,
                    "cancel_reason": order["cancel_reason"], "customer": copy.deepcopy(order["customer"]),
                    "products": [_product_json(p, in_list) for p in order["products"]],
                    "fulfillments": [fo["id"] for fo in order["fos"]]}
            if aggregates:
                data["fulfillment_orders"] = [self.fo_json(fo) for fo in order["fos"]]
            return data

    def fo_json(self, fo: dict) -> dict:
        with self.lock:
            return {"id": fo["id"], "number": fo["number"], "status": fo["status"],
                    "status_history": [{"status": h["status"], "created_at": fo_time(h["created_at"])}
                                       for h in fo["status_history"]],
                    "tracking_info": copy.deepcopy(fo["tracking_info"]),
                    "tracking_info_history": copy.deepcopy(fo["tracking_info_history"]),
                    "tracking_events": [], "shipping": {"type": fo["shipping_type"]},
                    "assigned_location": {"location_id": fo["location"]["id"], "name": fo["location"]["name"]},
                    "line_items": [{"id": li["id"], "external_id": li["external_id"], "quantity": li["quantity"],
                                    "product": {"id": li["product_id"], "name": li["name"]},
                                    "variant": {"id": li["variant_id"], "sku": li["sku"]}} for li in fo["line_items"]],
                    "total_quantity": sum(li["quantity"] for li in fo["line_items"]),
                    "created_at": fo_time(fo["created_at"]), "updated_at": fo_time(fo["updated_at"]),
                    "fulfilled_at": fo_time(fo["fulfilled_at"]) if fo["fulfilled_at"] else None}

    # --- webhooks ----------------------------------------------------------------------------
    def add_webhook(self, event: str, url: str) -> dict:
        with self.lock:
            webhook = {"id": next(self._webhook_ids), "event": event, "url": url,
                       "created_at": order_time(_now()), "updated_at": order_time(_now())}
            self.webhooks[webhook["id"]] = webhook
            return dict(webhook)

    def emit_order(self, event: str, order_id: int) -> None:
        self.emit(event, {"store_id": self.store_id, "event": event, "id": int(order_id)})

    def emit(self, event: str, payload: dict) -> None:
        with self.lock:
            targets = [dict(w) for w in self.webhooks.values() if w["event"] == event]
        for webhook in targets:
            self.sandbox.deliverer.enqueue(self, webhook, payload)

    # --- read-outs (faults: FaultScript) ---------------------------------------------------------
    def fulfillment_orders(self, order_id: int) -> list[dict]:
        with self.lock:
            return [self.fo_json(fo) for fo in self.orders[int(order_id)]["fos"]]

    def requests(self, method: str | None = None, resource: str | None = None) -> list[dict]:
        with self.lock:
            return [dict(e) for e in self.request_log if (method is None or e["method"] == method.upper())
                    and (resource is None or resource in e["resource"])]

    def deliveries(self, event: str | None = None) -> list[dict]:
        with self.lock:
            return [dict(e) for e in self.delivery_log if event is None or e["event"] == event]

    def webhook_list(self) -> list[dict]:
        with self.lock:
            return [dict(w) for w in self.webhooks.values()]

    def store_json(self) -> dict:
        """GET /store, as the documented example (the store's names per language, its domains)."""
        return {"id": self.store_id, "name": {"pt": self.name}, "email": f"dono@loja{self.store_id}.example",
                "contact_email": f"contato@loja{self.store_id}.example", "original_domain": self.original_domain,
                "domains": [], "country": "BR", "main_language": "pt", "admin_language": "pt",
                "main_currency": "BRL", "plan_name": self.plan}

    def summary(self) -> dict:
        with self.lock:
            return {"store_id": self.store_id, "name": self.name, "plan": self.plan,
                    "auth_styles": list(self.auth_styles), "installed": self.token is not None,
                    "orders": sorted(self.orders), "webhooks": len(self.webhooks),
                    "faults": [f.to_json() for f in self.faults]}


def shipping_status(order: dict) -> str:
    statuses = [fo["status"] for fo in order["fos"] if fo["status"] != "CANCELLED"]
    shipped = sum(s in ("DISPATCHED", "DELIVERED") for s in statuses)
    if statuses and shipped == len(statuses):
        return "fulfilled"
    if shipped:
        return "partially_fulfilled"
    if statuses and all(s == "PACKED" for s in statuses):
        return "packed"
    return "partially_packed" if "PACKED" in statuses else "unpacked"


def _product_json(product: dict, in_list: bool) -> dict:
    data = {k: product[k] for k in ("id", "product_id", "variant_id", "name", "sku", "price", "quantity")}
    if in_list:  # as the order lists show them
        data["quantity"], data["variant_id"] = str(data["quantity"]), str(data["variant_id"])
    return data
