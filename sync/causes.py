"""What each stable cause code means to a merchant, and what to do about it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from connectors.base import (CONNECTION, INVALID_DATA, RATE_LIMITED, SHIPSYNC_CHECK, STORE_CONFIGURATION,
                             STORE_SERVER, TOKEN_EXPIRED)

# Not a store cause: a merchant turned automatic sync off, so the package waits for them.
MANUAL_SYNC = "manual_sync"
# Not a store cause either: the app was removed from the store.
STORE_UNINSTALLED = "store_uninstalled"
# The order was cancelled in the store, so there is nothing left to fulfil.
ORDER_CANCELLED = "order_cancelled"
# Synchronized here, but the store no longer has the fulfillment (cancelled or removed there).
FULFILLMENT_MISSING = "fulfillment_missing"

EXPLANATIONS = {
    CONNECTION: (
        _l("We could not reach the store (timeout or connection error)."),
        _l("This is usually temporary. Synchronize again in a few minutes."),
    ),
    RATE_LIMITED: (
        _l("The store asked us to slow down (too many requests)."),
        _l("Nothing to fix: synchronize again in a minute."),
    ),
    STORE_SERVER: (
        _l("The store had a server error."),
        _l("This is usually temporary. Synchronize again in a few minutes."),
    ),
    TOKEN_EXPIRED: (
        _l("The store no longer accepts the app's access."),
        _l("Re-authorize the app with the link at the top of the page; held shipments then synchronize by themselves."),
    ),
    STORE_CONFIGURATION: (
        _l("The store's set-up prevents the fulfillment (order on hold, closed, or handled by another fulfillment service or location)."),
        _l("Fix the order in the store (for example release the hold), then synchronize."),
    ),
    INVALID_DATA: (
        _l("The store rejected the shipment data."),
        _l("Check the package's items and tracking in the shipping platform, then synchronize."),
    ),
    MANUAL_SYNC: (
        _l("Automatic synchronization is off for this store."),
        _l("Synchronize this order, or turn automatic synchronization on in Settings."),
    ),
    STORE_UNINSTALLED: (
        _l("The app was uninstalled from this store."),
        _l("Install the app again to synchronize shipments."),
    ),
    ORDER_CANCELLED: (
        _l("The order was cancelled in the store."),
        _l("Nothing to synchronize: void the label in the shipping platform."),
    ),
    FULFILLMENT_MISSING: (
        _l("This package was synchronized, but the store no longer has its fulfillment (it was cancelled or removed in the store)."),
        _l("Synchronize to create the fulfillment again, or void the label in the shipping platform if the package is not shipping."),
    ),
}


# Invalid data that ShipSync's own checks found, not the store: said so.
OWN_CHECK = (
    _l("ShipSync's own check stopped this shipment: it does not fit the order."),
    _l("Check the package's items and quantities in the shipping platform, then synchronize."),
)


def explain(cause: str | None, detail: str | None = None) -> dict | None:
    """The ``error`` object of the JSON API: cause code, message and fix, in the request's language."""
    if cause is None:
        return None
    message, fix = EXPLANATIONS.get(cause, EXPLANATIONS[INVALID_DATA])
    if cause == INVALID_DATA and (detail or "").startswith(SHIPSYNC_CHECK):
        message, fix = OWN_CHECK
    return {"cause": cause, "message": str(message), "fix": str(fix), "detail": detail}
