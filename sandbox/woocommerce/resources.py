"""The sandbox store's REST resources: orders, notes, Shipment Tracking, fulfillments, webhooks.

Each handler gets ``(store, payload, args, *url_groups)`` and returns ``(status, body,
headers)`` or raises ``ApiError`` with WooCommerce's code and message.
"""
from __future__ import annotations

import math
import secrets

from sandbox.woocommerce.model import ORDER_STATUSES, PROVIDERS, tracking_json, wc_time

WEBHOOK_TOPICS = {
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post", "woocommerce_trash_order", "woocommerce_delete_order"],
    "order.restored": ["untrashed_post"],
}
WEBHOOK_STATUSES = ("active", "paused", "disabled")


class ApiError(Exception):
    def __init__(self, status: int, code, message: str, **data):
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def body(self) -> dict:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}


def _order(store, order_id: str, code: str = "woocommerce_rest_order_invalid_id",
           message: str = "Invalid order ID.") -> int:
    if int(order_id) not in store.orders:
        raise ApiError(404, code, message)
    return int(order_id)


def _paginate(items: list, args, url: str):
    try:
        per_page, page = int(args.get("per_page", 10)), int(args.get("page", 1))
    except ValueError:
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): per_page") from None
    if not 1 <= per_page <= 100:
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): per_page",
                       params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"})
    total, pages = len(items), max(1, math.ceil(len(items) / per_page))
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages if items else 0)}
    if page < pages:
        headers["Link"] = f'<{url}?page={page + 1}&per_page={per_page}>; rel="next"'
    return 200, items[(page - 1) * per_page:page * per_page], headers


def _require(payload: dict, *names: str) -> None:
    missing = [name for name in names if payload.get(name) in (None, "")]
    if missing:
        raise ApiError(400, "rest_missing_callback_param", f"Missing parameter(s): {', '.join(missing)}",
                       params=missing)


# --- orders ----------------------------------------------------------------------------------

def list_orders(store, payload, args):
    statuses = [s for s in (args.get("status") or "any").split(",") if s]
    gmt = args.get("dates_are_gmt") in ("true", "1")
    field = "date_created_gmt" if gmt else "date_created"
    with store.lock:
        orders = [store.order_json(order_id) for order_id in store.orders]
    orders = [o for o in orders if "any" in statuses or o["status"] in statuses]
    if args.get("after"):
        orders = [o for o in orders if o[field] > args["after"][:19]]
    if args.get("before"):
        orders = [o for o in orders if o[field] < args["before"][:19]]
    if args.get("modified_after"):
        orders = [o for o in orders if o["date_modified_gmt" if gmt else "date_modified"] > args["modified_after"][:19]]
    key = (lambda o: o["id"]) if args.get("orderby") == "id" else (lambda o: (o["date_created"], o["id"]))
    orders.sort(key=key, reverse=args.get("order", "desc") != "asc")
    return _paginate(orders, args, f"{store.url}/wp-json/wc/v3/orders")


