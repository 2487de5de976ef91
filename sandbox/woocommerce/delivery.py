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
import heapq
import hmac
import itertools
import json
import threading
import time

import requests

USER_AGENT = "WooCommerce/10.0.2 Hookshot (WordPress/6.8.3)"
DELIVERY_TIMEOUT = 10.0
PING_TIMEOUT = 5.0


def wp_json_encode(data) -> bytes:
    return json.dumps(data, separators=(",", ":")).replace("/", "\\/").encode()


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class Deliverer:
    def __init__(self):
        self._queue: list = []
        self._pending: set = set()
        self._busy = 0
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="woo-sandbox-webhooks", daemon=True)
        self.http = requests.Session()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def enqueue(self, store, webhook_id: int, order_id: int, event: str, delay: float) -> None:
        key = (store.name, webhook_id, order_id)
        with self._cond:
            if key in self._pending:
                return  # coalesced: the pending delivery will carry the latest state
            self._pending.add(key)
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._seq), store, webhook_id, order_id, event))
            self._cond.notify_all()

    def drop(self, store_name: str) -> None:
        with self._cond:
            self._queue = [job for job in self._queue if job[2].name != store_name]
            heapq.heapify(self._queue)
            self._pending = {key for key in self._pending if key[0] != store_name}

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery was made (for tests and the demo)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._queue or self._queue[0][0] > time.monotonic()):
                    self._cond.wait(timeout=(self._queue[0][0] - time.monotonic()) if self._queue else None)
                if self._stopped:
                    return
                _due, _seq, store, webhook_id, order_id, event = heapq.heappop(self._queue)
                self._pending.discard((store.name, webhook_id, order_id))
                self._busy += 1
            try:
                self.deliver(store, webhook_id, order_id, event)
            except Exception:  # a sandbox bug must not kill deliveries for every store
                pass
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

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
        status, error = _post(self.http, url, body, headers, DELIVERY_TIMEOUT)
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
        status, error = _post(self.http, webhook["delivery_url"], body,
                              {"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"},
                              PING_TIMEOUT)
        with store.lock:
            store.delivery_log.append({"t": time.time(), "kind": "ping", "webhook_id": webhook["id"],
                                       "topic": webhook["topic"], "order_id": None, "url": webhook["delivery_url"],
                                       "status": status, "error": error, "delivery_id": None,
                                       "body": body.decode()})


def _post(http, url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str | None]:
    try:
        response = http.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        return response.status_code, None
    except requests.RequestException as error:
        return None, type(error).__name__


def _count(store, webhook: dict, status: int | None) -> None:
    """WC_Webhook::failed_delivery: disable once the count is past the limit, else count one more."""
    if status is not None and 200 <= status < 300:
        webhook["failure_count"] = 0
    elif webhook["failure_count"] > store.max_webhook_failures:
        webhook["status"] = "disabled"
    else:
        webhook["failure_count"] += 1
