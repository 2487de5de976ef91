"""POST /webhooks/shopify: Shopify's verification, and one small handler per topic, named after it.

The receiving itself (dedupe, handle, record, commit, enqueue) is ``webhooks.delivery``'s;
the order topics are ``webhooks.orders``' (one policy for every platform).

Every handler is safe to run twice (Shopify delivers at least once and out of order),
and treats the webhook as a trigger: order state is read back from the store by the
worker, so a late copy never rolls an order back.
"""
from __future__ import annotations

import json
import logging

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import delete, or_, select

from db import get_session
from models import SYNCED, UNINSTALLED, Order, Package, WebhookReceipt
from stores import find_store
from sync import causes
from sync.packages import hold_waiting
from webhooks import orders
from webhooks.delivery import Refused, Source, duplicate
from webhooks.delivery import receive as receive_delivery
from webhooks.signatures import valid_base64_hmac

bp = Blueprint("shopify_webhooks", __name__)
log = logging.getLogger(__name__)

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


def app_uninstalled(session, store, payload):
    """Stop all work for the store and drop its tokens; a re-install starts afresh."""
    store.status = UNINSTALLED
    store.credentials_encrypted = None
    store.token_expires_at = store.refresh_expires_at = None
    waiting = session.scalars(select(Package).where(Package.store_id == store.id, Package.status != SYNCED)).all()
    hold_waiting(waiting, causes.STORE_UNINSTALLED, "The app was uninstalled from the store.")
    return {"uninstalled": store.domain}, []


def _customer_orders(session, store, payload):
    customer = payload.get("customer") or {}
    wanted = [str(i) for i in (payload.get("orders_requested") or payload.get("orders_to_redact") or [])]
    conditions = [Order.external_id.in_(wanted)] if wanted else []
    if customer.get("email"):
        conditions.append(Order.customer_email == customer["email"])
    if not conditions:
        return []
    return session.scalars(select(Order).where(Order.store_id == store.id, or_(*conditions))).all()


def customers_data_request(session, store, payload):
    """What ShipSync holds about the customer, kept with the receipt for the merchant to pass on."""
    orders = _customer_orders(session, store, payload)
    report = [{"order": o.name, "customer_name": o.customer_name, "customer_email": o.customer_email,
               "tracking_numbers": [p.tracking_number for p in o.packages]} for o in orders]
    log.info("customers/data_request for store %s: %d order(s) reported", store.id, len(report))
    return {"data_request": report}, []


def customers_redact(session, store, payload):
    """Erase the customer's personal data; shipments stay, without a name or address attached."""
    orders = _customer_orders(session, store, payload)
    for order in orders:
        order.customer_name = order.customer_email = None
    # Earlier data-request reports carry the same personal data.
    session.execute(delete(WebhookReceipt).where(WebhookReceipt.store_id == store.id,
                                                 WebhookReceipt.topic == "customers/data_request"))
    return {"redacted_orders": len(orders)}, []


def shop_redact(session, store, payload):
    """Erase everything of the store: Shopify sends this 48 hours after uninstall, so a store
    that is installed is never erased. The erasing is the worker's (a big store takes long)."""
    if store.status != UNINSTALLED:
        return {"ignored": "store is installed"}, []
    return {"redacting": True}, [lambda: _queue().redact_store(store.id)]


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