def get_order(store, payload, args, order_id):
    order_id = _order(store, order_id, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
    return 200, store.order_json(order_id), {}


def update_order(store, payload, args, order_id):
    order_id = _order(store, order_id, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
    if "status" in payload and payload["status"] not in ORDER_STATUSES:
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status",
                       params={"status": f"status is not one of {', '.join(ORDER_STATUSES)}."})
    return 200, store.update_order(order_id, payload), {}


def system_status(store, payload, args):
    """A sliver of ``GET wc/v3/system_status``: the environment's version and WordPress locale,
    filtered by ``_fields`` (dotted names select nested keys) as WordPress does."""
    status = {"environment": {"version": "10.0.2", "wp_version": "6.8.3", "language": store.language,
                              "home_url": store.url, "site_url": store.url},
              "active_plugins": [{"plugin": "woo-advanced-shipment-tracking/woocommerce-advanced-shipment-tracking.php",
                                  "name": "Advanced Shipment Tracking for WooCommerce", "version": "3.9.2"}]
              if store.backend == "shipment_tracking" else []}
    if args.get("_fields"):
        wanted = [f.strip().split(".") for f in args["_fields"].split(",") if f.strip()]
        filtered = {}
        for path in wanted:
            value = status.get(path[0])
            if len(path) == 2 and isinstance(value, dict) and path[1] in value:
                filtered.setdefault(path[0], {})[path[1]] = value[path[1]]
            elif len(path) == 1 and path[0] in status:
                filtered[path[0]] = value
        status = filtered
    return 200, status, {}


# --- notes -------------------------------------------------------------------------------------

def list_notes(store, payload, args, order_id):
    notes = store.list_notes(_order(store, order_id))
    kind = args.get("type", "any")
    if kind in ("customer", "internal"):
        notes = [n for n in notes if n["customer_note"] == (kind == "customer")]
    return 200, notes, {}


def create_note(store, payload, args, order_id):
    order_id = _order(store, order_id)
    _require(payload, "note")
    customer = payload.get("customer_note") in (True, 1, "1", "true")
    note = store.add_note(order_id, str(payload["note"]), customer_note=customer)
    return 201, note, {"Location": f"{store.url}/wp-json/wc/v3/orders/{order_id}/notes/{note['id']}"}


def _note(store, order_id: int, note_id: str) -> dict:
    for note in store.notes[order_id]:
        if note["id"] == int(note_id):
            return note
    raise ApiError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")


def get_note(store, payload, args, order_id, note_id):
    order_id = _order(store, order_id)
    return 200, dict(_note(store, order_id, note_id)), {}


def delete_note(store, payload, args, order_id, note_id):
    order_id = _order(store, order_id)
    if args.get("force") not in ("true", "1", "True"):
        raise ApiError(501, "woocommerce_rest_trash_not_supported", "The resource does not support trashing.")
    with store.lock:
        note = _note(store, order_id, note_id)
        store.notes[order_id].remove(note)
    return 200, dict(note), {}


# --- Shipment Tracking API ---------------------------------------------------------------------

def list_trackings(store, payload, args, order_id):
    order_id = _order(store, order_id)
    with store.lock:
        return 200, [tracking_json(item) for item in store.trackings[order_id]], {}


def create_tracking(store, payload, args, order_id):
    order_id = _order(store, order_id)
    _require(payload, "tracking_number")
    item = store.add_tracking(order_id, payload)
    return 201, item, {"Location": f"{store.url}/wp-json/wc-shipment-tracking/v3/orders/{order_id}"
                                   f"/shipment-trackings/{item['tracking_id'][:6]}"}


def providers(store, payload, args, order_id):
    return 200, {"Global": dict(PROVIDERS)}, {}


def get_tracking(store, payload, args, order_id, tracking_id):
    order_id = _order(store, order_id)
    with store.lock:
        for item in store.trackings[order_id]:
            if item["tracking_id"] == tracking_id:
                return 200, tracking_json(item), {}
    raise ApiError(404, "woocommerce_rest_shop_order_shipment_tracking_invalid_id", "Invalid shipment tracking ID.")


def delete_tracking(store, payload, args, order_id, tracking_id):
    order_id = _order(store, order_id)
    deleted = store.delete_tracking(order_id, tracking_id)
    if deleted is None:
        raise ApiError(404, "woocommerce_rest_shop_order_shipment_tracking_invalid_id", "Invalid shipment tracking ID.")
    return 200, deleted, {}


# --- native fulfillments (WooCommerce 10.1+) -----------------------------------------------------

def list_fulfillments(store, payload, args, order_id):
    return 200, store.live_fulfillments(_order(store, order_id)), {}


def create_fulfillment(store, payload, args, order_id):
    order_id = _order(store, order_id)
    try:
        return 201, store.add_fulfillment(order_id, payload), {}
    except ValueError as error:  # RestApiControllerBase answers the exception's code (0) with 400
        raise ApiError(400, 0, str(error)) from None


def get_fulfillment(store, payload, args, order_id, fulfillment_id):
    order_id = _order(store, order_id)
    for fulfillment in store.live_fulfillments(order_id):
        if fulfillment["id"] == int(fulfillment_id):
            return 200, fulfillment, {}
    raise ApiError(400, 404, "Fulfillment not found.")


def delete_fulfillment(store, payload, args, order_id, fulfillment_id):
    order_id = _order(store, order_id)
    if store.delete_fulfillment(order_id, int(fulfillment_id)) is None:
        raise ApiError(400, 404, "Fulfillment not found.")
    return 200, {"message": "Fulfillment deleted successfully."}, {}


# --- webhooks ----------------------------------------------------------------------------------

def webhook_json(store, webhook: dict) -> dict:
    data = {k: v for k, v in webhook.items() if k not in ("secret", "failure_count")}
    data["_links"] = {"self": [{"href": f"{store.url}/wp-json/wc/v3/webhooks/{webhook['id']}"}],
                      "collection": [{"href": f"{store.url}/wp-json/wc/v3/webhooks"}]}
    return data


def _webhook(store, webhook_id: str) -> dict:
    webhook = store.webhooks.get(int(webhook_id))
    if webhook is None:
        raise ApiError(404, "woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.")
    return webhook


def _check_webhook_fields(payload: dict) -> None:
    if "topic" in payload and payload["topic"] not in WEBHOOK_TOPICS:
        raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_topic", "Webhook topic is required and must be valid.")
    url = payload.get("delivery_url")
    if "delivery_url" in payload and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_delivery_url",
                       "Webhook delivery URL must be a valid URL starting with http:// or https://.")
    if "status" in payload and payload["status"] not in WEBHOOK_STATUSES:
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")


