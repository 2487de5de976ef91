"""Storing an accepted label in as few database round trips as the work needs.

A shipping platform printing a batch sends hundreds of labels at once, so the common case
(a new package) is three statements in one short transaction: the order found or created
in one upsert, the package inserted, the delivery recorded — each an INSERT … ON CONFLICT
that both PostgreSQL and SQLite run. Anything unusual (the package exists: a repeat, a new
tracking number, a void undone) takes the ORM path in webhooks/labels.py.
"""
from __future__ import annotations

import functools

from sqlalchemy.dialects import postgresql, sqlite

from models import Order, Package, WebhookReceipt, utcnow


def _dialect(session):
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


# Built once per dialect, executed with parameters: SQLAlchemy then compiles each only once.
@functools.cache
def _statements(dialect) -> dict:
    orders, packages, receipts = Order.__table__, Package.__table__, WebhookReceipt.__table__
    order = dialect.insert(orders)
    return {
        "order": order.on_conflict_do_update(
            index_elements=["store_id", "external_id"],
            set_={"requires_sync": True, "updated_at": order.excluded.updated_at},
        ).returning(orders.c.id, orders.c.created_at),
        "package": dialect.insert(packages).on_conflict_do_nothing(
            index_elements=["store_id", "external_id"]).returning(packages.c.id),
        "receipt": dialect.insert(receipts).on_conflict_do_nothing(
            index_elements=["source", "delivery_id"]).returning(receipts.c.id),
    }


def upsert_order(session, store_id: int, external_id: str) -> tuple[int, bool]:
    """(order id, True when this statement created it), marking the order as needing sync —
    what a new package makes it. Two labels of one new order at once: one creates, the
    other finds (the unique key decides), as before."""
    now = utcnow()
    order_id, created_at = session.execute(_statements(_dialect(session))["order"], dict(
        store_id=store_id, external_id=external_id, line_items=[], fulfillment_status="unfulfilled",
        requires_sync=True, cancelled=False, placed_at=now, created_at=now, updated_at=now)).one()
    return order_id, created_at == now


def insert_package(session, values: dict) -> int | None:
    """The new package's id, or None when the store already has a package with this id."""
    now = utcnow()
    return session.execute(_statements(_dialect(session))["package"], dict(
        attempts=0, voided=False, store_contacted=False, created_at=now, updated_at=now, **values),
    ).scalar_one_or_none()


def record_receipt(session, source: str, delivery_id: str, *, store_id, topic, response) -> bool:
    """Record a delivery in the caller's transaction; False when another copy was recorded first."""
    return session.execute(_statements(_dialect(session))["receipt"], dict(
        source=source, delivery_id=delivery_id, store_id=store_id, topic=topic, response=response,
        received_at=utcnow())).scalar_one_or_none() is not None
