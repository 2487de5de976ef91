"""Sync one package: claim it, ask its store's connector, record what happened.

The engine names no platform and schedules nothing: it returns an ``Outcome`` and the
caller (sync/tasks.py) turns "try again in N seconds" into a scheduled task.
"""
from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import select
from sqlalchemy import orm

from connectors import connector_for, sync_cost
from connectors.base import (TOKEN_EXPIRED, ConnectorError, FulfillmentResult, Item, KnownOrder,
                             Shipment, StoreAccess)
from db import READ_ONLY
from models import ACTIVE, REAUTH_REQUIRED, REQUIRES_SYNC, SYNCED, SYNCING, Order, Package, utcnow
import stores
from sync import causes, credentials, packages
from sync.policy import RetryPolicy
from sync.rate_budget import RateBudget

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str | None  # the package's status afterwards; None when this run did nothing
    retry_in: float | None = None
    held_for_budget: bool = False  # retry_in is the wait for the store's bucket, no attempt used


SKIPPED = Outcome(None)


class WaitForBudget(Exception):
    """The store's rate budget is too low for this call now: try again in ``seconds``."""

    def __init__(self, seconds: float):
        super().__init__(f"the store's rate budget needs {seconds:.1f}s")
        self.seconds = seconds


@dataclasses.dataclass(frozen=True)
class Claim:
    package_id: int
    store_id: int
    access: StoreAccess
    shipment: Shipment
    reserved: float = 0.0  # points charged to the store's rate budget for this sync
    fulfillment_id: str | None = None  # set: the store has this package already, correct its tracking
    corrected_from: str | None = None


def mapped_carrier(carrier: str, mapping: dict) -> str:
    """The store's name for the shipping platform's carrier. Matched ignoring case and outer
    spaces, as the settings form compares them ("ups" and "UPS" are one carrier); unmapped
    carriers go as they are."""
    wanted = carrier.strip().casefold()
    for source, target in mapping.items():
        if source.strip().casefold() == wanted:
            return target
    return carrier


def build_shipment(package: Package, store_settings: dict) -> Shipment:
    carrier_mapping = store_settings.get("carrier_mapping") or {}
    order = package.order
    known = None
    if order.store_updated_at and order.line_items:
        known = KnownOrder(order.store_updated_at,
                           tuple(Item(str(li["id"]), int(li["quantity"])) for li in order.line_items))
    return Shipment(
        package_id=package.external_id,
        order_id=package.order.external_id,
        tracking_number=package.tracking_number,
        carrier=mapped_carrier(package.carrier, carrier_mapping),
        tracking_url=package.tracking_url,
        items=tuple(Item(str(i["line_item_id"]), int(i["quantity"])) for i in package.items),
        notify_customer=bool(store_settings.get("notify_customer", True)),
        may_exist=package.store_contacted,
        known_order=known,
    )


