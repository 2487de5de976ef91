"""Pure build/parse functions for reading orders (no HTTP here)."""
from __future__ import annotations

from datetime import datetime, timezone

from connectors.base import RemoteLineItem, RemoteOrder

from .ids import numeric_id

ORDERS_PAGE_SIZE = 50  # with 15 line items per order: requested cost 952 < 1000

_STATUS = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partially_fulfilled"}


def fulfillment_status(display: str | None) -> str:
    """Shopify's displayFulfillmentStatus in neutral terms: unfulfilled|partially_fulfilled|fulfilled.

    Everything that is neither fulfilled nor partially fulfilled (ON_HOLD, SCHEDULED,
    IN_PROGRESS, RESTOCKED, …) counts as unfulfilled: nothing has shipped.
    """
    return _STATUS.get((display or "").upper(), "unfulfilled")


def parse_datetime(text: str | None) -> datetime | None:
    """Shopify's ISO 8601 → naive UTC (ShipSync stores naive UTC)."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def build_order_variables(order_gid: str, line_items_after: str | None = None) -> dict:
    return {"id": order_gid, "lineItemsAfter": line_items_after}


def build_open_orders_variables(since: datetime, after: str | None = None, first: int = ORDERS_PAGE_SIZE) -> dict:
    """Open orders updated since ``since`` (naive = UTC), oldest change first."""
    if since.tzinfo:
        since = since.astimezone(timezone.utc).replace(tzinfo=None)
    stamp = since.replace(microsecond=0).isoformat() + "Z"
    return {"first": first, "after": after, "query": f"status:open updated_at:>='{stamp}'"}


def parse_line_items(connection: dict) -> tuple[list[RemoteLineItem], bool, str | None]:
    """(items, has_next_page, end_cursor) of a lineItems connection."""
    page = connection.get("pageInfo") or {}
    items = [RemoteLineItem(id=numeric_id(n["id"]), title=n.get("title") or "", quantity=int(n.get("quantity") or 0),
                            sku=n.get("sku") or None) for n in connection.get("nodes") or []]
    return items, bool(page.get("hasNextPage")), page.get("endCursor")


def parse_order(node: dict, line_items: list[RemoteLineItem] | None = None) -> RemoteOrder:
    """A RemoteOrder from an Order node (``line_items`` when read over several pages)."""
    if line_items is None:
        line_items = parse_line_items(node.get("lineItems") or {})[0]
    customer = node.get("customer") or {}
    return RemoteOrder(
        id=numeric_id(node["id"]),
        name=node.get("name") or "",
        line_items=tuple(line_items),
        fulfillment_status=fulfillment_status(node.get("displayFulfillmentStatus")),
        cancelled=bool(node.get("cancelledAt")),
        created_at=parse_datetime(node.get("createdAt")),
        updated_at=parse_datetime(node.get("updatedAt")),
        customer_name=customer.get("displayName") or None,
        customer_email=node.get("email") or None,
    )


def parse_orders_page(data: dict) -> tuple[list[dict], bool, str | None]:
    """(order nodes, has_next_page, end_cursor) of an orders connection."""
    connection = data.get("orders") or {}
    page = connection.get("pageInfo") or {}
    return list(connection.get("nodes") or []), bool(page.get("hasNextPage")), page.get("endCursor")
