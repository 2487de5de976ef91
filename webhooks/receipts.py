"""Webhook deliveries already accepted: repeats are normal, and answered from here."""
from __future__ import annotations

from sqlalchemy import JSON, DateTime, bindparam, select, text

from models import WebhookReceipt, utcnow

# One INSERT … ON CONFLICT (PostgreSQL and SQLite 3.35+ alike): no savepoint, one round trip.
_INSERT_RECEIPT = text(
    "INSERT INTO webhook_receipts (source, delivery_id, store_id, topic, response, received_at) "
    "VALUES (:source, :delivery_id, :store_id, :topic, :response, :now) "
    "ON CONFLICT (source, delivery_id) DO NOTHING RETURNING id"
).bindparams(bindparam("response", type_=JSON()), bindparam("now", type_=DateTime()))


def previous_response(session, source: str, delivery_id: str) -> WebhookReceipt | None:
    return session.execute(
        select(WebhookReceipt).where(WebhookReceipt.source == source, WebhookReceipt.delivery_id == delivery_id)
    ).scalar_one_or_none()


def record(session, source: str, delivery_id: str, *, store_id=None, topic=None, response=None) -> bool:
    """Record a delivery in the caller's transaction; False when a concurrent copy won the race."""
    return session.execute(_INSERT_RECEIPT, dict(source=source, delivery_id=delivery_id, store_id=store_id,
                                                 topic=topic, response=response, now=utcnow())
                           ).scalar_one_or_none() is not None
