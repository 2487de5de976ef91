"""Webhook deliveries already accepted: repeats are normal, and answered from here."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import WebhookReceipt


def previous_response(session, source: str, delivery_id: str) -> WebhookReceipt | None:
    return session.execute(
        select(WebhookReceipt).where(WebhookReceipt.source == source, WebhookReceipt.delivery_id == delivery_id)
    ).scalar_one_or_none()


def record(session, source: str, delivery_id: str, *, store_id=None, topic=None, response=None) -> bool:
    """Record a delivery in the caller's transaction; False when a concurrent copy won the race."""
    try:
        with session.begin_nested():
            session.add(WebhookReceipt(source=source, delivery_id=delivery_id, store_id=store_id,
                                       topic=topic, response=response))
        return True
    except IntegrityError:
        return False
