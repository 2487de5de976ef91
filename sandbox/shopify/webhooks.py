"""Webhook payloads (Shopify's REST shapes) and their signed delivery."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid

import requests

from .model import Order, Shop, gid, iso, now

DELIVERY_TIMEOUT = 5.0  # Shopify gives an endpoint 5 s to answer


def topic_enum(topic: str) -> str:
    """"orders/create" -> "ORDERS_CREATE" (the GraphQL WebhookSubscriptionTopic)."""
    return topic.replace("/", "_").upper()


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _rest_fulfillment_status(order: Order) -> str | None:
    status = order.display_fulfillment_status
    return {"UNFULFILLED": None, "PARTIALLY_FULFILLED": "partial", "FULFILLED": "fulfilled"}[status]


def order_payload(order: Order) -> dict:
    """An order as the orders/* webhooks carry it (REST Admin shape, numeric ids)."""
    customer = order.customer
    return {
        "id": order.id, "admin_graphql_api_id": gid("Order", order.id), "name": order.name,
        "order_number": int(order.name.lstrip("#")) if order.name.lstrip("#").isdigit() else None,
        "email": order.email, "created_at": iso(order.created_at), "updated_at": iso(order.updated_at),
        "processed_at": iso(order.created_at), "cancelled_at": iso(order.cancelled_at),
        "cancel_reason": order.cancel_reason, "closed_at": iso(order.closed_at),
        "financial_status": "paid", "fulfillment_status": _rest_fulfillment_status(order), "currency": "USD",
        "customer": None if not customer else {
            "id": customer["id"], "admin_graphql_api_id": gid("Customer", customer["id"]),
            "email": customer.get("email"), "first_name": customer.get("first_name"),
            "last_name": customer.get("last_name")},
        "line_items": [{
            "id": li.id, "admin_graphql_api_id": gid("LineItem", li.id), "title": li.title, "name": li.title,
            "quantity": li.quantity, "sku": li.sku, "requires_shipping": True,
            "fulfillable_quantity": li.quantity - order.fulfilled_quantity(li.id),
            "fulfillment_status": None if order.fulfilled_quantity(li.id) == 0 else
            ("fulfilled" if order.fulfilled_quantity(li.id) >= li.quantity else "partial"),
        } for li in order.line_items],
        "fulfillments": [{
            "id": f.id, "admin_graphql_api_id": gid("Fulfillment", f.id), "order_id": order.id, "name": f.name,
            "status": "cancelled" if f.status == "CANCELLED" else "success",
            "tracking_company": f.tracking[0]["company"] if f.tracking else None,
            "tracking_number": f.tracking[0]["number"] if f.tracking else None,
            "tracking_numbers": [t["number"] for t in f.tracking],
            "tracking_url": f.tracking[0]["url"] if f.tracking else None,
            "tracking_urls": [t["url"] for t in f.tracking if t["url"]],
            "line_items": [{"id": x.line_item_id, "quantity": x.quantity} for x in f.line_items],
            "created_at": iso(f.created_at), "updated_at": iso(f.updated_at),
        } for f in order.fulfillments],
    }


def shop_payload(shop: Shop) -> dict:
    return {"id": shop.id, "name": shop.name, "domain": shop.domain, "myshopify_domain": shop.domain,
            "email": f"owner@{shop.domain}", "plan_name": shop.plan.lower()}


def post(uri: str, topic: str, shop: str, payload: dict, *, secret: str, api_version: str,
         event_id: str | None = None, webhook_id: str | None = None, signature: str | None = None) -> dict:
    """POST one delivery; returns what happened (never raises)."""
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature if signature is not None else sign(body, secret),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": now().isoformat().replace("+00:00", "Z"),
    }
    outcome = {"uri": uri, "topic": topic, "shop": shop, "event_id": headers["X-Shopify-Event-Id"],
               "webhook_id": headers["X-Shopify-Webhook-Id"], "status": None, "error": None}
    try:
        response = requests.post(uri, data=body, headers=headers, timeout=DELIVERY_TIMEOUT)
        outcome["status"] = response.status_code
    except requests.RequestException as exc:
        outcome["error"] = type(exc).__name__
    return outcome
