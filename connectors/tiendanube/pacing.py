"""Pacing: one local model of each store's leaky bucket, shared by every connector in the process.

The engine makes a connector per operation and runs several worker threads, while
Tiendanube meters the store and app together (40 requests, draining 2/s). So the model
lives here, keyed by the store's API base URL: each answer's ``x-rate-limit-*`` headers
reset it to the truth, and each call reserves a slot first — when the bucket is believed
full, the call waits for its turn (a queue of reservations, so parallel threads do not all
go at once). A turn further off than ``max_pause`` is not waited for in-process: it leaves
as ``rate_limited`` with that wait, for the engine to schedule. The store's 429 stays the
backstop (other processes share the bucket too).
"""
from __future__ import annotations

import dataclasses
import threading
import time

LEAK_SECONDS_PER_SLOT = 20.0  # a bucket of N drains N/20 per second (40 → 2/s, 400 → 20/s)


@dataclasses.dataclass(frozen=True)
class Rate:
    limit: int
    remaining: int
    reset_ms: int
    at: float  # monotonic time of the answer

    @property
    def leak_per_second(self) -> float | None:
        """From the headers, when they tell: the level empties in ``reset`` ms. ``remaining`` is
        rounded down, so the level is between ``limit - remaining - 1`` and ``limit - remaining``;
        the lower end keeps the estimate on the slow (safe) side. None when too little is known."""
        level = self.limit - self.remaining - 1
        if level >= 1 and self.reset_ms > 0:
            return level / (self.reset_ms / 1000.0)
        return None

    @property
    def documented_leak(self) -> float:
        return self.limit / LEAK_SECONDS_PER_SLOT


def parse_rate(headers, at: float) -> Rate | None:
    try:
        return Rate(int(headers["x-rate-limit-limit"]), int(headers["x-rate-limit-remaining"]),
                    int(float(headers.get("x-rate-limit-reset") or 0)), at)
    except (KeyError, TypeError, ValueError):
        return None


class Pacer:
    """The bucket as this process believes it is: level (may exceed the size: queued turns)."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self.limit: int | None = None
        self.leak = 0.0
        self.level = 0.0
        self.at = 0.0
        self._probing = False
        self._known = threading.Event()

    def observe(self, rate: Rate) -> None:
        """An answer's headers. The store's count can only raise ours: an answer may be older than
        turns other threads took since (forgetting them would let them all go at once)."""
        with self._lock:
            self.limit, self.leak = rate.limit, rate.leak_per_second or self.leak or rate.documented_leak
            ours = max(0.0, self.level - (rate.at - self.at) * self.leak) if self.leak > 0 else 0.0
            self.level, self.at = max(float(rate.limit - rate.remaining), ours), rate.at
        self._known.set()

    def reserve(self, max_wait: float) -> float:
        """Seconds until this call's turn (0: go now), the turn taken; or the (larger) wait
        without taking a turn, when it is over ``max_wait``. While nothing is known of the
        bucket, one call goes first and the others wait (up to ``max_wait``) for its answer."""
        with self._lock:
            first = self.limit is None and not self._probing
            self._probing = self._probing or first
        if self.limit is None and not first:
            self._known.wait(max_wait)
        with self._lock:
            if self.limit is None or self.leak <= 0:
                return 0.0
            now = self._clock()
            level = max(0.0, self.level - (now - self.at) * self.leak)
            wait = max(0.0, (level + 1 - self.limit) / self.leak)
            if wait <= max_wait:
                self.level, self.at = level + 1, now
            return wait


_PACERS: dict[str, Pacer] = {}
_REGISTRY = threading.Lock()


def pacer_for(key: str) -> Pacer:
    with _REGISTRY:
        return _PACERS.setdefault(key, Pacer())
