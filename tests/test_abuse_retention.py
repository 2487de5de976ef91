"""Abuse suite: webhook receipts (and attempts) are not kept forever (issue 8, low)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Order, Package, SyncAttempt, WebhookReceipt, utcnow
from tests.helpers import make_store


def _seed(app):
    store_id = make_store(app)
    old, recent = utcnow() - timedelta(days=31), utcnow() - timedelta(days=1)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        session.add_all([WebhookReceipt(source="labels", delivery_id="old", store_id=store_id, received_at=old),
                         WebhookReceipt(source="labels", delivery_id="new", store_id=store_id, received_at=recent)])
        order = Order(store_id=store_id, external_id="1")
        package = Package(store_id=store_id, order=order, external_id="P", tracking_number="T", items=[])
        session.add_all([order, package])
        session.flush()
        ancient = utcnow() - timedelta(days=200)
        session.add_all([SyncAttempt(package_id=package.id, outcome="retry", started_at=ancient),
                         SyncAttempt(package_id=package.id, outcome="failed", started_at=ancient)])


def _left(app):
    with app.extensions["db_sessionmaker"]() as session:
        return (sorted(session.scalars(select(WebhookReceipt.delivery_id)).all()),
                session.scalars(select(SyncAttempt.outcome)).all())


def test_the_purge_command_deletes_old_receipts_and_attempts_but_each_packages_last_attempt(app, runner):
    _seed(app)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "purged 1 webhook receipt(s) and 1 sync attempt(s)" in result.output
    assert _left(app) == (["new"], ["failed"])


def test_the_purge_command_takes_its_own_retention(app, runner):
    _seed(app)
    assert runner.invoke(args=["purge", "--receipts-days", "0"]).exit_code == 0
    assert _left(app)[0] == []


def test_the_worker_purges_daily_with_the_configured_retention(app):
    from sync import queue, tasks

    assert "purge_old_records" in {t.name for t in queue.huey._registry.periodic_tasks}
    _seed(app)
    app.config["SETTINGS"] = app.extensions["shipsync"].settings = app.config["SETTINGS"].replace(
        receipt_retention_days=60)
    assert tasks.purge_old_records.call_local() == (0, 1)
    assert _left(app) == (["new", "old"], ["failed"])
