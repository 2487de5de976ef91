"""The store's own "wait this long" (``Retry-After``), parsed once for every platform.

A header is whatever a store, its host or a proxy in between sends: delta-seconds, an
HTTP date, a negative number, ``inf``, ``1e400`` or plain garbage. Garbage means "no hint"
(the retry policy's own back-off applies); anything else is clamped to [0, MAX_WAIT], so
a package is never scheduled into the far future nor made to raise outside ConnectorError
(which would leave it ``syncing``).
"""
from __future__ import annotations

import email.utils
import math
import time

MAX_WAIT = 3600.0  # one hour: past that, the merchant should see the failure rather than wait


def capped_wait(seconds: float | None) -> float | None:
    """``seconds`` clamped to [0, MAX_WAIT]; None for None or not-a-number."""
    if seconds is None or math.isnan(seconds):
        return None
    return max(0.0, min(float(seconds), MAX_WAIT))


def parse_retry_after(value, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    raw = str(value).strip()
    if not raw or len(raw) > 64:
        return None
    try:
        return capped_wait(float(raw))
    except (ValueError, OverflowError):
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
        seconds = when.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return capped_wait(seconds)
