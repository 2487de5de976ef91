"""Queue tasks. The only module that schedules work; tasks take ids and open their own session."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from huey import crontab

from models import Store, utcnow
from sync.engine import WaitForBudget
from sync.queue import huey
from webhooks import webhook_url

log = logging.getLogger(__name__)
WEBHOOK_SETTLE_SECONDS = 2.0
_app = None  # bound by init_app: tasks run in the worker, outside any request


def init_app(app) -> None:
    global _app
    _app = app


def _services():
    if _app is None:
        raise RuntimeError("sync.tasks.init_app(app) was not called")
    return _app.extensions["shipsync"]


@huey.task()
def sync_package(package_id: int) -> str | None:
    outcome = _services().engine.sync_package(package_id)
    if outcome.retry_in is not None:
        # Scheduled, not slept: the worker thread goes on with other packages meanwhile.
        sync_package.schedule(args=(package_id,), delay=outcome.retry_in)
    return outcome.status


@huey.task()
def label_accepted(store_id: int, package_id: int, import_order_id: str | None = None) -> str | None:
    """A new label: read its order first when it is new to us (the sync then knows the order
    and can take the cheapest path), then sync the package. One task, one enqueue."""
    if import_order_id is not None:
        try:
            _services().service.import_order(store_id, import_order_id)
        except WaitForBudget as wait:  # the budget goes to the sync first; the order is read later
            import_order.schedule(args=(store_id, import_order_id), delay=wait.seconds)
        except Exception:  # noqa: BLE001 - the sync goes on; the retried task imports later
            log.info("store %s: import of order %s failed; retried apart", store_id, import_order_id)
            import_order(store_id, import_order_id)
    return sync_package.call_local(package_id)


@huey.task()
def sync_batch(batch_id: str) -> int:
    return _services().service.enqueue_batch(batch_id)


@huey.task(retries=2, retry_delay=5)
def void_package(package_id: int) -> None:
    _services().service.void(package_id)


@huey.task(retries=2, retry_delay=10)
def import_order(store_id: int, order_external_id: str, seen_updated_at: str | None = None) -> None:
    try:
        _services().service.import_order(store_id, order_external_id,
                                         datetime.fromisoformat(seen_updated_at) if seen_updated_at else None)
    except WaitForBudget as wait:  # scheduled, not slept, and no retry used up
        import_order.schedule(args=(store_id, order_external_id, seen_updated_at), delay=wait.seconds)


def _webhook_url(store_id: int) -> str:
    services = _services()
    with services.engine.sessionmaker() as session:
        platform = session.get(Store, store_id).platform
    return webhook_url(services.settings.app_url, platform, store_id)


@huey.task()
def store_installed(store_id: int) -> int:
    """After install or re-authorization: webhooks, open orders of the last 60 days, held packages."""
    return _services().service.store_installed(store_id, _webhook_url(store_id),
                                               import_since=utcnow() - timedelta(days=60))


@huey.periodic_task(crontab(minute="*"))
def requeue_stuck() -> int:
    """Every minute: re-queue packages whose task was lost (a worker killed mid-task)."""
    return _services().service.requeue_stuck()


@huey.periodic_task(crontab(minute="7"))
def reconcile_stores() -> None:
    """Hourly: webhooks lost or subscriptions deleted by the store must not leave us behind."""
    for store_id in _services().service.active_store_ids():
        reconcile_store(store_id)


@huey.task()
def reconcile_store(store_id: int) -> dict:
    """Repair the store's webhook subscriptions, then heal packages and orders from its state."""
    service = _services().service
    service.repair_webhooks(store_id, _webhook_url(store_id))
    return service.reconcile_store(store_id)


class TaskQueue:
    """How the sync service puts work on the queue, without knowing huey."""

    def sync(self, package_id: int, delay: float | None = None) -> None:
        if delay:
            sync_package.schedule(args=(package_id,), delay=delay)
        else:
            sync_package(package_id)

    def sync_batch(self, batch_id: str) -> None:
        sync_batch(batch_id)

    def label_accepted(self, store_id: int, package_id: int, import_order_id: str | None) -> None:
        label_accepted(store_id, package_id, import_order_id)

    def void(self, package_id: int) -> None:
        void_package(package_id)

    def import_order(self, store_id: int, order_external_id: str, seen_updated_at: datetime | None = None) -> None:
        """Read the order from the store. With ``seen_updated_at`` (a webhook's), a little later
        and only if our copy is older by then: the webhook may announce our own write, whose
        answer the worker records a moment after the store sends the webhook."""
        if seen_updated_at is None:
            import_order(store_id, order_external_id)
        else:
            import_order.schedule(args=(store_id, order_external_id, seen_updated_at.isoformat()),
                                  delay=WEBHOOK_SETTLE_SECONDS)

    def store_installed(self, store_id: int) -> None:
        store_installed(store_id)
