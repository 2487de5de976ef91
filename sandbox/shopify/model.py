"""The sandbox store's state: plain dataclasses, no behaviour beyond small derived values.

Ids are global across shops (as on Shopify) and start where DESIGN's examples do, so an
order is ``5001`` / ``gid://shopify/Order/5001`` and its first line item ``13001``.
"""
from __future__ import annotations

import dataclasses
import itertools
from collections import deque
from datetime import datetime, timezone

STANDARD_RESTORE_RATE = 100.0
PLANS = {"Basic": 100.0, "Shopify": 100.0, "Advanced": 200.0, "Plus": 1000.0, "Enterprise": 2000.0}

# Which actions a merchant-managed fulfillment order supports in each status (what
# Shopify answers in ``supportedActions``); a fulfillment service's orders differ.
SUPPORTED_ACTIONS = {
    "OPEN": ("CREATE_FULFILLMENT", "HOLD", "MOVE", "SPLIT"),
    "IN_PROGRESS": ("CREATE_FULFILLMENT", "HOLD", "MOVE"),
    "ON_HOLD": ("RELEASE_HOLD",),
    "SCHEDULED": ("MARK_AS_OPEN",),
    "INCOMPLETE": (),
    "CLOSED": (),
    "CANCELLED": (),
}
SERVICE_ACTIONS = ("REQUEST_FULFILLMENT", "CANCEL_FULFILLMENT_ORDER")


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def gid_number(value) -> int | None:
    """5001 from 5001, "5001" or "gid://shopify/Order/5001"; None when it is neither."""
    text = str(value).rsplit("/", 1)[-1].split("?", 1)[0]
    return int(text) if text.isdigit() else None


class Ids:
    """Global counters, one per kind."""

    START = {"Order": 5001, "LineItem": 13001, "FulfillmentOrder": 7001,
             "FulfillmentOrderLineItem": 17001, "Fulfillment": 9001,
             "FulfillmentLineItem": 21001, "Location": 1, "WebhookSubscription": 30001,
             "Shop": 60001, "Customer": 80001}

    def __init__(self):
        self._counters = {kind: itertools.count(start) for kind, start in self.START.items()}

    def next(self, kind: str) -> int:
        return next(self._counters[kind])


@dataclasses.dataclass
class Location:
    id: int
    name: str
    fulfillment_service: str | None = None  # handle of the service owning it, if any


@dataclasses.dataclass
class LineItem:
    id: int
    title: str
    quantity: int
    sku: str | None
    location_id: int


@dataclasses.dataclass
class FulfillmentOrderLineItem:
    id: int
    line_item_id: int
    total_quantity: int
    remaining_quantity: int


@dataclasses.dataclass
class FulfillmentOrder:
    id: int
    order_id: int
    location_id: int
    status: str
    line_items: list[FulfillmentOrderLineItem]
    created_at: datetime
    updated_at: datetime
    request_status: str = "UNSUBMITTED"
    service_owned: bool = False
    held_from: str | None = None  # status before a hold, restored on release
    hold_reason: str | None = None

    @property
    def supported_actions(self) -> tuple[str, ...]:
        if self.service_owned:
            return SERVICE_ACTIONS if self.status in ("OPEN", "IN_PROGRESS") else ()
        return SUPPORTED_ACTIONS.get(self.status, ())


@dataclasses.dataclass
class FulfillmentLineItem:
    id: int
    line_item_id: int
    fulfillment_order_line_item_id: int
    fulfillment_order_id: int
    quantity: int


@dataclasses.dataclass
class Fulfillment:
    id: int
    order_id: int
    location_id: int
    name: str
    status: str  # SUCCESS or CANCELLED
    tracking: list[dict]  # [{company, number, url}]
    line_items: list[FulfillmentLineItem]
    created_at: datetime
    updated_at: datetime
    notify_customer: bool = False
    # Each fulfillmentTrackingInfoUpdate: {number, notify_customer} (a shipping-update e-mail when true).
    tracking_updates: list[dict] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Order:
    id: int
    shop: str
    name: str
    email: str | None
    customer: dict | None  # {id, first_name, last_name, email}
    line_items: list[LineItem]
    created_at: datetime
    updated_at: datetime
    fulfillment_orders: list[FulfillmentOrder] = dataclasses.field(default_factory=list)
    fulfillments: list[Fulfillment] = dataclasses.field(default_factory=list)
    routed: bool = True
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None

    def fulfilled_quantity(self, line_item_id: int) -> int:
        return sum(fli.quantity for f in self.fulfillments if f.status == "SUCCESS"
                   for fli in f.line_items if fli.line_item_id == line_item_id)

    @property
    def display_fulfillment_status(self) -> str:
        total = sum(li.quantity for li in self.line_items)
        done = sum(self.fulfilled_quantity(li.id) for li in self.line_items)
        if done == 0:
            return "UNFULFILLED"
        return "FULFILLED" if done >= total else "PARTIALLY_FULFILLED"

    def line_item(self, line_item_id: int) -> LineItem | None:
        return next((li for li in self.line_items if li.id == line_item_id), None)


@dataclasses.dataclass
class WebhookSubscription:
    id: int
    topic: str  # enum value, e.g. ORDERS_CREATE
    uri: str
    format: str
    created_at: datetime
    updated_at: datetime


@dataclasses.dataclass
class Bucket:
    """Shopify's leaky bucket for one (app, shop): holds up to 20 s of restore."""

    restore_rate: float
    available: float
    stamp: float  # monotonic time of ``available``

    @property
    def maximum(self) -> float:
        return 20 * self.restore_rate

    def refill(self, at: float) -> None:
        self.available = min(self.maximum, self.available + (at - self.stamp) * self.restore_rate)
        self.stamp = at

    def status(self) -> dict:
        return {"maximumAvailable": self.maximum, "currentlyAvailable": int(self.available),
                "restoreRate": self.restore_rate}


@dataclasses.dataclass
class Shop:
    domain: str
    id: int
    name: str
    plan: str
    bucket: Bucket
    locations: list[Location]
    scope: str = ""
    orders: dict[int, Order] = dataclasses.field(default_factory=dict)
    owners: dict[str, int] = dataclasses.field(default_factory=dict)  # "FulfillmentOrder/7001" → order id
    webhooks: list[WebhookSubscription] = dataclasses.field(default_factory=list)
    faults: deque = dataclasses.field(default_factory=deque)
    # Random faults: {kind: probability} drawn for every call no scripted fault took
    # (``applied_error`` only for mutations), from a seeded generator.
    chaos: dict = dataclasses.field(default_factory=dict)
    chaos_random: object = None
    next_order_number: int = 1001
    refresh_count: int = 0
    latency_seconds: float = 0.0
    retain_previous_refresh_token: bool = False
    auto_webhooks: bool = True  # deliver orders/* etc. on changes, as Shopify does
    app_url: str | None = None  # the installed app's origin (from the OAuth redirect_uri)
    installed: bool = True

    def location(self, location_id: int) -> Location | None:
        return next((loc for loc in self.locations if loc.id == location_id), None)

    def owner(self, kind: str, number: int | None) -> Order | None:
        """The order holding fulfillment order / fulfillment ``number`` (an index, not a scan)."""
        return self.orders.get(self.owners.get(f"{kind}/{number}", -1))
