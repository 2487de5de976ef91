"""WooCommerce order JSON (REST ``wc/v3`` and webhook bodies, which are the same shape) → neutral types.

Pure functions, no I/O.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from connectors.base import RemoteLineItem, RemoteOrder

UNFULFILLED, PARTIALLY_FULFILLED, FULFILLED = "unfulfilled", "partially_fulfilled", "fulfilled"
_RANK = {UNFULFILLED: 0, PARTIALLY_FULFILLED: 1, FULFILLED: 2}

# Statuses after which nothing ships: tracking written there would mislead the customer.
CLOSED_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash", "checkout-draft"})
# Only a paid order in progress is completed by us; pending and on-hold orders await
# payment, and completing them would tell the customer an unpaid order is done.
COMPLETABLE_STATUSES = frozenset({"processing"})
OPEN_STATUSES = ("processing", "on-hold")

# WooCommerce 10.1+ keeps the order's fulfillment state in this order meta.
NATIVE_STATUS_META = "_fulfillment_status"
SHIPMENT_TRACKING_META = "_wc_shipment_tracking_items"


def parse_order(data: dict) -> RemoteOrder:
    """A store order in neutral terms; raises ValueError when ``data`` is not an order."""
    if not isinstance(data, dict) or "id" not in data:
        raise ValueError("not a WooCommerce order")
    billing = data.get("billing") or {}
    shipping = data.get("shipping") or {}
    name = " ".join(p for p in (billing.get("first_name"), billing.get("last_name")) if p) or " ".join(
        p for p in (shipping.get("first_name"), shipping.get("last_name")) if p)
    return RemoteOrder(
        id=str(data["id"]),
        name="#" + str(data.get("number") or data["id"]),
        line_items=tuple(
            RemoteLineItem(id=str(li["id"]), title=str(li.get("name") or ""), quantity=int(li.get("quantity") or 0),
                           sku=li.get("sku") or None)
            for li in data.get("line_items") or [] if isinstance(li, dict) and "id" in li
        ),
        fulfillment_status=fulfillment_status(data),
        cancelled=data.get("status") in CLOSED_STATUSES,
        created_at=parse_time(data.get("date_created_gmt") or data.get("date_created")),
        updated_at=parse_time(data.get("date_modified_gmt") or data.get("date_modified")),
        customer_name=name or None,
        customer_email=billing.get("email") or None,
    )


def fulfillment_status(data: dict) -> str:
    """What the order itself says has shipped.

    ``completed`` means everything shipped. Otherwise WooCommerce 10.1+ native fulfillments
    keep ``_fulfillment_status`` in the order meta, and the Shipment Tracking plugins keep
    their items there; an order-note store says nothing in the order, so the caller merges
    this with what it knows (``merge_status``).
    """
    if data.get("status") == "completed":
        return FULFILLED
    meta = meta_value(data, NATIVE_STATUS_META)
    if meta in (FULFILLED, PARTIALLY_FULFILLED):
        return meta
    if meta_value(data, SHIPMENT_TRACKING_META):
        return PARTIALLY_FULFILLED
    return UNFULFILLED


def merge_status(*statuses: str | None) -> str:
    """The most fulfilled of several views of the same order."""
    known = [s for s in statuses if s in _RANK]
    return max(known, key=_RANK.__getitem__) if known else UNFULFILLED


def meta_value(data: dict, key: str):
    for entry in data.get("meta_data") or []:
        if isinstance(entry, dict) and entry.get("key") == key:
            return entry.get("value")
    return None


def ordered_quantities(data: dict) -> Counter:
    return Counter({str(li["id"]): int(li.get("quantity") or 0)
                    for li in data.get("line_items") or [] if isinstance(li, dict) and "id" in li})


def all_shipped(data: dict, shipped: Counter) -> bool:
    """Whether every line item of the order has shipped in full."""
    ordered = {line_id: quantity for line_id, quantity in ordered_quantities(data).items() if quantity > 0}
    return bool(ordered) and all(shipped[line_id] >= quantity for line_id, quantity in ordered.items())


def parse_time(value) -> datetime | None:
    """WooCommerce's ``2026-11-28T03:34:37`` (the ``_gmt`` fields are UTC) → naive UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def open_orders_query(since: datetime) -> list[tuple[str, str]]:
    """``GET wc/v3/orders`` filters for orders still to ship, placed since ``since`` (naive UTC)."""
    return [("status", ",".join(OPEN_STATUSES)), ("after", since.replace(microsecond=0).isoformat()),
            ("dates_are_gmt", "true"), ("orderby", "date"), ("order", "asc")]


def changed_orders_query(since: datetime) -> list[tuple[str, str]]:
    """``GET wc/v3/orders`` filters for every order modified since ``since`` (naive UTC), whatever
    its status: a lost webhook may have carried a cancellation."""
    return [("status", "any"), ("modified_after", since.replace(microsecond=0).isoformat()),
            ("dates_are_gmt", "true"), ("orderby", "date"), ("order", "asc")]
