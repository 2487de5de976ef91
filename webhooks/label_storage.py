"""Storing an accepted label in as few database round trips as the work needs.

A shipping platform printing a batch sends hundreds of labels at once, so the common case
(a new package) is three statements in one short transaction: the order found or created
in one upsert, the package inserted, the delivery recorded (``webhooks.receipts``) — each an INSERT … ON CONFLICT
that both PostgreSQL and SQLite run. Anything unusual (the package exists: a repeat, a new
tracking number, a void undone) takes the ORM path in webhooks/labels.py.
"""
from __future__ import annotations

from sqlalchemy import JSON, DateTime, bindparam, text

from models import utcnow


# Plain SQL that PostgreSQL and SQLite (3.35+) both run as written, typed so that JSON and
# timestamps are converted as the models do; SQLAlchemy compiles each text only once.
def _typed(sql: str, **types):
    return text(sql).bindparams(*(bindparam(name, type_=kind) for name, kind in types.items()))


_UPSERT_ORDER = _typed(
    "INSERT INTO orders (store_id, external_id, line_items, fulfillment_status, requires_sync, cancelled, "
    "placed_at, created_at, updated_at) "
    "VALUES (:store_id, :external_id, :line_items, 'unfulfilled', true, false, :now, :now, :now) "
    "ON CONFLICT (store_id, external_id) DO UPDATE SET requires_sync = true, updated_at = excluded.updated_at "
    "RETURNING id, created_at = :now AS created",
    line_items=JSON(), now=DateTime())
_INSERT_PACKAGE = _typed(
    "INSERT INTO packages (store_id, order_id, external_id, tracking_number, carrier, tracking_url, items, status, "
    "attempts, last_cause, voided, store_contacted, created_at, updated_at) "
    "VALUES (:store_id, :order_id, :external_id, :tracking_number, :carrier, :tracking_url, :items, :status, "
    "0, :last_cause, false, false, :now, :now) "
    "ON CONFLICT (store_id, external_id) DO NOTHING RETURNING id",
    items=JSON(), now=DateTime())


def upsert_order(session, store_id: int, external_id: str) -> tuple[int, bool]:
    """(order id, True when this statement created it), marking the order as needing sync —
    what a new package makes it. Two labels of one new order at once: one creates, the
    other finds (the unique key decides), as before."""
    order_id, created = session.execute(_UPSERT_ORDER, dict(
        store_id=store_id, external_id=external_id, line_items=[], now=utcnow())).one()
    return order_id, bool(created)


def insert_package(session, values: dict) -> int | None:
    """The new package's id, or None when the store already has a package with this id."""
    return session.execute(_INSERT_PACKAGE, dict(now=utcnow(), **values)).scalar_one_or_none()
