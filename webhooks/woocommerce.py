"""POST /webhooks/woocommerce/<store_id>: a WooCommerce store tells us an order changed.

Each store signs with its own secret (made at connect time), so the URL names the store.
Verify here; receive through ``webhooks.delivery`` (dedupe, handle, record, commit) and
the order policy of ``webhooks.orders`` — no store call: WooCommerce counts a slow or
failed answer against the webhook and disables it after a few. ``order.updated`` fires
for ShipSync's own writes too (the tracking and the ``completed`` status we set); the
order policy answers such an echo and ignores it.
"""
from __future__ import annotations

import hashlib
import json
import re

from flask import Blueprint, current_app, jsonify, request
from db import URL_ID, get_session
from models import UNINSTALLED, Store
from stores import store_access
from webhooks import orders
from webhooks.delivery import Source
from webhooks.delivery import receive as receive_delivery
from webhooks.signatures import valid_base64_hmac

bp = Blueprint("woocommerce_webhooks", __name__)

_PING = re.compile(rb"^webhook_id=\d+$")


def _answer(http_status: int = 200, **body):
    return jsonify(body or {"status": "ok"}), http_status


class WooCommerceSource(Source):
    def not_its_shape(self, _topic: str, error: Exception) -> str:
        return f"not a WooCommerce order: {error}"


@bp.post(f"/webhooks/woocommerce/<{URL_ID}:store_id>")
def receive(store_id: int):
    session = get_session()
    store = session.get(Store, store_id)
    if store is None or store.platform != "woocommerce" or store.status == UNINSTALLED:
        return _answer(404, error="unknown store")
    body = request.get_data(cache=True)
    signature = request.headers.get("X-WC-Webhook-Signature")
    if signature is None and _PING.match(body.strip()):
        # The unsigned ping WooCommerce sends when a webhook is created: it proves the URL answers.
        return _answer(200, status="pong")
    secret = store_access(store, current_app.extensions["shipsync"].cipher).credentials.webhook_secret
    if not valid_base64_hmac(secret or "", body, signature):
        return _answer(401, error="invalid X-WC-Webhook-Signature")

    topic = request.headers.get("X-WC-Webhook-Topic", "")
    delivery_id = content_key(request.headers.get("X-WC-Webhook-ID", ""), topic, body)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _answer(400, error="the body is not valid JSON")
    handler = HANDLERS.get(topic)
    if handler is None:
        return _answer(200, status="ignored", reason=f"topic {topic!r} is not handled")
    return receive_delivery(session, WooCommerceSource(f"woocommerce:{store.id}"), delivery_id, topic,
                            lambda: store, handler, data)


def content_key(webhook_id: str, topic: str, body: bytes) -> str:
    """What identifies a delivery's *content*: the webhook, its topic and the exact body.

    Never the ``X-WC-Webhook-Delivery-ID`` alone: WooCommerce makes it
    ``wp_hash($webhook_id . strtotime('now'))``, the same for every delivery of one webhook
    within one second (three orders placed in one second arrive with one id). A body built
    from a different state of the order differs; a true repeat (same body) is answered
    from the receipt, and dropping it loses nothing.
    """
    digest = hashlib.sha256(body).hexdigest()
    return f"{webhook_id}:{topic}:{digest}"


HANDLERS = {"order.created": orders.order_created, "order.updated": orders.order_updated,
            "order.deleted": orders.order_deleted}
