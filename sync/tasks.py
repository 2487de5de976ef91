"""Queue tasks. The only module that schedules work; tasks take ids and open their own session."""
from __future__ import annotations

import functools
import logging
import time
from datetime import datetime, timedelta

from huey import crontab

import connectors
from connectors.base import TOKEN_EXPIRED, ConnectorError

from models import Store, utcnow
from sync import heartbeat as worker_heartbeat
from sync.credentials import StoreGone, existing_store
from sync.engine import WaitForBudget
from sync.queue import huey

log = logging.getLogger(__name__)
WEBHOOK_SETTLE_SECONDS = 2.0
# A package held back by its store's bucket goes before new work once its wait is over: the
# points it waited for are there now, and every second it queued behind other stores' labels
# the bucket would overflow unused. (A queue storage without priorities runs it in turn.)
BUDGET_WAITED = 10
_app = None  # bound by init_app: tasks run in the worker, outside any request


def init_app(app) -> None:
    global _app
    _app = app


def _services():
    if _app is None:
        raise RuntimeError("sync.tasks.init_app(app) was not called")
    return _app.extensions["shipsync"]


def store_work(task):
    """A store that needs re-authorization is an expected state (logged once, as a WARNING, when
    it starts): its tasks stop quietly instead of failing with a traceback, and re-authorizing
    redoes their work (webhooks, open orders, held packages). So does a store erased while its
    task waited (an uninstall's redaction): nothing of it is left to work on."""
    @functools.wraps(task)
    def run(*args, **kwargs):
        try:
            return task(*args, **kwargs)
        except ConnectorError as error:
            if error.cause != TOKEN_EXPIRED:
                raise
            log.info("%s%s skipped: the store needs re-authorization", task.__name__, args)
            return None
        except StoreGone:
            log.info("%s%s skipped: the store was erased", task.__name__, args)
            return None
    return run


def again(task, args: tuple, attempt: int, error: ConnectorError) -> None:
    """The one retry of store work that is not a package sync (voids, order reads, routing):
    the packages' own policy — passing failures only, n × backoff, the store's wait wins, at
    most SYNC_MAX_ATTEMPTS — scheduled, not slept. Raises ``error`` when it gives up."""
    wait = _services().sync_engine.policy.next_wait(attempt, error)
    if wait is None:
        raise error
    log.info("%s%s: %s, attempt %d of the store call in %.1fs", task.name, args, error.cause, attempt + 1, wait)
    task.schedule(args=args, kwargs={"attempt": attempt + 1}, delay=wait)


@huey.task()
def sync_package(package_id: int) -> str | None:
    outcome = _services().sync_engine.sync_package(package_id)
    if outcome.retry_in is not None:
        # Scheduled, not slept: the worker thread goes on with other packages meanwhile.
        priority = BUDGET_WAITED if outcome.held_for_budget and huey.storage.priority else None
        sync_package.schedule(args=(package_id,), delay=outcome.retry_in, priority=priority)
    return outcome.status


@huey.task()
def label_accepted(store_id: int, package_id: int, import_order_id: str | None = None) -> str | None:
    """A new label: read its order first when it is new to us (the sync then knows the order
    and can take the cheapest path), then sync the package. One task, one enqueue."""
    if import_order_id is not None:
        try:
            _services().sync_service.import_order(store_id, import_order_id)
        except WaitForBudget as wait:  # the budget goes to the sync first; the order is read later
            import_order.schedule(args=(store_id, import_order_id), delay=wait.seconds)
        except Exception:  # noqa: BLE001 - the sync goes on; the retried task imports later
            log.info("store %s: import of order %s failed; retried apart", store_id, import_order_id)
            import_order(store_id, import_order_id)
    return sync_package.call_local(package_id)


@huey.task()
def sync_batch(batch_id: str) -> int:
    return _services().sync_service.enqueue_batch(batch_id)


@huey.task()
def void_package(package_id: int, attempt: int = 1) -> None:
    """A failed cancel is in the package's history (``void_failed``) each time, then retried."""
    try:
        _services().sync_service.void(package_id)
    except ConnectorError as error:
        again(void_package, (package_id,), attempt, error)
    except StoreGone:  # erased with its store while the void waited: nothing is left to cancel
        log.info("void_package(%s) skipped: the store was erased", package_id)


