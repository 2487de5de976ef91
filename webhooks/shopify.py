"""POST /webhooks/shopify: Shopify's verification, and one small handler per topic, named after it.

The receiving itself (dedupe, handle, record, commit, enqueue) is ``webhooks.delivery``'s;
the order topics are ``webhooks.orders``' and the uninstall and compliance topics
``webhooks.store_topics``' (one policy for every platform).

Every handler is safe to run twice (Shopify delivers at least once and out of order),
and treats the webhook as a trigger: order state is read back from the store by the
worker, so a late copy never rolls an order back.
"""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from db import get_session
from models import UNINSTALLED
from stores import find_store
from webhooks import orders
from webhooks.delivery import Refused, Source, duplicate
from webhooks.delivery import receive as receive_delivery
from webhooks.signatures import valid_base64_hmac
from webhooks.store_topics import app_uninstalled, customers_data_request, customers_redact, shop_redact

bp = Blueprint("shopify_webhooks", __name__)

COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")


def _queue():
    return current_app.extensions["shipsync"].queue


SOURCE = Source("shopify", repeat=duplicate)


@bp.post("/webhooks/shopify")
def receive():
    body = request.get_data(cache=True)
    if not valid_base64_hmac(current_app.config["SETTINGS"].shopify_api_secret, body,
                             request.headers.get("X-Shopify-Hmac-Sha256")):
        return jsonify(error="invalid X-Shopify-Hmac-Sha256"), 401
    topic = request.headers.get("X-Shopify-Topic", "")
    delivery_id = request.headers.get("X-Shopify-Event-Id") or request.headers.get("X-Shopify-Webhook-Id")
    shop = request.headers.get("X-Shopify-Shop-Domain", "")
    if not delivery_id or not shop:
        return jsonify(error="X-Shopify-Event-Id and X-Shopify-Shop-Domain are required"), 400
    try:
        payload = json.loads(body)
    except ValueError:
        return jsonify(error="the body is not valid JSON"), 400
    handler = HANDLERS.get(topic)
    if handler is None:
        return jsonify(ignored=topic), 200
    if not _names_shop(topic, payload, shop):
        # The HMAC covers the body only: a signed body replayed under another shop's header
        # (or another topic's) must not act on that shop.
        return jsonify(error="the shop named in the payload does not match X-Shopify-Shop-Domain"), 400
    session = get_session()

    def find():
        store = find_store(session, "shopify", shop)
        if store is None or (store.status == UNINSTALLED and topic not in COMPLIANCE_TOPICS):
            raise Refused(200, {"ignored": "store not installed"})  # nothing of theirs to update
        return store

    # shop/redact erases the store's rows, its receipt with them.
    return receive_delivery(session, SOURCE, delivery_id, topic, find, handler, payload,
                            keep_receipt=topic != "shop/redact")


# Where each shop-wide topic's payload names its shop; order topics are triggers only
# (the worker reads the order from the header's store), so they carry no such field.
PAYLOAD_SHOP_FIELDS = {
    "app/uninstalled": ("myshopify_domain", "domain"),
    "customers/data_request": ("shop_domain",),
    "customers/redact": ("shop_domain",),
    "shop/redact": ("shop_domain",),
}


def _names_shop(topic: str, payload, shop: str) -> bool:
    """Whether the signed payload names the header's shop (for topics whose payload names one)."""
    fields = PAYLOAD_SHOP_FIELDS.get(topic)
    if fields is None:
        return isinstance(payload, dict)
    if not isinstance(payload, dict):
        return False
    named = {str(payload[f]).lower() for f in fields if isinstance(payload.get(f), str)}
    return shop.lower() in named


def fulfillment_orders_order_routing_complete(session, store, payload):
    """Fulfillment orders now exist: that order's packages that failed for want of them can go.

    The payload names only the fulfillment order; the worker asks the store which order it
    belongs to and restarts that order's held packages (a store call has no place here).
    """
    fulfillment_order = (payload.get("fulfillment_order") or {}) if isinstance(payload, dict) else {}
    fo_id = str(fulfillment_order.get("id", "") if isinstance(fulfillment_order, dict) else "")
    if not fo_id:
        return {"ignored": "no fulfillment order"}, []
    return {"fulfillment_order": fo_id}, [lambda: _queue().routing_complete(store.id, fo_id)]


HANDLERS = {
    "orders/create": orders.order_created,
    "orders/updated": orders.order_updated,
    "orders/cancelled": orders.order_cancelled,
    "fulfillment_orders/order_routing_complete": fulfillment_orders_order_routing_complete,
    "app/uninstalled": app_uninstalled,
    "customers/data_request": customers_data_request,
    "customers/redact": customers_redact,
    "shop/redact": shop_redact,
}