def list_webhooks(store, payload, args):
    with store.lock:
        hooks = [webhook_json(store, w) for w in sorted(store.webhooks.values(), key=lambda w: w["id"])]
    if args.get("status") and args["status"] != "all":
        hooks = [w for w in hooks if w["status"] == args["status"]]
    return _paginate(hooks, args, f"{store.url}/wp-json/wc/v3/webhooks")


def create_webhook(store, payload, args):
    """Creates, then pings the delivery URL *before* answering 201, as WooCommerce does."""
    if not payload.get("topic"):
        raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_topic", "Webhook topic is required and must be valid.")
    if not payload.get("delivery_url"):
        raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_delivery_url",
                       "Webhook delivery URL must be a valid URL starting with http:// or https://.")
    _check_webhook_fields(payload)
    with store.lock:
        now, topic = wc_time(), payload["topic"]
        webhook = {"id": store.next_id("webhook"), "name": payload.get("name") or f"Webhook created on {now}",
                   "status": payload.get("status") or "active", "topic": topic, "resource": topic.split(".")[0],
                   "event": topic.split(".")[1], "hooks": WEBHOOK_TOPICS[topic], "delivery_url": payload["delivery_url"],
                   "secret": payload.get("secret") or secrets.token_urlsafe(24), "failure_count": 0,
                   "date_created": now, "date_created_gmt": now, "date_modified": None, "date_modified_gmt": None}
        store.webhooks[webhook["id"]] = webhook
    store.sandbox.deliverer.ping(store, webhook)
    with store.lock:
        return 201, webhook_json(store, webhook), {"Location": f"{store.url}/wp-json/wc/v3/webhooks/{webhook['id']}"}


def get_webhook(store, payload, args, webhook_id):
    with store.lock:
        return 200, webhook_json(store, _webhook(store, webhook_id)), {}


def update_webhook(store, payload, args, webhook_id):
    _check_webhook_fields(payload)
    with store.lock:
        webhook = _webhook(store, webhook_id)
        for field in ("name", "status", "delivery_url", "secret"):
            if payload.get(field) not in (None, ""):
                webhook[field] = payload[field]
        if payload.get("topic"):
            topic = webhook["topic"] = payload["topic"]
            webhook.update(resource=topic.split(".")[0], event=topic.split(".")[1], hooks=WEBHOOK_TOPICS[topic])
        if payload.get("status") == "active":
            webhook["failure_count"] = 0
        webhook["date_modified"] = webhook["date_modified_gmt"] = wc_time()
        return 200, webhook_json(store, webhook), {}


def delete_webhook(store, payload, args, webhook_id):
    if args.get("force") not in ("true", "1", "True"):
        raise ApiError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
    with store.lock:
        webhook = _webhook(store, webhook_id)
        del store.webhooks[webhook["id"]]
        return 200, webhook_json(store, webhook), {}
