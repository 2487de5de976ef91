"""Ids and dates as Tiendanube sends them (pure): numbers or strings, two date formats."""
from __future__ import annotations

import re
from datetime import datetime, timezone

_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


def as_id(value) -> str | None:
    """An id as a string: ``2093261`` and ``"2093261"`` are the same store; None or '' is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def parse_time(value) -> datetime | None:
    """Naive UTC from ``2022-02-23T12:25:18+0000`` (orders), ``…+00:00`` (fulfillment orders) or
    ``…Z``; None for anything else (a date we cannot read is no reason to fail a sync)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", value.strip().replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def format_time(at: datetime) -> str:
    """A filter value Tiendanube reads (ISO 8601 with an offset); naive means UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def as_quantity(value) -> int:
    """Quantities come as numbers or strings (``"2"`` in order lists)."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0
