"""How long ShipSync keeps what it only needs for a while.

Webhook receipts answer repeats (a platform redelivers within hours or days, not months)
and hold data-request reports with a customer's personal data: they go after
``WEBHOOK_RETENTION_DAYS`` (30). Attempts of a package explain its history to the merchant:
they go after ``ATTEMPT_RETENTION_DAYS`` (90), except each package's last one, which the
page shows as its current state.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from models import SyncAttempt, WebhookReceipt, utcnow


def purge(sessionmaker, receipt_days: int, attempt_days: int, now=None) -> tuple[int, int]:
    """Delete receipts and attempts older than their retention; returns how many of each."""
    now = now or utcnow()
    with sessionmaker() as session, session.begin():
        receipts = session.execute(delete(WebhookReceipt).where(
            WebhookReceipt.received_at < now - timedelta(days=receipt_days))).rowcount
        latest = select(func.max(SyncAttempt.id)).group_by(SyncAttempt.package_id).scalar_subquery()
        attempts = session.execute(delete(SyncAttempt).where(
            SyncAttempt.started_at < now - timedelta(days=attempt_days), SyncAttempt.id.not_in(latest)
        ).execution_options(synchronize_session=False)).rowcount
    return receipts, attempts
