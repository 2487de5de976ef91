"""POST /webhooks/tiendanube: verify, then the shared skeleton (``webhooks.delivery.receive``).

Every delivery is ``{store_id, event, id}`` signed with ``x-linkedstore-hmac-sha256`` (hex
HMAC-SHA256 of the raw body, the app's client secret); the privacy topics arrive at the
same address. Payloads carry ids only, so an order event is a trigger: the worker reads the
order back through the connector (``webhooks.orders``). Tiendanube wants a 2xx within 3 s and
retries a failed delivery for 48 hours with no delivery id, so nothing here calls the store
and repeats are recognised by their content (``webhooks.delivery_key``).

App-facing (``Platform.app_modules``): imported by the app layer only.
"""
from __future__ import annotations

import json
import time

from flask import Blueprint, current_app, jsonify, request

from db import get_session
from models import UNINSTALLED
from stores import find_store
from webhooks import orders, store_topics
from webhooks.delivery import Refused, Source, duplicate, receive as receive_delivery

from .webhooks import PRIVACY_TOPICS, SIGNATURE_HEADER, delivery_key, parse_webhook, verify_signature

PLATFORM = "tiendanube"
bp = Blueprint("tiendanube_webhooks", __name__)
SOURCE = Source(PLATFORM, repeat=duplicate)

HANDLERS = {
    "order/created": orders.order_created,
    "order/updated": orders.order_updated,
    "order/cancelled": orders.order_cancelled,
    "app/uninstalled": store_topics.app_uninstalled,
    "store/redact": store_topics.shop_redact,  # erases only a store already uninstalled
    "customers/redact": store_topics.customers_redact,
    "customers/data_request": store_topics.customers_data_request,
}


@bp.post("/webhooks/tiendanube")
def receive():
    body = request.get_data(cache=True)
    secret = current_app.config["SETTINGS"].tiendanube_client_secret
    if not verify_signature(secret, body, request.headers.get(SIGNATURE_HEADER)):
        return jsonify(error=f"invalid {SIGNATURE_HEADER}"), 401
    try:
        event = parse_webhook(body)
        payload = json.loads(body)
    except ValueError as error:
        return jsonify(error=f"not a Tiendanube webhook: {error}"), 400
    handler = HANDLERS.get(event.event)
    if handler is None:
        return jsonify(ignored=event.event), 200
    session = get_session()

    def find():
        store = find_store(session, PLATFORM, event.store_id)
        if store is None or (store.status == UNINSTALLED and event.event not in PRIVACY_TOPICS):
            raise Refused(200, {"ignored": "store not installed"})  # nothing of theirs to update
        return store

    # Order events name the order as ``id`` (fulfillment-order events as ``order_id``).
    payload = {**payload, "id": event.order_id or event.resource_id}
    return receive_delivery(session, SOURCE, delivery_key(payload, event.event, time.time()), event.event, find,
                            handler, payload, keep_receipt=event.event != "store/redact")
