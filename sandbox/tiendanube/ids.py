"""Ids the way Tiendanube shapes them: large integers for stores, orders and line items,
26-character ULIDs (Crockford base32, time-ordered) for fulfillment orders and their parts."""
from __future__ import annotations

import itertools
import os
import threading
import time

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_lock = threading.Lock()
_orders = itertools.count(1_700_000_001)  # the DevHub says 10 digits
_lines = itertools.count(5_000_000_001)  # past 32 bits on purpose
_stores = itertools.count(2_093_261)


def ulid() -> str:
    """48 bits of milliseconds then 80 random bits, as 26 Crockford base32 characters."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def next_order_id() -> int:
    with _lock:
        return next(_orders)


def next_line_id() -> int:
    with _lock:
        return next(_lines)


def next_store_id() -> int:
    with _lock:
        return next(_stores)
