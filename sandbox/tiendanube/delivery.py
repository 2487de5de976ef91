"""Webhook deliveries as Tiendanube makes them: signed, asynchronous, retried for two days.

- Body: ``{"store_id", "event", "id"}`` (fulfillment-order events: ``order_id``,
  ``fulfillment_id``, ``status``, ids as strings); nothing else.
- ``x-linkedstore-hmac-sha256``: lowercase hex HMAC-SHA256 of the raw body, keyed with the
  app's client secret.
- A delivery needs a 2xx within ``delivery_timeout`` (3 s). A failure is retried once at
  once, then about 5, 10 and 15 minutes later, then with gaps growing by 1.4, for up to
  48 hours and 18 attempts in all. ``time_scale`` compresses that schedule for tests (one
  real second per ``1 / time_scale`` scheduled seconds).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time

from sandbox.common.delivery import DeliveryQueue, post, succeeded

USER_AGENT = "Tiendanube-Webhooks (sandbox)"
MAX_ATTEMPTS, HORIZON = 18, 48 * 3600.0


def retry_gaps() -> list[float]:
    """Seconds between attempt n and n+1 (attempt 1 has no gap): 0, 5, 10, 15 min, then × 1.4,
    stopping at 18 attempts or 48 h (the last gap clipped to land on 48 h)."""
    gaps, gap = [0.0, 300.0, 600.0, 900.0], 900.0
    total = sum(gaps)
    while len(gaps) + 1 < MAX_ATTEMPTS:
        gap *= 1.4
        if total + gap >= HORIZON:
            gaps.append(HORIZON - total)
            break
        gaps.append(gap)
        total += gap
    return gaps


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Deliverer(DeliveryQueue):
    def __init__(self, sandbox, time_scale: float = 1.0, delivery_timeout: float = 3.0):
        super().__init__("tiendanube-sandbox-webhooks")
        self.sandbox, self.time_scale, self.delivery_timeout = sandbox, time_scale, delivery_timeout
        self._gaps = retry_gaps()

    def enqueue(self, store, webhook: dict, payload: dict) -> None:
        """Deliver ``payload`` to the webhook as registered now (serialised now: the body never
        changes between retries, and an uninstall's own event still goes out)."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        self.schedule(time.monotonic(), store, ((webhook["id"], webhook["url"], webhook["event"]), body, 1))

    def deliver(self, store, target: tuple, body: bytes, attempt: int) -> None:
        """One attempt; a failed one is scheduled again after the platform's gap."""
        webhook_id, url, event = target
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json",
                   "x-linkedstore-hmac-sha256": sign(self.sandbox.client_secret, body)}
        status, error = post(self.http, url, body, headers, self.delivery_timeout)
        with store.lock:
            store.delivery_log.append({"t": time.time(), "monotonic": time.monotonic(), "webhook_id": webhook_id,
                                       "event": event, "url": url, "attempt": attempt, "status": status,
                                       "error": error, "body": body.decode()})
        if not succeeded(status) and attempt < len(self._gaps) + 1:
            self.schedule(time.monotonic() + self._gaps[attempt - 1] * self.time_scale, store,
                          (target, body, attempt + 1))
