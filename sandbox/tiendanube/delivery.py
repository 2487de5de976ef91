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
import heapq
import hmac
import itertools
import json
import threading
import time

import requests

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


class Deliverer:
    def __init__(self, sandbox, time_scale: float = 1.0, delivery_timeout: float = 3.0):
        self.sandbox, self.time_scale, self.delivery_timeout = sandbox, time_scale, delivery_timeout
        self._queue: list = []
        self._busy = 0
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="tiendanube-sandbox-webhooks", daemon=True)
        self.http = requests.Session()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def enqueue(self, store, webhook: dict, payload: dict) -> None:
        """Deliver ``payload`` to the webhook as registered now (serialised now: the body never
        changes between retries, and an uninstall's own event still goes out)."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        self._push(time.monotonic(), store, (webhook["id"], webhook["url"], webhook["event"]), body, 1)

    def drop(self, store_id: int) -> None:
        with self._cond:
            self._queue = [job for job in self._queue if job[2].store_id != store_id]
            heapq.heapify(self._queue)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def _push(self, due: float, store, target: tuple, body: bytes, attempt: int) -> None:
        with self._cond:
            heapq.heappush(self._queue, (due, next(self._seq), store, target, body, attempt))
            self._cond.notify_all()

    def _run(self) -> None:
        gaps = retry_gaps()
        while True:
            with self._cond:
                while not self._stopped and (not self._queue or self._queue[0][0] > time.monotonic()):
                    self._cond.wait(timeout=(self._queue[0][0] - time.monotonic()) if self._queue else None)
                if self._stopped:
                    return
                _due, _seq, store, target, body, attempt = heapq.heappop(self._queue)
                self._busy += 1
            try:
                ok = self._deliver(store, target, body, attempt)
                if not ok and attempt < len(gaps) + 1:
                    self._push(time.monotonic() + gaps[attempt - 1] * self.time_scale, store, target, body,
                               attempt + 1)
            except Exception:  # a sandbox bug must not stop deliveries for every store
                pass
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _deliver(self, store, target: tuple, body: bytes, attempt: int) -> bool:
        """True when answered 2xx in time."""
        webhook_id, url, event = target
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json",
                   "x-linkedstore-hmac-sha256": sign(self.sandbox.client_secret, body)}
        status, error = None, None
        try:
            status = self.http.post(url, data=body, headers=headers, timeout=self.delivery_timeout,
                                    allow_redirects=False).status_code
        except requests.RequestException as exc:
            error = type(exc).__name__
        with store.lock:
            store.delivery_log.append({"t": time.time(), "monotonic": time.monotonic(), "webhook_id": webhook_id,
                                       "event": event, "url": url, "attempt": attempt, "status": status,
                                       "error": error, "body": body.decode()})
        return status is not None and 200 <= status < 300
