"""The leaky bucket Tiendanube meters each store-and-app pair with.

40 requests deep, draining 2 per second; Next and Evolution plans get ten times both.
Every admitted request adds one drop; a request that would overflow is refused (429) and
adds nothing. The three ``x-rate-limit-*`` headers describe the bucket after the request.
"""
from __future__ import annotations

import math
import threading
import time

PLANS = {"basic": 1, "next": 10, "evolution": 10}
SIZE, LEAK_PER_SECOND = 40, 2.0


class LeakyBucket:
    def __init__(self, size: int = SIZE, leak_per_second: float = LEAK_PER_SECOND, clock=time.monotonic):
        self.size, self.leak = int(size), float(leak_per_second)
        self._clock = clock
        self._level = 0.0
        self._at = clock()
        self._lock = threading.Lock()
        self.blocked_until = 0.0  # a scripted "429 with wait" holds the bucket full until then

    @classmethod
    def for_plan(cls, plan: str, clock=time.monotonic) -> "LeakyBucket":
        factor = PLANS.get(plan, 1)
        return cls(SIZE * factor, LEAK_PER_SECOND * factor, clock)

    def _drain(self) -> float:
        now = self._clock()
        self._level = max(0.0, self._level - (now - self._at) * self.leak)
        self._at = now
        return now

    def admit(self) -> bool:
        """Take one request if there is room."""
        with self._lock:
            now = self._drain()
            if now < self.blocked_until or self._level + 1 > self.size:
                return False
            self._level += 1
            return True

    def hold_full(self, seconds: float) -> None:
        """Keep refusing for ``seconds`` (a scripted 429 whose wait the headers announce)."""
        with self._lock:
            self._drain()
            self.blocked_until = self._clock() + seconds

    def headers(self) -> dict:
        with self._lock:
            now = self._drain()
            held = max(0.0, self.blocked_until - now)
            remaining = 0 if held else max(0, math.floor(self.size - self._level))
            reset_ms = max(held, self._level / self.leak if self.leak else 0.0) * 1000
            return {"x-rate-limit-limit": str(self.size), "x-rate-limit-remaining": str(remaining),
                    "x-rate-limit-reset": str(int(math.ceil(reset_ms)))}
