"""Every change of a package's state, in one place.

A package moves ``pending → syncing → synced`` on the happy path, through ``retrying``
on passing failures and ``requires_sync`` when the merchant (or the store) must act.
Each function here takes the package in the caller's transaction and leaves it
consistent: a package not ``syncing`` holds no lease; only ``pending``/``retrying`` have a
next attempt; the order's state follows. Every outcome the merchant should see in the
package's history is one ``SyncAttempt``, written by ``_attempt``. No other module assigns
``Package.status`` (tests/test_layers.py checks it).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from connectors.base import ConnectorError, FulfillmentResult
from models import PENDING, REQUIRES_SYNC, RETRYING, SYNCED, SYNCING, Package, SyncAttempt, utcnow
from sync import causes
from sync.orders import refresh_order_state


CANCELLED_MESSAGE = "The order was cancelled in the store."


def _attempt(session, package_id: int, outcome: str, message: str, *, cause: str | None = None,
             http_status: int | None = None, wait: float | None = None) -> None:
    session.add(SyncAttempt(package_id=package_id, finished_at=utcnow(), outcome=outcome, cause=cause,
                            http_status=http_status, message=message[:1000], wait_seconds=wait))


# --- a label arrives ---

def initial_state(auto_sync: bool) -> dict:
    """Status and cause of a package a label just created (the fast insert writes them)."""
    return {"status": PENDING if auto_sync else REQUIRES_SYNC,
            "last_cause": None if auto_sync else causes.MANUAL_SYNC}


def relabel(package: Package, label, auto_sync: bool) -> None:
    """A new label (a new number, a void undone) for a package not in the store: start afresh."""
    package.tracking_number, package.carrier, package.tracking_url = (
        label.tracking_number, label.carrier, label.tracking_url)
    package.items = list(label.items)
    package.voided, package.fulfillment_id = False, None
    if auto_sync:
        restart(package)
        package.last_cause = None
    else:
        wait_for_merchant(package)


def correct_tracking(package: Package, tracking_number: str, carrier: str, tracking_url: str | None) -> None:
    """A new label for a package the store already has: keep its fulfillment, remember the
    number the store shows until the correction is written (the caller restarts the package)."""
    if package.status == SYNCED or not package.corrected_from:  # else an earlier correction still pending
        package.corrected_from = package.tracking_number
    package.tracking_number, package.carrier, package.tracking_url = tracking_number, carrier, tracking_url


def wait_for_merchant(package: Package) -> None:
    """Automatic sync is off: the package waits for the merchant's "synchronize"."""
    package.status, package.last_cause, package.attempts = REQUIRES_SYNC, causes.MANUAL_SYNC, 0
    package.lease_until = package.next_attempt_at = None
    refresh_order_state(package.order)


# --- the engine's run ---

def claim(package: Package, lease_seconds: float, now: datetime) -> None:
    """This worker writes the package now; the lease keeps a second one away until it runs out."""
    package.status = SYNCING
    package.lease_until = now + timedelta(seconds=lease_seconds)
    package.store_contacted = True  # committed before any call: the next attempt will look first


def record_success(session, package: Package, result: FulfillmentResult, correction: bool) -> None:
    package.attempts += 1
    package.status = SYNCED
    package.fulfillment_id = result.fulfillment_id
    package.synced_at = utcnow()
    package.lease_until = package.next_attempt_at = None
    package.last_cause = package.last_message = package.last_http_status = None
    detail = f" ({result.detail})" if result.detail else ""
    if correction:
        outcome = "tracking_updated"
        message = (f"Tracking number {package.corrected_from or '?'} → {package.tracking_number} "
                   f"(fulfillment {result.fulfillment_id}{detail})")
    else:
        outcome, message = "synced", f"Fulfillment {result.fulfillment_id}{detail}"
    package.corrected_from = None
    _attempt(session, package.id, outcome, message)
    if result.order_updated_at:  # our copy was current up to our write: it still is
        package.order.store_updated_at = result.order_updated_at
    refresh_order_state(package.order, result.order_fulfillment_status)


