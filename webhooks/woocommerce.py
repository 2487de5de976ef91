"""POST /webhooks/woocommerce/<store_id>: a WooCommerce store tells us an order changed.

Each store signs with its own secret (made at connect time), so the URL names the store.
Verify, record, update our copy of the order, answer — no store call: WooCommerce counts
a slow or failed answer against the webhook and disables it after a few.

Order webhooks are treated as news, not commands: a body older than our copy changes
nothing, and ``order.updated`` fires for ShipSync's own writes too (the tracking and the
``completed`` status we set): such an echo, when it changes nothing we keep, is answered
and ignored, so no write of ours ever triggers another.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from connectors.woocommerce import merge_status, parse_order
from db import URL_ID, get_session
from models import UNINSTALLED, Order, Store
from sync import causes
from sync.credentials import store_access
from sync.engine import CANCELLED_MESSAGE, hold_waiting
from sync.orders import local_fulfillment_status, upsert_order
from webhooks import receipts
from webhooks.signatures import valid_base64_hmac

bp = Blueprint("woocommerce_webhooks", __name__)

_PING = re.compile(rb"^webhook_id=\d+$")


def _answer(http_status: int = 200, **body):
    return jsonify(body or {"status": "ok"}), http_status


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
    source = f"woocommerce:{store.id}"
    if (earlier := receipts.previous_response(session, source, delivery_id)) is not None:
        return jsonify(earlier.response), 200  # a repeat: same answer, no new work
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _answer(400, error="the body is not valid JSON")
    handler = HANDLERS.get(topic)
    if handler is None:
        return _answer(200, status="ignored", reason=f"topic {topic!r} is not handled")
    try:
        response = handler(session, store, data)
    except (ValueError, TypeError, KeyError, AttributeError) as error:  # not an order's shape
        session.rollback()
        return _answer(400, error=f"not a WooCommerce order: {error}")
    if not receipts.record(session, source, delivery_id, store_id=store.id, topic=topic,
                                           response=response):
        session.rollback()
        return jsonify(receipts.previous_response(session, source, delivery_id).response), 200
    session.commit()
    return jsonify(response), 200


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


def order_created(session, store, data) -> dict:
    return _upsert(session, store, parse_order(data))


def order_updated(session, store, data) -> dict:
    """Also the echo of our own writes: harmless, it is compared and dropped."""
    return _upsert(session, store, parse_order(data))


def order_deleted(session, store, data) -> dict:
    """The body is only ``{"id": N}``: the order is gone (trashed or deleted) in the store."""
    order_id = str(data.get("id", "")) if isinstance(data, dict) else ""
    if not order_id:
        raise ValueError("order.deleted without an order id")
    order = _find_order(session, store.id, order_id)
    if order is None:
        return {"status": "ignored", "order_id": order_id}
    order.cancelled = True
    hold_waiting(order.packages, causes.ORDER_CANCELLED, CANCELLED_MESSAGE)
    return {"status": "cancelled", "order_id": order_id}


HANDLERS = {"order.created": order_created, "order.updated": order_updated, "order.deleted": order_deleted}


def _upsert(session, store, remote) -> dict:
    order = _find_order(session, store.id, remote.id)
    if order is not None:
        if remote.updated_at and order.store_updated_at and remote.updated_at < order.store_updated_at:
            return {"status": "stale", "order_id": remote.id}
        # An order-note store says nothing about shipping in the order itself: what we
        # synced counts too, so an echo never turns a shipped order back to unfulfilled.
        remote = dataclasses.replace(remote, fulfillment_status=merge_status(
            remote.fulfillment_status, local_fulfillment_status(order)))
        if _unchanged(order, remote):
            return {"status": "unchanged", "order_id": remote.id}
    order = upsert_order(session, store.id, remote)
    if remote.cancelled:
        hold_waiting(order.packages, causes.ORDER_CANCELLED, CANCELLED_MESSAGE)
    return {"status": "updated", "order_id": remote.id}


def _unchanged(order: Order, remote) -> bool:
    lines = [{"id": li.id, "title": li.title, "quantity": li.quantity, "sku": li.sku} for li in remote.line_items]
    return (order.name == remote.name and (order.line_items or []) == lines and order.cancelled == remote.cancelled
            and order.fulfillment_status == remote.fulfillment_status
            and (order.customer_name, order.customer_email) == (remote.customer_name, remote.customer_email))


def _find_order(session, store_id: int, external_id: str) -> Order | None:
    return session.execute(
        select(Order).where(Order.store_id == store_id, Order.external_id == external_id)
    ).scalar_one_or_none()
