"""What the webhooks, the merchant API and the worker ask of the sync core, beyond one package."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import SQLAlchemyError

from connectors import read_cost
from connectors.base import INVALID_DATA, TOKEN_EXPIRED, ConnectorError
from models import (ACTIVE, PENDING, REQUIRES_SYNC, RETRYING, SYNCED, SYNCING, UNINSTALLED, Order, Package, Store,
                    SyncBatch, SyncBatchItem, utcnow)
import stores
from sync import causes
from sync.credentials import existing_store
from sync import packages as transitions
from sync.engine import build_shipment
from sync.orders import refresh_order_state, upsert_order

log = logging.getLogger(__name__)

# How long a queued package may wait before reconciliation assumes its task was lost.
# Re-queuing one that was not lost is harmless: the claim skips a package already taken.
STUCK_AFTER = timedelta(minutes=2)
RECONCILE_BATCH = 200
IMPORT_PAGE = 50  # orders committed together by an import
# Synced packages this recent are checked against the store at each reconciliation.
RECHECK_SYNCED_FOR = timedelta(days=30)
FULFILLMENT_MISSING_MESSAGE = "Synchronized by ShipSync, but the store no longer has this fulfillment."
# Reconciliation runs hourly; re-reading two hours of changed orders overlaps the runs, so a
# webhook the store never re-sends (WooCommerce) is repaired within the hour.
CHANGED_WINDOW = timedelta(hours=2)


def record_order_error(store_id: int, order_id: str, error: Exception) -> None:
    """One store order the database cannot hold (a database error, an impossible id): logged,
    and the import or reconciliation goes on with the store's other orders."""
    log.warning("store %s: order %s not saved, the others go on (%s)", store_id, str(order_id)[:70],
                type(error).__name__)


def save_or_record(session, store_id: int, order_id: str, write):
    """``write()``'s result, run in a savepoint; None when the database refused it."""
    try:
        with session.begin_nested():
            result = write()
        return result
    except (SQLAlchemyError, ValueError) as error:
        record_order_error(store_id, order_id, error)
        return None