class SyncEngine:
    def __init__(self, sessionmaker, cipher, settings, http=None, budget: RateBudget | None = None):
        self.sessionmaker = sessionmaker
        self.cipher = cipher
        self.settings = settings
        self.policy = RetryPolicy.from_settings(settings)
        self.budget = budget or RateBudget()
        self.http = http
        # For reads before a claim: on SQLite they need not queue behind writers.
        self.read_sessionmaker = orm.sessionmaker(
            self.sessionmaker.kw["bind"].execution_options(**{READ_ONLY: True}), expire_on_commit=False)

    def sync_package(self, package_id: int) -> Outcome:
        # The store's shared budget first, outside any transaction (on SQLite the budget
        # may live in the database, whose one write lock a claim holds).
        store_id, cost = self._store_and_cost(package_id)
        wait = self.budget.reserve(store_id, cost) if store_id else 0.0
        if wait > 0:  # the store's bucket is low: wait without using an attempt
            return Outcome(None, retry_in=wait, held_for_budget=True)
        claim = self._claim(package_id, cost)
        if not isinstance(claim, Claim):
            self.budget.release(store_id, cost)
            return claim  # nothing to do
        try:
            result = self._write(claim)
        except ConnectorError as error:
            return self._record_failure(claim, error)
        except credentials.StoreGone:  # the package was erased with its store: nothing left to record
            log.info("package %s skipped: its store was erased", package_id)
            return SKIPPED
        return self._record_success(claim, result)

    def _store_and_cost(self, package_id: int) -> tuple[int | None, float]:
        """The package's store and what its sync will request from the store's budget."""
        with self.read_sessionmaker() as session:
            package = session.get(Package, package_id)
            if package is None:
                return None, 0.0
            store = package.store
            return store.id, sync_cost(store.platform, build_shipment(package, store.merged_settings()))

    def _claim(self, package_id: int, cost: float) -> Claim | Outcome:
        """Take the package for this worker, or say why not (an Outcome: skip, or wait).

        The lease stops a second worker (a duplicate task, a reconciliation re-queue)
        from writing the same package at the same time; a worker that dies leaves a
        lease that simply runs out.
        """
        now = utcnow()
        with self.sessionmaker() as session, session.begin():
            package = session.execute(
                select(Package).where(Package.id == package_id).with_for_update()
            ).scalar_one_or_none()
            if package is None or package.voided or package.status in (SYNCED, REQUIRES_SYNC):
                return SKIPPED
            if package.status == SYNCING and package.lease_until and package.lease_until > now:
                return SKIPPED
            store = package.store
            if store.status != ACTIVE:
                cause = causes.TOKEN_EXPIRED if store.status == REAUTH_REQUIRED else causes.STORE_UNINSTALLED
                packages.hold(package, cause, "Waiting for the store: " + store.status.replace("_", " "))
                return SKIPPED
            shipment = build_shipment(package, store.merged_settings())
            packages.claim(package, self.settings.sync_lease_seconds, now)
            return Claim(package.id, store.id, stores.store_access(store, self.cipher), shipment, cost,
                         package.fulfillment_id, package.corrected_from)

    def _write(self, claim: Claim) -> FulfillmentResult:
        shipment = claim.shipment
        if claim.fulfillment_id:  # a correction: looking first keeps the customer from a second e-mail
            operation = lambda store: (store.find_fulfillment(shipment)  # noqa: E731
                                       or store.update_tracking(claim.fulfillment_id, shipment))
        elif not shipment.may_exist:  # the very first attempt: nothing of ours can be in the store yet
            operation = lambda store: store.create_fulfillment(shipment)  # noqa: E731
        else:  # looking first is what makes a retry after a lost response safe
            operation = lambda store: store.find_fulfillment(shipment) or store.create_fulfillment(shipment)  # noqa: E731
        return self.call_store(claim.store_id, claim.access, operation, reserved=claim.reserved)

    def call_budgeted(self, store_id: int, access: StoreAccess, operation, cost: float):
        """``call_store`` for work outside a package sync (an order import) that still takes its
        share of the store's budget first. Raises WaitForBudget when the bucket is too low."""
        wait = self.budget.reserve(store_id, cost)
        if wait > 0:
            raise WaitForBudget(wait)
        return self.call_store(store_id, access, operation, reserved=cost)

    def call_store(self, store_id: int, access: StoreAccess, operation, reserved: float = 0.0):
        """Run ``operation(connector)``, refreshing the token ahead of expiry and once on a 401.

        A refresh uses no attempt. Raises ConnectorError; TOKEN_EXPIRED means the store
        needs re-authorization (credentials.refresh has marked it so). Raises
        credentials.StoreGone when the store was erased meanwhile.
        """
        refreshed = False
        if credentials.needs_refresh(access.credentials):
            access, refreshed = self._refresh(store_id, access), True
        while True:
            connector = connector_for(access, self.settings, http=self.http)
            try:
                return operation(connector)
            except ConnectorError as error:
                if error.cause != TOKEN_EXPIRED or refreshed:
                    raise
                access, refreshed = self._refresh_after(error, store_id, access), True
            finally:
                # Every answer's throttle status reaches the shared budget, and what this
                # operation reserved but did not spend goes back (only once: a retry after a
                # token refresh has reserved nothing more).
                self.budget.settle(store_id, reserved, connector.rate_status)
                reserved = 0.0
                stores.remember_options(self.sessionmaker, store_id, access, connector.learned_options)

    def _refresh_after(self, refused: ConnectorError, store_id: int, access: StoreAccess) -> StoreAccess:
        """Refresh after the store refused the token; when that fails too, the store's own
        refusal (its HTTP status, code and message) is what the attempt records."""
        try:
            return self._refresh(store_id, access)
        except ConnectorError as error:
            if error.cause == TOKEN_EXPIRED and refused.http_status is not None:
                raise refused from error
            raise

    def _refresh(self, store_id: int, access: StoreAccess) -> StoreAccess:
        return credentials.refresh(self.sessionmaker, self.cipher, self.settings, store_id,
                                   access.credentials.access_token, http=self.http)

    def _record_success(self, claim: Claim, result: FulfillmentResult) -> Outcome:
        with self.sessionmaker() as session, session.begin():
            package = _package_with_locked_order(session, claim.package_id)
            if package.tracking_number != claim.shipment.tracking_number:
                packages.written_but_corrected(package, result.fulfillment_id, claim.shipment.tracking_number)
                return Outcome(package.status, retry_in=0.1)
            packages.record_success(session, package, result, correction=bool(claim.fulfillment_id))
            return Outcome(SYNCED)

    def _record_failure(self, claim: Claim, error: ConnectorError) -> Outcome:
        with self.sessionmaker() as session, session.begin():
            package = _package_with_locked_order(session, claim.package_id)
            if error.cause == TOKEN_EXPIRED:
                # Not the package's fault: it waits, with its attempts untouched, until
                # the merchant re-authorizes and the store resumes it (sync/service.py).
                stores.mark_reauth_required(session, claim.store_id)
                wait = None
            else:
                package.attempts += 1
                wait = self.policy.next_wait(package.attempts, error)
            packages.record_failure(session, package, error, wait)
            # A passing failure is expected and retried: no traceback until we give up.
            log.info("package %s: %s (%s), %s", package.id, error.cause, error.http_status,
                     f"retry in {wait:.1f}s" if wait is not None else "requires sync")
            return Outcome(package.status, wait)


def _package_with_locked_order(session, package_id: int) -> Package:
    """The package, its order row locked: two packages of one order finishing at once must
    not each compute the order's state without seeing the other (PostgreSQL runs them in
    parallel; the second waits here, then reads the first one's result)."""
    order_id = session.scalar(select(Package.order_id).where(Package.id == package_id))
    session.execute(select(Order.id).where(Order.id == order_id).with_for_update())
    return session.get(Package, package_id)
