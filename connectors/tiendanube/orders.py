"""Orders (pure): Tiendanube's order JSON → ``RemoteOrder``, and the open- and changed-orders queries."""
from __future__ import annotations

from datetime import datetime

from connectors.base import RemoteLineItem, RemoteOrder

from .ids import as_id, as_quantity, format_time, parse_time

FULFILLED, PARTIALLY_FULFILLED, UNFULFILLED = "fulfilled", "partially_fulfilled", "unfulfilled"
# shipping_status → neutral status; older docs also show "shipped" / "unshipped" / "unfulfilled".
SHIPPING_STATUS = {"fulfilled": FULFILLED, "shipped": FULFILLED, "delivered": FULFILLED,
                   "partially_fulfilled": PARTIALLY_FULFILLED, "partially_shipped": PARTIALLY_FULFILLED}
PAGE_SIZE = 200  # the documented maximum of per_page


def parse_order(data: dict) -> RemoteOrder:
    customer = data.get("customer") if isinstance(data.get("customer"), dict) else {}
    return RemoteOrder(
        id=as_id(data.get("id")) or "",
        name=f"#{data['number']}" if data.get("number") is not None else f"#{as_id(data.get('id'))}",
        line_items=tuple(parse_line_item(p) for p in data.get("products") or () if isinstance(p, dict)),
        fulfillment_status=SHIPPING_STATUS.get(str(data.get("shipping_status") or "").lower(), UNFULFILLED),
        cancelled=is_cancelled(data),
        created_at=parse_time(data.get("created_at")),
        updated_at=parse_time(data.get("updated_at")),
        customer_name=customer.get("name") or None,
        customer_email=customer.get("email") or data.get("contact_email") or None,
    )


def parse_line_item(product: dict) -> RemoteLineItem:
    return RemoteLineItem(id=as_id(product.get("id")) or "", title=str(product.get("name") or ""),
                          quantity=as_quantity(product.get("quantity")), sku=product.get("sku") or None)


def is_cancelled(data: dict) -> bool:
    return str(data.get("status") or "").lower() == "cancelled" or bool(data.get("cancelled_at"))


def open_orders_query(since: datetime) -> dict:
    return {"status": "open", "updated_at_min": format_time(since), "per_page": PAGE_SIZE}


def changed_orders_query(since: datetime) -> dict:
    """Every order updated since ``since``, whatever its status (``any`` said explicitly: the
    filter's default is not documented the same way everywhere). Order queries stop at 10 000
    results; reconciliation's window is hours, far below that."""
    return {"status": "any", "updated_at_min": format_time(since), "per_page": PAGE_SIZE}