class SyncService:
    def __init__(self, sessionmaker, sync_engine, queue):
        self.sessionmaker = sessionmaker
        self.sync_engine = sync_engine
        self.queue = queue  # object with sync(package_id, delay=None) and sync_batch(batch_id)

    def restart_packages(self, packages) -> list[int]:
        """Start a new run for each package that is not synced; the caller commits, then enqueues."""
        restarted = []
        for package in packages:
            if package.status != SYNCED and not package.voided and package.status != SYNCING:
                transitions.restart(package)
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

    def sync_all(self, store_id: int, order_ids: list[int] | None = None) -> str:
        """A mass sync: record which packages it covers, and let the worker enqueue them.

        With ``order_ids``, only those orders' packages (ids of other stores match nothing)."""
        with self.sessionmaker() as session, session.begin():
            batch = SyncBatch(store_id=store_id)
            session.add(batch)
            chosen = () if order_ids is None else (Package.order_id.in_(order_ids),)
            packages = session.scalars(
                select(Package).where(Package.store_id == store_id, Package.voided.is_(False),
                                      Package.status.in_((REQUIRES_SYNC, PENDING, RETRYING)), *chosen)
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

    def resume_held(self, store_id: int, held_for: tuple[str, ...], order_external_id: str | None = None) -> int:
        """Restart the store's packages (or one order's) held for one of these causes, once it has gone away."""
        with self.sessionmaker() as session, session.begin():
            query = select(Package).where(Package.store_id == store_id, Package.status == REQUIRES_SYNC,
                                          Package.last_cause.in_(held_for))
            if order_external_id is not None:
                query = query.join(Order).where(Order.external_id == order_external_id)
            held = session.scalars(query).all()
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
            access = stores.store_access(store, self.sync_engine.cipher)
        changed = None
        if fulfillment_id:
            try:
                changed = self.sync_engine.call_store(store.id, access, lambda connector: connector.cancel_fulfillment(
                    order_external_id, fulfillment_id))
            except ConnectorError as error:
                # The fulfillment is still in the store: say so in the package's history,
                # then let the queue try again.
                with self.sessionmaker() as session, session.begin():
                    transitions.void_failed(session, package_id, fulfillment_id, error)
                raise
        with self.sessionmaker() as session, session.begin():
            transitions.void(session, session.get(Package, package_id), changed)

    def routing_complete(self, store_id: int, fulfillment_order_id: str) -> int:
        """Fulfillment orders now exist for one order: restart that order's packages held for them."""
        with self.sessionmaker() as session:
            access = stores.store_access(existing_store(session, store_id), self.sync_engine.cipher)
        order_id = self.sync_engine.call_store(
            store_id, access, lambda connector: connector.order_of_fulfillment_order(fulfillment_order_id))
        return 0 if order_id is None else self.resume_held(store_id, (causes.STORE_CONFIGURATION,), order_id)

    def redact_store(self, store_id: int) -> bool:
        """shop/redact: erase everything of a store that is (still) uninstalled."""
        with self.sessionmaker() as session, session.begin():
            # Reinstalled meanwhile: nothing to erase. The tables cascade from the store row.
            erased = session.execute(delete(Store).where(Store.id == store_id, Store.status == UNINSTALLED))
        return erased.rowcount == 1

    def import_order(self, store_id: int, order_external_id: str, seen_updated_at=None) -> None:
        """Read the order from the store into our copy; nothing when our copy is already as new
        as ``seen_updated_at`` (what a webhook announced)."""
        with self.sessionmaker() as session:
            if seen_updated_at is not None and _copy_is_current(session, store_id, order_external_id, seen_updated_at):
                return
            store = session.get(Store, store_id)
            if store is None or store.status != ACTIVE:
                return  # re-authorizing imports the open orders again
            access = stores.store_access(store, self.sync_engine.cipher)
        try:
            remote = self.sync_engine.call_budgeted(store_id, access,
                                               lambda connector: connector.fetch_order(order_external_id),
                                               read_cost(store.platform))
        except ConnectorError as error:
            if not (error.cause == INVALID_DATA and error.http_status == 404):
                raise
            self._order_not_in_store(store_id, order_external_id, error)
            return
        with self.sessionmaker() as session, session.begin():
            upsert_order(session, store_id, remote)

    def _order_not_in_store(self, store_id: int, order_external_id: str, error: ConnectorError) -> None:
        """A label named an order the store does not have (never existed, or deleted): no
        retry can help, and nothing to trace back. Packages on their way learn it from their
        own sync (one attempt, not retried); those already waiting for the merchant (a
        manual sync) say it now, so the empty order explains itself."""
        log.info("store %s: no order %s in the store (%s)", store_id, order_external_id, error.http_status)
        with self.sessionmaker() as session, session.begin():
            order = session.scalar(select(Order).where(Order.store_id == store_id,
                                                       Order.external_id == order_external_id))
            for package in (order.packages if order is not None else []):
                if package.status == REQUIRES_SYNC and not package.voided:
                    package.last_cause, package.last_message = INVALID_DATA, error.message[:1000]
                    package.last_http_status = error.http_status

    def set_up_store(self, store_id: int, webhook_url: str, import_since=None) -> int:
        """After install or re-authorization: subscribe webhooks, import open orders, resume held packages.

        Runs in the worker: a WooCommerce store pings the webhook URL before it answers
        the subscription call, which a web process serving one request would wait on.
        Subscription failures are logged, not fatal: reconciliation repairs them.
        """
        access = self.repair_webhooks(store_id, webhook_url)
        if access is not None:
            self.learn_contact_email(store_id, access)
        if import_since is not None and access is not None:
            try:
                self.import_open_orders(store_id, access, import_since)
            except ConnectorError as error:
                log.warning("store %s: order import failed (%s): %s", store_id, error.cause, error.message)
        return self.resume_store(store_id)

    def learn_contact_email(self, store_id: int, access) -> None:
        """Where the failure digest goes, when the platform says (an optional connector method)."""
        try:
            email = self.sync_engine.call_store(store_id, access, lambda c: c.contact_email())
        except ConnectorError as error:
            log.info("store %s: contact e-mail not learned (%s)", store_id, error.cause)
            return
        if email:
            stores.remember_options(self.sessionmaker, store_id, access, {"contact_email": email})

    def repair_webhooks(self, store_id: int, webhook_url: str):
        """Subscribe the store's webhooks (idempotent: existing ones are kept, disabled ones re-enabled)."""
        with self.sessionmaker() as session:
            store = session.get(Store, store_id)
            if store is None or store.status != ACTIVE:
                return None
            access = stores.store_access(store, self.sync_engine.cipher)
        try:
            self.sync_engine.call_store(store_id, access, lambda connector: connector.register_webhooks(webhook_url))
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

        self.sync_engine.call_store(store_id, access, read_and_save)
        return imported

    def _save_orders(self, store_id: int, remotes) -> int:
        saved = 0
        with self.sessionmaker() as session, session.begin():
            for remote in remotes:
                saved += save_or_record(session, store_id, remote.id,
                                        lambda r=remote: upsert_order(session, store_id, r)) is not None
        return saved

    def reconcile_store(self, store_id: int) -> dict:
        """Bring our copy in line with the store: fulfillments made elsewhere (or by a lost
        response) mark packages synced; orders cancelled or fulfilled outside ShipSync are re-read."""
        healed = refreshed = 0
        self.redetect_store(store_id)
        with self.sessionmaker() as session:
            store = session.get(Store, store_id)
            if store is None or store.status != ACTIVE:
                return {"healed": 0, "orders": 0}
            access = stores.store_access(store, self.sync_engine.cipher)
            # Two store calls a package: the most recent ones first, a bounded number per run.
            packages = session.scalars(select(Package).where(
                Package.store_id == store_id, Package.voided.is_(False),
                Package.status.in_((REQUIRES_SYNC, RETRYING, PENDING)))
                .order_by(Package.updated_at.desc()).limit(RECONCILE_BATCH)).all()
            shipments = [(p.id, build_shipment(p, store.merged_settings())) for p in packages]
        for package_id, shipment in shipments:
            try:
                found = self.sync_engine.call_store(store_id, access, lambda c, s=shipment: c.find_fulfillment(s))
                remote = self.sync_engine.call_store(store_id, access, lambda c, s=shipment: c.fetch_order(s.order_id))
            except ConnectorError as error:
                log.info("reconcile store %s: %s", store_id, error.cause)
                if error.cause == TOKEN_EXPIRED:
                    break
                continue
            try:  # one order the database refuses (odd store data) does not stop the others
                with self.sessionmaker() as session, session.begin():
                    order = upsert_order(session, store_id, remote)
                    package = session.get(Package, package_id)
                    heals = bool(found) and package.status != SYNCED
                    if heals:
                        transitions.heal(session, package, found.fulfillment_id)
                    elif remote.cancelled:
                        transitions.cancel_waiting([package])
                    refresh_order_state(order, remote.fulfillment_status)
            except (SQLAlchemyError, ValueError) as error:
                record_order_error(store_id, remote.id, error)
                continue
            healed, refreshed = healed + heals, refreshed + 1
        changed = self.reread_changed_orders(store_id, access)
        return {"healed": healed, "orders": refreshed, "changed": changed}

    def redetect_store(self, store_id: int) -> None:
        """Ask the store again what it offers (a tracking plugin switched on or off since the
        last look; the connector keeps what it finds in ``Store.options``). When where tracking
        goes has changed, packages held for the store's set-up are tried again there."""
        with self.sessionmaker() as session:
            store = session.get(Store, store_id)
            if store is None or store.status != ACTIVE:
                return
            access = stores.store_access(store, self.sync_engine.cipher)
            # Some routes only show themselves for an order: one the store had lately serves.
            order_id = session.scalar(select(Order.external_id).where(Order.store_id == store_id)
                                      .order_by(Order.id.desc()).limit(1)) or "0"
        before = (access.options or {}).get("tracking_backend")
        try:
            after = self.sync_engine.call_store(store_id, access, lambda c: c.redetect_backend(order_id))
        except ConnectorError as error:
            log.info("reconcile store %s: detection failed (%s)", store_id, error.cause)
            return
        if before and after != before:
            self.resume_held(store_id, (causes.STORE_CONFIGURATION,))

    def reread_changed_orders(self, store_id: int, access, window: timedelta = CHANGED_WINDOW) -> int:
        """Re-read the orders the store changed lately, for platforms that can list them:
        a lost webhook (a new order, a cancellation) is repaired. Orders we never saw are
        added only while they are open."""
        try:
            remotes = self.sync_engine.call_store(store_id, access, lambda c: list(c.list_changed_orders(utcnow() - window)))
        except ConnectorError as error:
            log.info("reconcile store %s: changed orders not read (%s)", store_id, error.cause)
            return 0
        with self.sessionmaker() as session, session.begin():
            for remote in remotes:
                known = session.scalar(select(Order.id).where(Order.store_id == store_id,
                                                              Order.external_id == remote.id))
                if known is None and remote.cancelled:
                    continue
                order = save_or_record(session, store_id, remote.id, lambda r=remote: upsert_order(session, store_id, r))
                if order is not None and remote.cancelled:
                    transitions.cancel_waiting(order.packages)
        return len(remotes)

    def recheck_synced(self, store_id: int) -> int:
        """Notice "synced here, not fulfilled in the store": a synced package whose fulfillment
        the store no longer has (cancelled or deleted there) needs synchronizing again, and the
        merchant is told why. Returns how many were found."""
        with self.sessionmaker() as session:
            store = session.get(Store, store_id)
            if store is None or store.status != ACTIVE:
                return 0
            access = stores.store_access(store, self.sync_engine.cipher)
            packages = session.scalars(select(Package).where(
                Package.store_id == store_id, Package.voided.is_(False), Package.status == SYNCED,
                Package.synced_at >= utcnow() - RECHECK_SYNCED_FOR)
                .order_by(Package.synced_at.desc()).limit(RECONCILE_BATCH)).all()
            shipments = [(p.id, p.fulfillment_id, build_shipment(p, store.merged_settings())) for p in packages]
        missing = 0
        for package_id, fulfillment_id, shipment in shipments:
            try:
                found = self.sync_engine.call_store(store_id, access, lambda c, s=shipment: c.find_fulfillment(s))
            except ConnectorError as error:
                log.info("reconcile store %s: %s", store_id, error.cause)
                if error.cause == TOKEN_EXPIRED:
                    break
                continue
            if found is None:
                missing += self._fulfillment_missing(package_id, fulfillment_id)
        return missing

    def _fulfillment_missing(self, package_id: int, fulfillment_id: str | None) -> int:
        with self.sessionmaker() as session, session.begin():
            package = session.get(Package, package_id)
            # Re-read: a label or a void may have moved the package while we asked the store.
            if package.status != SYNCED or package.voided or package.fulfillment_id != fulfillment_id:
                return 0
            transitions.fulfillment_missing(session, package, FULFILLMENT_MISSING_MESSAGE)
        log.warning("package %s: fulfillment %s is no longer in the store", package_id, fulfillment_id)
        return 1

    def active_store_ids(self) -> list[int]:
        with self.sessionmaker() as session:
            return session.scalars(select(Store.id).where(Store.status == ACTIVE)).all()


def _copy_is_current(session, store_id: int, order_external_id: str, updated_at) -> bool:
    ours = session.scalar(select(Order.store_updated_at).where(Order.store_id == store_id,
                                                               Order.external_id == order_external_id))
    return ours is not None and ours >= updated_at
