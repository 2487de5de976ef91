"""The orders list's query string, checked: tab, search, status, cause, carrier, dates, sort and cursor.

One parser serves the list, the CSV export and the page's "sync all matching", so the three
always mean the same orders. A bad value is a 400 naming the parameter (ValueError here).
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from datetime import date, datetime, time, timedelta

from models import PACKAGE_STATUSES
from sync.causes import EXPLANATIONS

TABS = ("pending", "prepared", "all")
STATUSES = PACKAGE_STATUSES + ("voided",)
SORTS = ("-date", "date")


@dataclasses.dataclass(frozen=True)
class OrderFilter:
    tab: str = "all"
    q: str | None = None
    status: str | None = None
    cause: str | None = None
    carrier: str | None = None
    placed_from: datetime | None = None  # inclusive
    placed_before: datetime | None = None  # exclusive: the day after ``to``
    sort: str = "-date"

    @property
    def newest_first(self) -> bool:
        return self.sort == "-date"


def _day(args, name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD)") from None


def _choice(args, name: str, allowed, default=None):
    value = (args.get(name) or "").strip() or default
    if value is not None and value not in allowed:
        raise ValueError(f"{name} must be one of: {', '.join(allowed)}")
    return value


def parse_filter(args, default_tab: str = "pending") -> OrderFilter:
    """The filter the query string asks for; raises ValueError naming the bad parameter."""
    start, end = _day(args, "from"), _day(args, "to")
    if start and end and start > end:
        raise ValueError("from must not be after to")
    carrier = (args.get("carrier") or "").strip()
    q = (args.get("q") or "").strip()
    if len(carrier) > 128 or len(q) > 128:
        raise ValueError("carrier and q are at most 128 characters")
    return OrderFilter(
        tab=_choice(args, "tab", TABS, default_tab),
        q=q or None,
        status=_choice(args, "status", STATUSES),
        cause=_choice(args, "cause", tuple(EXPLANATIONS)),
        carrier=carrier or None,
        placed_from=datetime.combine(start, time()) if start else None,
        placed_before=datetime.combine(end + timedelta(days=1), time()) if end else None,
        sort=_choice(args, "sort", SORTS, "-date"),
    )


# ---- Keyset cursors: where the last page ended, opaque to the client ---------------------------

def encode_cursor(order_filter: OrderFilter, placed_at: datetime, order_id: int) -> str:
    raw = json.dumps([order_filter.sort, placed_at.isoformat(), order_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(order_filter: OrderFilter, cursor: str) -> tuple[datetime, int]:
    """(placed_at, id) of the last row seen; raises ValueError for a cursor not made by encode_cursor
    for this sort order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort, placed_at, order_id = json.loads(raw)
        if sort != order_filter.sort or not isinstance(order_id, int):
            raise ValueError
        return datetime.fromisoformat(placed_at), order_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValueError("cursor is not valid for this list (start again without it)") from None
