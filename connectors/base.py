"""The one small interface every store platform implements.

The sync engine talks only to this module's types: it never names a platform, and a
connector never touches the database, the queue or a page. Every failure a connector
can meet leaves it as a ``ConnectorError`` carrying one of the stable cause codes of
DESIGN §1.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Iterator

# Stable cause codes (DESIGN §1).
CONNECTION = "connection"
RATE_LIMITED = "rate_limited"
STORE_SERVER = "store_server"
TOKEN_EXPIRED = "token_expired"
STORE_CONFIGURATION = "store_configuration"
INVALID_DATA = "invalid_data"

# How a message begins when ShipSync's own check refused a shipment (no store call said so).
SHIPSYNC_CHECK = "ShipSync's check:"

CAUSES = (CONNECTION, RATE_LIMITED, STORE_SERVER, TOKEN_EXPIRED, STORE_CONFIGURATION, INVALID_DATA)
TRANSIENT_CAUSES = frozenset({CONNECTION, RATE_LIMITED, STORE_SERVER})


class ConnectorError(Exception):
    """A store call failed.

    ``cause`` is a stable cause code; ``retry_after`` the wait in seconds the store asked
    for (Retry-After, GraphQL throttle status), if any; ``http_status`` and ``detail`` go
    to the attempt log and must hold no secret.
    """

    def __init__(self, cause: str, message: str, *, http_status: int | None = None,
                 retry_after: float | None = None, detail: str | None = None):
        if cause not in CAUSES:
            raise ValueError(f"unknown cause {cause!r}")
        # The message and detail often quote the store's answer, and both are stored: without
        # NUL characters, which PostgreSQL cannot hold (the worker's write would fail).
        message, detail = message.replace("\x00", ""), detail and detail.replace("\x00", "")
        super().__init__(message)
        self.cause = cause
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after
        self.detail = detail

    @property
    def transient(self) -> bool:
        return self.cause in TRANSIENT_CAUSES

    def __repr__(self):
        return f"ConnectorError({self.cause!r}, {self.message!r}, http_status={self.http_status})"


@dataclasses.dataclass(frozen=True)
class Credentials:
    """What a connector needs to call one store; stored encrypted by the app.

    Shopify: ``access_token``, ``refresh_token`` and their expiries.
    WooCommerce: ``access_token`` is the consumer key, ``consumer_secret`` its secret;
    ``webhook_secret`` signs the webhooks the store sends us.
    """

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None  # naive UTC
    refresh_expires_at: datetime | None = None
    consumer_secret: str | None = None
    webhook_secret: str | None = None


@dataclasses.dataclass(frozen=True)
class StoreAccess:
    """One store as a connector sees it: where it is and how to sign in."""

    platform: str
    domain: str  # Shopify shop domain, or the normalised WooCommerce store URL
    credentials: Credentials
    options: dict = dataclasses.field(default_factory=dict)  # platform details the app keeps (e.g. tracking backend)


@dataclasses.dataclass(frozen=True)
class Item:
    line_item_id: str  # the store's own id, numeric string (Shopify: numeric part of the GID)
    quantity: int


@dataclasses.dataclass(frozen=True)
class Shipment:
    """One labelled package to write onto a store order."""

    package_id: str
    order_id: str
    tracking_number: str
    carrier: str
    tracking_url: str | None
    items: tuple[Item, ...]
    notify_customer: bool = True
    # False only when no earlier attempt can have written anything to the store (the
    # package's first store contact): the duplicate check may then be skipped.
    may_exist: bool = True
    known_order: "KnownOrder | None" = None  # our copy of the order, when we hold one


@dataclasses.dataclass(frozen=True)
class KnownOrder:
    """Our copy of the store order, as of the store's ``updated_at``: a connector may trust
    it (and skip a read) only while the store still reports that same ``updated_at``."""

    updated_at: datetime
    line_items: tuple[Item, ...]  # every line of the order with its ordered quantity


@dataclasses.dataclass(frozen=True)
class RemoteLineItem:
    id: str
    title: str
    quantity: int
    sku: str | None = None


@dataclasses.dataclass(frozen=True)
class RemoteOrder:
    """A store order in neutral terms. ``fulfillment_status`` is unfulfilled,
    partially_fulfilled or fulfilled; ``updated_at`` lets callers ignore stale copies."""

    id: str
    name: str
    line_items: tuple[RemoteLineItem, ...]
    fulfillment_status: str
    cancelled: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    customer_name: str | None = None
    customer_email: str | None = None


@dataclasses.dataclass(frozen=True)
class FulfillmentResult:
    fulfillment_id: str  # the store's id of the fulfillment (or tracking item / note)
    order_fulfillment_status: str | None = None  # the order's status after the write, when the store says
    # By name only: two optional fields of one kind side by side swap silently when passed by
    # position (an updatedAt once landed in ``detail``, and every webhook about our own write
    # cost a read of the order).
    _: dataclasses.KW_ONLY
    detail: str | None = None  # how the store shows it (e.g. which tracking provider), for the package's history
    # The order's updated_at after the write, given only when the caller's copy of the order
    # (Shipment.known_order) was current up to the write: that copy is then current as of it,
    # and the store's webhook about our own write needs no read.
    order_updated_at: datetime | None = None


@dataclasses.dataclass(frozen=True)
class RateStatus:
    """The store's own account of the app's request budget, as of its last answer."""

    available: float
    maximum: float
    restore_rate: float  # points per second
    spent: float = 0.0  # points the store charged for this connector's calls so far (after refunds)


@dataclasses.dataclass(frozen=True)
class OrderNews:
    """What an order webhook's payload says, as its connector reads it.

    ``order`` is the whole order when the payload carries it (WooCommerce); None when the
    payload is only a trigger (Shopify, Tiendanube), and the worker reads the order back.
    """

    order_id: str
    updated_at: datetime | None = None
    order: RemoteOrder | None = None


class Connector:
    """What the sync engine and the install flows may ask of a store; every platform's
    connector subclasses it. The optional parts have working defaults here, so the engine
    calls them without asking whether they exist.

    Every method raises ConnectorError, never anything else, for a failed store call.
    """

    platform: str = ""
    # The store's budget after this connector's last call, and the points its calls
    # spent; None when the platform reports no budget (it then has no rate limit to pace).
    rate_status: RateStatus | None = None
    # Details found out about the store (e.g. where tracking goes), kept by the app in
    # Store.options and handed back in StoreAccess.options next time.
    learned_options: dict = {}

    def __init__(self, access: StoreAccess, settings, http=None):
        self.access, self.settings = access, settings

    # --- what every platform implements ---

    def fetch_order(self, order_id: str) -> RemoteOrder:
        raise NotImplementedError

    def find_fulfillment(self, shipment: Shipment) -> FulfillmentResult | None:
        """The fulfillment already carrying this shipment's tracking number, if any.
        A request whose response was lost may have succeeded: this is how we know."""
        raise NotImplementedError

    def create_fulfillment(self, shipment: Shipment) -> FulfillmentResult:
        raise NotImplementedError

    def cancel_fulfillment(self, order_id: str, fulfillment_id: str) -> str | None:
        """Remove the fulfillment; returns what else changed in the order (for the package's
        history), or None."""
        raise NotImplementedError

    def refresh_credentials(self) -> Credentials:
        """New credentials; raises ConnectorError(TOKEN_EXPIRED) when the store needs re-authorization."""
        raise NotImplementedError

    def register_webhooks(self, callback_url: str) -> None:
        raise NotImplementedError

    def list_open_orders(self, since: datetime) -> Iterator[RemoteOrder]:
        raise NotImplementedError

    # --- optional: the defaults say "this platform cannot" ---

    def update_tracking(self, fulfillment_id: str, shipment: Shipment) -> FulfillmentResult:
        """Correct the tracking of an existing fulfillment (the shipping platform re-issued the
        label) without creating a second one; notify the customer only if
        ``shipment.notify_customer``. Returns the fulfillment's id afterwards (a platform may
        replace the record). Safe to call again with the same shipment."""
        raise ConnectorError(INVALID_DATA, f"Correcting the tracking number of a synchronized package is not "
                                           f"supported for {self.platform} stores yet: the store still shows "
                                           "the previous tracking number.")

    def contact_email(self) -> str | None:
        """Where the failure digest goes, when the platform says."""
        return None

    def list_changed_orders(self, since: datetime) -> Iterator[RemoteOrder]:
        """Orders the store changed since ``since`` (reconciliation repairs lost webhooks);
        nothing for a platform that cannot list them."""
        return iter(())

    def redetect_backend(self, order_id: str = "0") -> str | None:
        """Where tracking goes in this store, found again (a plugin installed or removed);
        the remembered choice for a platform with only one."""
        return (self.access.options or {}).get("tracking_backend")

    # --- order webhooks (pure: no store call) ---

    @classmethod
    def order_id_of(cls, payload) -> str:
        """The order an order webhook names (its ``id``); raises ValueError when none."""
        order_id = str(payload.get("id") or "") if isinstance(payload, dict) else ""
        if not order_id:
            raise ValueError("the payload names no order")
        return order_id

    @classmethod
    def order_news(cls, payload) -> OrderNews:
        """What an order webhook says; raises ValueError (or KeyError, TypeError) for a body
        that is not one. Default: a trigger naming the order."""
        return OrderNews(cls.order_id_of(payload))

    @classmethod
    def merge_fulfillment_status(cls, remote: str, local: str) -> str:
        """The order's fulfillment status from the store's word and what ShipSync synced:
        the store's, unless the platform keeps shipping outside the order (WooCommerce's notes)."""
        return remote