@huey.task()
@store_work
def import_order(store_id: int, order_external_id: str, seen_updated_at: str | None = None, attempt: int = 1) -> None:
    try:
        _services().sync_service.import_order(store_id, order_external_id,
                                         datetime.fromisoformat(seen_updated_at) if seen_updated_at else None)
    except WaitForBudget as wait:  # scheduled, not slept, and no retry used up
        import_order.schedule(args=(store_id, order_external_id, seen_updated_at), kwargs={"attempt": attempt},
                              delay=wait.seconds)
    except ConnectorError as error:
        again(import_order, (store_id, order_external_id, seen_updated_at), attempt, error)


@huey.task()
@store_work
def routing_complete(store_id: int, fulfillment_order_id: str, attempt: int = 1) -> int | None:
    try:
        return _services().sync_service.routing_complete(store_id, fulfillment_order_id)
    except ConnectorError as error:
        again(routing_complete, (store_id, fulfillment_order_id), attempt, error)
        return None


@huey.task(retries=2, retry_delay=30)
def redact_store(store_id: int) -> bool:
    return _services().sync_service.redact_store(store_id)


def _webhook_url(store_id: int) -> str:
    services = _services()
    with services.sync_engine.sessionmaker() as session:
        platform = existing_store(session, store_id).platform
    return connectors.platform(platform).webhook_url(services.settings.app_url, store_id)


@huey.task()
@store_work
def set_up_store(store_id: int) -> int:
    """After install or re-authorization: webhooks, open orders of the last 60 days, held packages."""
    return _services().sync_service.set_up_store(store_id, _webhook_url(store_id),
                                               import_since=utcnow() - timedelta(days=60))


@huey.periodic_task(crontab(minute="*"))
def requeue_stuck() -> int:
    """Every minute: re-queue packages whose task was lost (a worker killed mid-task)."""
    return _services().sync_service.requeue_stuck()


@huey.periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Every minute: tell /healthz the worker is alive, and measure the queue's lag."""
    if worker_heartbeat.beat():
        queue_probe(time.time())


@huey.task()
def queue_probe(sent: float) -> float:
    """Waited in the queue like any task: its wait is the queue lag."""
    return worker_heartbeat.probe_answered(sent)


@huey.periodic_task(crontab(minute="0"))
def send_digests() -> int:
    """Hourly check; the digest goes out at DIGEST_HOUR (UTC), once a day per store."""
    import digest

    settings = _services().settings
    if not settings.digest_enabled or utcnow().hour != settings.digest_hour:
        return 0
    return digest.send_digests(_app)


@huey.periodic_task(crontab(minute="7"))
def reconcile_stores() -> None:
    """Hourly: webhooks lost or subscriptions deleted by the store must not leave us behind."""
    for store_id in _services().sync_service.active_store_ids():
        reconcile_store(store_id)


@huey.periodic_task(crontab(minute="23", hour="3"))
def purge_old_records() -> tuple[int, int]:
    """Daily: webhook receipts and attempts past their retention (sync/retention.py)."""
    from sync.retention import purge

    services = _services()
    return purge(services.sync_engine.sessionmaker, services.settings.receipt_retention_days,
                 services.settings.attempt_retention_days)


@huey.task()
@store_work
def reconcile_store(store_id: int) -> dict:
    """Repair the store's webhook subscriptions, then heal packages and orders from its state."""
    service = _services().sync_service
    service.repair_webhooks(store_id, _webhook_url(store_id))
    result = service.reconcile_store(store_id)
    return {**result, "fulfillments_missing": service.recheck_synced(store_id)}


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

    def set_up_store(self, store_id: int) -> None:
        set_up_store(store_id)

    def routing_complete(self, store_id: int, fulfillment_order_id: str) -> None:
        routing_complete(store_id, fulfillment_order_id)

    def redact_store(self, store_id: int) -> None:
        redact_store(store_id)
