"""Webhook deliveries, as WooCommerce makes them (via Action Scheduler, asynchronously).

- A delivery is queued when an order changes and sent ``webhook_delay`` seconds later, by
  one background thread; its body is built *at delivery time* from the order as it is
  then, so several changes in a row may arrive as one body (a pending delivery for the
  same webhook and order is not queued twice).
- Headers: ``X-WC-Webhook-Source/Topic/Resource/Event/Signature/ID/Delivery-ID``; the
  delivery id is *not* unique: it is the same for every delivery of one webhook within one
  second (``SandboxStore.delivery_id``), as on a real store; the
  signature is base64 HMAC-SHA256 of the raw body with the webhook's secret; the body is
  ``wp_json_encode``d (slashes escaped).
- A 2xx answer resets the webhook's failure count; any other answer or a connection
  error adds one, and past ``max_webhook_failures`` the webhook is ``disabled``.
- Creating a webhook pings its URL synchronously (form body ``webhook_id=N``, unsigned).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from sandbox.common.delivery import DeliveryQueue, post, succeeded

USER_AGENT = "WooCommerce/10.0.2 Hookshot (WordPress/6.8.3)"
DELIVERY_TIMEOUT = 10.0
PING_TIMEOUT = 5.0


def wp_json_encode(data) -> bytes:
    return json.dumps(data, separators=(",", ":")).replace("/", "\\/").encode()


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class Deliverer(DeliveryQueue):
    def __init__(self):
        super().__init__("woo-sandbox-webhooks")

    def enqueue(self, store, webhook_id: int, order_id: int, event: str, delay: float) -> None:
        # Coalesced on (webhook, order): the pending delivery will carry the latest state.
        self.schedule(time.monotonic() + delay, store, (webhook_id, order_id, event), coalesce=(webhook_id, order_id))

    def deliver(self, store, webhook_id: int, order_id: int, event: str) -> None:
        with store.lock:
            webhook = store.webhooks.get(webhook_id)
            if webhook is None or webhook["status"] != "active":
                return
            if event == "deleted":
                payload = {"id": order_id}
            elif order_id in store.orders:
                payload = store.order_json(order_id)
            else:
                return  # the order is gone: nothing to describe
            url, secret, topic = webhook["delivery_url"], webhook["secret"], webhook["topic"]
        body = wp_json_encode(payload)
        delivery_id = store.delivery_id(webhook_id)
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json",
                   "X-WC-Webhook-Source": store.url + "/", "X-WC-Webhook-Topic": topic,
                   "X-WC-Webhook-Resource": "order", "X-WC-Webhook-Event": event,
                   "X-WC-Webhook-Signature": sign(secret, body), "X-WC-Webhook-ID": str(webhook_id),
                   "X-WC-Webhook-Delivery-ID": delivery_id}
        status, error = post(self.http, url, body, headers, DELIVERY_TIMEOUT)
        with store.lock:
            store.delivery_log.append({"t": time.time(), "kind": "delivery", "webhook_id": webhook_id,
                                       "topic": topic, "order_id": order_id, "url": url, "status": status,
                                       "error": error, "delivery_id": delivery_id, "body": body.decode()})
            webhook = store.webhooks.get(webhook_id)
            if webhook is not None:
                _count(store, webhook, status)

    def ping(self, store, webhook: dict) -> None:
        """The creation ping, sent before the REST call that created the webhook answers."""
        body = f"webhook_id={webhook['id']}".encode()
        status, error = post(self.http, webhook["delivery_url"], body,
                             {"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"},
                             PING_TIMEOUT)
        with store.lock:
            store.delivery_log.append({"t": time.time(), "kind": "ping", "webhook_id": webhook["id"],
                                       "topic": webhook["topic"], "order_id": None, "url": webhook["delivery_url"],
                                       "status": status, "error": error, "delivery_id": None,
                                       "body": body.decode()})


def _count(store, webhook: dict, status: int | None) -> None:
    """WC_Webhook::failed_delivery: disable once the count is past the limit, else count one more."""
    if succeeded(status):
        webhook["failure_count"] = 0
    elif webhook["failure_count"] > store.max_webhook_failures:
        webhook["status"] = "disabled"
    else:
        webhook["failure_count"] += 1
