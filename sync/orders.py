"""An order's state as the merchant sees it, derived from its packages."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import FULFILLED, PARTIALLY_FULFILLED, SYNCED, UNFULFILLED, Order
from nul_characters import NUL, without_nul


def shipped_quantities(order: Order) -> Counter:
    shipped = Counter()
    for package in order.packages:
        if package.status == SYNCED and not package.voided:
            for item in package.items:
                shipped[str(item["line_item_id"])] += int(item["quantity"])
    return shipped


def local_fulfillment_status(order: Order) -> str:
    """What our own synced packages say, for when the store did not tell us."""
    shipped = shipped_quantities(order)
    if not shipped:
        return UNFULFILLED
    ordered = {str(line["id"]): int(line["quantity"]) for line in order.line_items or []}
    if ordered and all(shipped[line_id] >= quantity for line_id, quantity in ordered.items()):
        return FULFILLED
    return PARTIALLY_FULFILLED


_PROGRESS = {UNFULFILLED: 0, PARTIALLY_FULFILLED: 1, FULFILLED: 2}


def refresh_order_state(order: Order, store_status: str | None = None) -> None:
    """Recompute the denormalised flags the orders page filters on.

    The store's status never claims less than our own synced packages prove: an order import
    that read the store just before our fulfillment was created lands after it, with a stale
    "unfulfilled" (the label's import and sync tasks run concurrently).
    """
    order.requires_sync = any(p.status != SYNCED and not p.voided for p in order.packages)
    local = local_fulfillment_status(order)
    if not store_status or _PROGRESS.get(local, 0) > _PROGRESS.get(store_status, 0):
        order.fulfillment_status = local
    else:
        order.fulfillment_status = store_status


def find_or_add_order(session, store_id: int, external_id: str) -> tuple[Order, bool]:
    """Our row for a store order, added when new; True when it was added.

    A label and the order's import can meet here from two processes: the one that loses
    the insert race (the unique key says so) takes the winner's row instead of failing.
    """
    def find():
        return session.scalar(select(Order).where(Order.store_id == store_id, Order.external_id == external_id))

    order = find()
    if order is not None:
        return order, False
    try:
        with session.begin_nested():
            order = Order(store_id=store_id, external_id=external_id, line_items=[])
            session.add(order)
        return order, True
    except IntegrityError:
        return find(), False


def fit(column, value: str | None) -> str | None:
    """Store text cut to its column (and without NUL, which PostgreSQL refuses).

    A shopper's 300-character name is the store's data, not an error: it is kept shortened,
    never refused (a refused WooCommerce webhook is disabled after a few failures). Likewise a
    NUL in a name or a product title is dropped, not refused: the rest of the order still syncs."""
    if value is None:
        return None
    return without_nul(value)[:column.type.length]


def stored_fields(remote) -> dict:
    """What our row keeps of a store order (RemoteOrder): its text as ``fit`` keeps it. Line
    items live in a JSON column, whose PostgreSQL type (json) holds an escaped NUL, but the
    text is kept the same way there: no reader of it should meet one."""
    return dict(
        name=fit(Order.name, remote.name),
        line_items=[{"id": li.id, "title": without_nul(li.title), "quantity": li.quantity,
                     "sku": without_nul(li.sku)} for li in remote.line_items],
        cancelled=remote.cancelled,
        customer_name=fit(Order.customer_name, remote.customer_name),
        customer_email=fit(Order.customer_email, remote.customer_email),
    )


def check_order_id(order_id: str) -> str:
    """``order_id`` when a store could have sent it; raises ValueError for one longer than the
    column holds or with a NUL (no store's id has one, and dropping it would name another order)."""
    if len(order_id) > Order.external_id.type.length:
        raise ValueError(f"order id {order_id[:20]}… is longer than {Order.external_id.type.length} characters")
    if NUL in order_id:
        raise ValueError("an order id must not contain NUL characters")
    return order_id


def upsert_order(session, store_id: int, remote) -> Order:
    """Create or update our copy of a store order from a RemoteOrder.

    Webhooks arrive late and out of order: a copy older than the one we hold changes nothing.
    Raises ValueError for an order id no store uses (see ``check_order_id``).
    """
    check_order_id(remote.id)
    order, added = find_or_add_order(session, store_id, remote.id)
    if not added and remote.updated_at and order.store_updated_at and remote.updated_at < order.store_updated_at:
        return order
    for name, value in stored_fields(remote).items():
        setattr(order, name, value)
    if remote.created_at:
        order.placed_at = remote.created_at
    order.store_updated_at = remote.updated_at
    session.flush()
    refresh_order_state(order, remote.fulfillment_status)
    return order
