"""A per-store budget of API points, learned from the throttle status the store reports.

Shopify answers every call with the state of the app's bucket for that store. Remembering
the last answer lets a worker wait *before* a call that would be throttled, instead of
spending one of a package's attempts on a THROTTLED answer — which matters most in a
mass sync. The budget lives in each worker process: every process learns the real,
shared bucket from its own latest answer, and Shopify's THROTTLED remains the backstop.
"""
from __future__ import annotations

import dataclasses
import threading
import time

from connectors.base import RateStatus

# Shopify admits a query only when the bucket holds its *requested* cost, then refunds
# what it did not use. A package sync's largest request (the fulfillment lookup, the
# fulfillment orders) asks for under 300 points; all of it together really costs about
# 30 (two small reads and a 10-point fulfillmentCreate).
PEAK_REQUESTED_COST = 300.0
SYNC_COST = 30.0


@dataclasses.dataclass
class _Bucket:
    available: float
    maximum: float
    restore_rate: float
    at: float

    def now(self, at: float) -> float:
        return min(self.maximum, self.available + (at - self.at) * self.restore_rate)


class RateBudget:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[int, _Bucket] = {}

    def observe(self, store_id: int, status: RateStatus | None) -> None:
        if status is None:
            return
        with self._lock:
            self._buckets[store_id] = _Bucket(status.available, status.maximum, status.restore_rate, self._clock())

    def reserve(self, store_id: int, required: float = PEAK_REQUESTED_COST, spend: float = SYNC_COST) -> float:
        """Seconds to wait until the bucket holds ``required`` points; 0 means go, and
        ``spend`` points are counted as used so that parallel workers do not all go."""
        with self._lock:
            bucket = self._buckets.get(store_id)
            if bucket is None or bucket.restore_rate <= 0:
                return 0.0  # nothing known yet: the store's answer will tell us
            at = self._clock()
            available, required = bucket.now(at), min(required, bucket.maximum)
            if available >= required:
                bucket.available, bucket.at = available - spend, at
                return 0.0
            return (required - available) / bucket.restore_rate
