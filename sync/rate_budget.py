"""One budget of API points per store, shared by every worker process.

Shopify admits a call only when the app's bucket for the store holds the call's
*requested* cost, charges that up front and refunds what the call did not use. Every
worker process talks to the same bucket, so the budget lives where they all see it: in
Redis when the queue is Redis, in the database otherwise (``store_for``).

The model is Shopify's own: ``reserve`` charges a package sync's worst-case requested
cost before it starts (or says how long to wait for it), ``settle`` gives back what its
calls did not spend and takes the store's reported ``throttleStatus`` as a ceiling — the
lower of the two wins, because our count knows the calls still in flight and the store's
knows everything else. Shopify's THROTTLED stays the backstop.
"""
from __future__ import annotations

import dataclasses
import threading
import time

from connectors.base import RateStatus

# Kept free for what the budget cannot see: clocks drifting, a call that timed out
# after the store charged it. A quarter second of restore (25 points on a Standard store).
MARGIN_SECONDS = 0.25


@dataclasses.dataclass
class Bucket:
    available: float
    maximum: float
    restore_rate: float
    at: float  # epoch seconds of ``available``

    def refilled(self, at: float) -> "Bucket":
        return Bucket(min(self.maximum, self.available + max(0.0, at - self.at) * self.restore_rate),
                      self.maximum, self.restore_rate, at)

    def take(self, cost: float) -> float:
        """Charge ``cost`` and return 0, or return the seconds until the bucket can hold it."""
        needed = min(cost + MARGIN_SECONDS * self.restore_rate, self.maximum)
        if self.available >= needed:
            self.available -= cost
            return 0.0
        return (needed - self.available) / self.restore_rate

    def settle(self, refund: float, status: RateStatus) -> None:
        self.maximum, self.restore_rate = status.maximum, status.restore_rate
        self.available = max(0.0, min(status.available, self.available + refund, self.maximum))


def settled(bucket: Bucket | None, reserved: float, status: RateStatus, at: float) -> Bucket:
    """The bucket after a store answer: ``reserved`` was charged, ``status.spent`` really spent."""
    if bucket is None:
        return Bucket(status.available, status.maximum, status.restore_rate, at)
    bucket = bucket.refilled(at)
    bucket.settle(reserved - status.spent, status)
    return bucket


class RateBudget:
    """reserve / settle on a pluggable shared store of buckets (``MemoryBuckets`` by default)."""

    def __init__(self, buckets=None, clock=time.time):
        self.buckets = buckets or MemoryBuckets()
        self.clock = clock

    def reserve(self, store_id: int, cost: float) -> float:
        """Seconds to wait until the store's bucket holds ``cost``; 0 means go (and it is charged)."""
        if cost <= 0:
            return 0.0
        return self.buckets.update(store_id, lambda bucket: _take(bucket, cost, self.clock()))

    def release(self, store_id: int, reserved: float) -> None:
        """Give back a reservation that was not used (the package needed no store call)."""
        if reserved > 0:
            self.buckets.update(store_id, lambda bucket: (_refunded(bucket, reserved, self.clock()), None))

    def settle(self, store_id: int, reserved: float, status: RateStatus | None) -> None:
        """After a store operation that charged ``reserved`` up front and reported ``status``."""
        if status is None:
            return  # no answer with a budget: nothing learned (a lost refund only makes us careful)
        self.buckets.update(store_id, lambda bucket: (settled(bucket, reserved, status, self.clock()), None))


def _take(bucket: Bucket | None, cost: float, at: float):
    if bucket is None or bucket.restore_rate <= 0:
        return bucket, 0.0  # nothing known yet: the store's first answer will tell us
    bucket = bucket.refilled(at)
    return bucket, bucket.take(cost)


def _refunded(bucket: Bucket | None, points: float, at: float) -> Bucket | None:
    if bucket is None:
        return None
    bucket = bucket.refilled(at)
    bucket.available = min(bucket.maximum, bucket.available + points)
    return bucket


class MemoryBuckets:
    """Buckets of one process (tests, and the web process's rare store calls)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._buckets: dict[int, Bucket] = {}

    def update(self, store_id: int, change):
        """Apply ``change(bucket or None) -> (bucket, result)`` atomically; return the result."""
        with self._lock:
            bucket, result = change(self._buckets.get(store_id))
            if bucket is not None:
                self._buckets[store_id] = bucket
            return result
