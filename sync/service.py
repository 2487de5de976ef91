"""What the webhooks, the merchant API and the worker ask of the sync core, beyond one package."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select

from connectors import read_cost
from connectors.base import TOKEN_EXPIRED, ConnectorError
from models import (ACTIVE, PENDING, REQUIRES_SYNC, RETRYING, SYNCED, SYNCING, Order, Package, Store, SyncAttempt,
                    SyncBatch, SyncBatchItem, utcnow)
from sync import causes, credentials
from sync.engine import CANCELLED_MESSAGE, build_shipment, hold_waiting, restart
from sync.orders import refresh_order_state, upsert_order

log = logging.getLogger(__name__)

# How long a queued package may wait before reconciliation assumes its task was lost.
# Re-queuing one that was not lost is harmless: the claim skips a package already taken.
STUCK_AFTER = timedelta(minutes=2)
RECONCILE_BATCH = 200
IMPORT_PAGE = 50  # orders committed together by an import


class SyncService:
    def __init__(self, sessionmaker, engine, queue):
        self.sessionmaker = sessionmaker
        self.engine = engine
        self.queue = queue  # object with sync(package_id, delay=None) and sync_batch(batch_id)

    def restart_packages(self, packages) -> list[int]:
        """Start a new run for each package that is not synced; the caller commits, then enqueues."""
        restarted = []
        for package in packages:
            if package.status != SYNCED and not package.voided and package.status != SYNCING:
                restart(package)
                restarted.append(package.id)
        return restarted

    def sync_order(self, store_id: int, order_id: int) -> list[int]:
        with self.sessionmaker() as session, session.begin():
            packages = session.scalars(
                select(Package).where(Package.store_id == store_id, Package.order_id == order_id)
            ).all()
            restarted = self.restart_packages(packages)
        for package_id in restarted:
            self.queue.sync(package_id)
        return restarted

    def sync_all(self, store_id: int) -> str:
        """A mass sync: record which packages it covers, and let the worker enqueue them."""
        with self.sessionmaker() as session, session.begin():
            batch = SyncBatch(store_id=store_id)
            session.add(batch)
            packages = session.scalars(
                select(Package).where(Package.store_id == store_id, Package.voided.is_(False),
                                      Package.status.in_((REQUIRES_SYNC, PENDING, RETRYING)))
            ).all()
            self.restart_packages(packages)
            session.flush()
            session.add_all(SyncBatchItem(batch_id=batch.id, package_id=p.id) for p in packages)
            batch_id = batch.id
        self.queue.sync_batch(batch_id)
        return batch_id

    def enqueue_batch(self, batch_id: str) -> int:
        with self.sessionmaker() as session:
            package_ids = session.scalars(
                select(SyncBatchItem.package_id).where(SyncBatchItem.batch_id == batch_id)
            ).all()
        for package_id in package_ids:
            self.queue.sync(package_id)
        return len(package_ids)

    def resume_store(self, store_id: int) -> int:
        """After re-authorization: every package held for the token syncs again by itself."""
        return self.resume_held(store_id, (causes.TOKEN_EXPIRED, causes.STORE_UNINSTALLED))

    def resume_held(self, store_id: int, held_for: tuple[str, ...]) -> int:
        """Restart the store's packages held for one of these causes, once it has gone away."""
        with self.sessionmaker() as session, session.begin():
            held = session.scalars(
                select(Package).where(Package.store_id == store_id, Package.status == REQUIRES_SYNC,
                                      Package.last_cause.in_(held_for))
            ).all()
            restarted = self.restart_packages(held)
        for package_id in restarted:
            self.queue.sync(package_id)
        return len(restarted)

    def requeue_stuck(self, grace: timedelta = STUCK_AFTER) -> int:
        """Re-queue packages whose task was lost: a worker killed mid-task, a lost queue."""
        now = utcnow()
        with self.sessionmaker() as session:
            stuck = session.execute(
                select(Package.id, Package.status, Package.lease_until).where(
                    Package.voided.is_(False),
                    or_(Package.status == SYNCING,
                        (Package.status.in_((PENDING, RETRYING))) & (Package.next_attempt_at <= now - grace)),
                )
            ).all()
        for package_id, status, lease_until in stuck:
            delay = None
            if status == SYNCING and lease_until and lease_until > now:
                delay = (lease_until - now).total_seconds() + 0.5  # once the dead worker's lease runs out
            self.queue.sync(package_id, delay=delay)
        return len(stuck)

    def void(self, package_id: int) -> None:
        """label.voided: cancel the package's fulfillment in the store, then stop syncing it."""
        with self.sessionmaker() as session:
            package = session.get(Package, package_id)
            if package is None or package.voided:
                return
            store = package.store
            fulfillment_id, order_external_id = package.fulfillment_id, package.order.external_id
            access = credentials.store_access(store, self.engine.cipher)
        if fulfillment_id:
            try:
                self.engine.call_store(store.id, access, lambda connector: connector.cancel_fulfillment(
                    order_external_id, fulfillment_id))
            except ConnectorError as error:
                # The fulfillment is still in the store: say so in the package's history,
                # then let the queue try again.
                with self.sessionmaker() as session, session.begin():
                    session.add(SyncAttempt(package_id=package_id, finished_at=utcnow(), outcome="void_failed",
                                            cause=error.cause, http_status=error.http_status,
                                            message=f"Cancelling fulfillment {fulfillment_id} failed: {error.message}"[:1000]))
                raise
        with self.sessionmaker() as session, session.begin():
            package = session.get(Package, package_id)
            package.voided = True
            package.fulfillment_id = None
            refresh_order_state(package.order)

    def import_order(self, store_id: int, order_external_id: str, seen_updated_at=None) -> None:
        """Read the order from the store into our copy; nothing when our copy is already as new
        as ``seen_updated_at`` (what a webhook announced)."""
        with self.sessionmaker() as session:
            if seen_updated_at is not None and _copy_is_current(session, store_id, order_external_id, seen_updated_at):
                return
            store = session.get(Store, store_id)
            access = credentials.store_access(store, self.engine.cipher)
        remote = self.engine.call_budgeted(store_id, access, lambda connector: connector.fetch_order(order_external_id),
                                           read_cost(store.platform))
        with self.sessionmaker() as session, session.begin():
            upsert_order(session, store_id, remote)

    def store_installed(self, store_id: int, webhook_url: str, import_since=None) -> int:
        """After install or re-authorization: subscribe webhooks, import open orders, resume held packages.

        Runs in the worker: a WooCommerce store pings the webhook URL before it answers
        the subscription call, which a web process serving one request would wait on.
        Subscription failures are logged, not fatal: reconciliation repairs them.
        """
        access = self.repair_webhooks(store_id, webhook_url)
        if import_since is not None and access is not None:
            try:
                self.import_open_orders(store_id, access, import_since)
            except ConnectorError as error:
                log.warning("store %s: order import failed (%s): %s", store_id, error.cause, error.message)
        return self.resume_store(store_id)

    def repair_webhooks(self, store_id: int, webhook_url: str):
        """Subscribe the store's webhooks (idempotent: existing ones are kept, disabled ones re-enabled)."""
        with self.sessionmaker() as session:
            store = session.get(Store, store_id)
            if store is None or store.status != ACTIVE:
                return None
            access = credentials.store_access(store, self.engine.cipher)
        try:
            self.engine.call_store(store_id, access, lambda connector: connector.register_webhooks(webhook_url))
        except ConnectorError as error:
            log.warning("store %s: webhook subscription failed (%s): %s", store_id, error.cause, error.message)
        return access

    def import_open_orders(self, store_id: int, access, since) -> int:
        """Import the store's open orders a page at a time, each committed as it arrives: memory
        stays flat however many orders the store has, and a failure keeps what was read."""
        imported = 0

        def read_and_save(connector) -> None:
            nonlocal imported
            page = []
            for remote in connector.list_open_orders(since):
                page.append(remote)
                if len(page) == IMPORT_PAGE:
                    imported += self._save_orders(store_id, page)
                    page = []
            imported += self._save_orders(store_id, page)

        self.engine.call_store(store_id, access, read_and_save)
        return imported

    def _save_orders(self, store_id: int, remotes) -> int:
        with self.sessionmaker() as session, session.begin():
            for remote in remotes:
                upsert_order(session, store_id, remote)
        return len(remotes)

    def reconcile_store(self, store_id: int) -> dict:
        """Bring our copy in line with the store: fulfillments made elsewhere (or by a lost
        response) mark packages synced; orders cancelled or fulfilled outside ShipSync are re-read."""
        healed = refreshed = 0
        with self.sessionmaker() as session:
            store = session.get(Store, store_id)
            if store is None or store.status != ACTIVE:
                return {"healed": 0, "orders": 0}
            access = credentials.store_access(store, self.engine.cipher)
            # Two store calls a package: the most recent ones first, a bounded number per run.
            packages = session.scalars(select(Package).where(
                Package.store_id == store_id, Package.voided.is_(False),
                Package.status.in_((REQUIRES_SYNC, RETRYING, PENDING)))
                .order_by(Package.updated_at.desc()).limit(RECONCILE_BATCH)).all()
            shipments = [(p.id, build_shipment(p, store.merged_settings())) for p in packages]
        for package_id, shipment in shipments:
            try:
                found = self.engine.call_store(store_id, access, lambda c, s=shipment: c.find_fulfillment(s))
                remote = self.engine.call_store(store_id, access, lambda c, s=shipment: c.fetch_order(s.order_id))
            except ConnectorError as error:
                log.info("reconcile store %s: %s", store_id, error.cause)
                if error.cause == TOKEN_EXPIRED:
                    break
                continue
            with self.sessionmaker() as session, session.begin():
                order = upsert_order(session, store_id, remote)
                package = session.get(Package, package_id)
                if found and package.status != SYNCED:
                    package.status, package.fulfillment_id, package.synced_at = SYNCED, found.fulfillment_id, utcnow()
                    package.last_cause = package.last_message = None
                    healed += 1
                elif remote.cancelled:
                    hold_waiting([package], causes.ORDER_CANCELLED, CANCELLED_MESSAGE)
                refresh_order_state(order, remote.fulfillment_status)
                refreshed += 1
        return {"healed": healed, "orders": refreshed}

    def active_store_ids(self) -> list[int]:
        with self.sessionmaker() as session:
            return session.scalars(select(Store.id).where(Store.status == ACTIVE)).all()


def _copy_is_current(session, store_id: int, order_external_id: str, updated_at) -> bool:
    ours = session.scalar(select(Order.store_updated_at).where(Order.store_id == store_id,
                                                               Order.external_id == order_external_id))
    return ours is not None and ours >= updated_at