def written_but_corrected(package: Package, fulfillment_id: str, written_number: str) -> None:
    """A corrected label arrived while the old number was being written: correct it next."""
    package.fulfillment_id, package.corrected_from = fulfillment_id, written_number
    restart(package)


def record_failure(session, package: Package, error: ConnectorError, wait: float | None) -> None:
    """A failed write: retried after ``wait`` seconds, or (None) left to the merchant."""
    package.last_cause, package.last_message = error.cause, error.message[:1000]
    package.last_http_status = error.http_status
    package.lease_until = None
    if wait is None:
        package.status, package.next_attempt_at = REQUIRES_SYNC, None
    else:
        package.status, package.next_attempt_at = RETRYING, utcnow() + timedelta(seconds=wait)
    _attempt(session, package.id, "retry" if wait is not None else "failed", error.message, cause=error.cause,
             http_status=error.http_status, wait=wait)
    refresh_order_state(package.order)


def hold(package: Package, cause: str, message: str) -> None:
    """Stop a package with a cause the merchant sees; only a restart (theirs, or a resume) moves it again."""
    package.status = REQUIRES_SYNC
    package.last_cause, package.last_message, package.last_http_status = cause, message, None
    package.lease_until = package.next_attempt_at = None
    refresh_order_state(package.order)


def cancel_waiting(packages) -> None:
    """The order was cancelled (or deleted) in the store: nothing of it is left to fulfil."""
    hold_waiting(packages, causes.ORDER_CANCELLED, CANCELLED_MESSAGE)


def hold_waiting(packages, cause: str, message: str) -> None:
    """Hold every package not yet written to the store (an order cancelled, the app removed)."""
    for package in packages:
        if package.status != SYNCED and not package.voided:
            hold(package, cause, message)


def restart(package: Package) -> None:
    """Start a new sync run for a package: fresh attempts, back in the queue's hands.
    The last error stays visible until the new run replaces it."""
    package.status = PENDING
    package.attempts = 0
    package.next_attempt_at = utcnow()
    package.lease_until = None
    refresh_order_state(package.order)


# --- what the store says later ---

def heal(session, package: Package, fulfillment_id: str) -> None:
    """Reconciliation found this package's fulfillment in the store (a lost answer): synced."""
    package.status, package.fulfillment_id, package.synced_at = SYNCED, fulfillment_id, utcnow()
    package.last_cause = package.last_message = package.last_http_status = None
    package.lease_until = package.next_attempt_at = None
    _attempt(session, package.id, "synced", f"Fulfillment {fulfillment_id} (found in the store by reconciliation)")


def fulfillment_missing(session, package: Package, message: str) -> None:
    """The store no longer has the fulfillment ShipSync wrote: the merchant decides."""
    fulfillment_id = package.fulfillment_id
    package.fulfillment_id = package.synced_at = None
    hold(package, causes.FULFILLMENT_MISSING, message)
    _attempt(session, package.id, "failed", f"Fulfillment {fulfillment_id} is no longer in the store",
             cause=causes.FULFILLMENT_MISSING)


def void(session, package: Package, changed: str | None) -> None:
    """label.voided, once the store's fulfillment is cancelled: the package stops for good."""
    package.voided = True
    package.fulfillment_id = None
    package.lease_until = package.next_attempt_at = None
    if changed:  # e.g. the order put back to processing: the history says so
        _attempt(session, package.id, "voided", str(changed))
    refresh_order_state(package.order)


def void_failed(session, package_id: int, fulfillment_id: str, error: ConnectorError) -> None:
    """The fulfillment is still in the store: the history says so (the queue tries again)."""
    _attempt(session, package_id, "void_failed", f"Cancelling fulfillment {fulfillment_id} failed: {error.message}",
             cause=error.cause, http_status=error.http_status)
