"""Pure build/parse functions for fulfillments: read fulfillment orders, plan, match tracking.

A shipment's items are mapped onto the order's fulfillment-order line items that still have
``remainingQuantity``, only on fulfillment orders that support CREATE_FULFILLMENT. Shopify
lets one fulfillmentCreate cover one location, so a package whose items sit at two
locations becomes one fulfillment per location, each carrying the same tracking; the
customer is notified once (first fulfillment). Anything that prevents a fulfillment is
raised here as a ConnectorError whose message tells the merchant what to do.
"""
from __future__ import annotations

import dataclasses

from connectors.base import INVALID_DATA, STORE_CONFIGURATION, ConnectorError, Shipment

from . import errors
from .carriers import shopify_company
from .ids import numeric_id, to_gid
from .orders import fulfillment_status, parse_datetime

STATUS_ADVICE = {
    "ON_HOLD": "is on hold in Shopify: release the fulfillment hold on the order, then sync again",
    "SCHEDULED": "is scheduled for later in Shopify: mark it as ready to fulfill, then sync again",
    "INCOMPLETE": "is incomplete in Shopify (a fulfillment service problem): check the order's location",
    "CLOSED": "is closed in Shopify (already fulfilled or archived)",
    "CANCELLED": "was cancelled in Shopify",
    "SERVICE": "is assigned to a fulfillment service, which fulfills it itself: move it to a location you "
               "manage in Shopify admin, or let the service ship it",
}
NO_FULFILLMENT_ORDERS = ("Shopify has not assigned order {order} to a location yet (no fulfillment orders): "
                         "ShipSync syncs again when Shopify finishes routing; if this persists, check the "
                         "order's location in Shopify admin")


@dataclasses.dataclass(frozen=True)
class FoLine:
    id: str  # FulfillmentOrderLineItem GID
    line_item: str  # LineItem GID
    remaining: int
    total: int


@dataclasses.dataclass
class FulfillmentOrderInfo:
    id: str
    status: str
    actions: frozenset
    location_id: str | None
    lines: list[FoLine]
    lines_cursor: str | None = None  # set when more line items remain to be read

    @property
    def fulfillable(self) -> bool:
        return "CREATE_FULFILLMENT" in self.actions and self.status in ("OPEN", "IN_PROGRESS")

    @property
    def blocker(self) -> str:
        """Why nothing can be created here (a STATUS_ADVICE key)."""
        return self.status if self.status in STATUS_ADVICE else "SERVICE"


@dataclasses.dataclass(frozen=True)
class FulfillmentRecord:
    id: str
    status: str
    created_at: object
    numbers: tuple[str, ...]
    lines: dict  # LineItem GID → quantity
    lines_complete: bool

    @property
    def active(self) -> bool:
        return self.status not in ("CANCELLED", "ERROR", "FAILURE")


@dataclasses.dataclass(frozen=True)
class LocationPlan:
    location_id: str | None
    groups: tuple  # ((fulfillment_order_id, ((fo_line_id, quantity), ...)), ...)


def normalize_tracking(number: str | None) -> str:
    return "".join((number or "").split()).upper()


def wanted_items(shipment: Shipment) -> dict[str, int]:
    """LineItem GID → quantity, duplicates summed; raises invalid_data for a bad item or none."""
    if not shipment.items:
        raise ConnectorError(INVALID_DATA, f"Package {shipment.package_id} has no items to fulfill")
    wanted: dict[str, int] = {}
    for item in shipment.items:
        if item.quantity <= 0:
            raise ConnectorError(INVALID_DATA, f"Item {item.line_item_id} has quantity {item.quantity}")
        key = to_gid("LineItem", item.line_item_id)
        wanted[key] = wanted.get(key, 0) + item.quantity
    return wanted


# -- reading ---------------------------------------------------------------------------------
def parse_fo_lines(connection: dict) -> tuple[list[FoLine], str | None]:
    page = connection.get("pageInfo") or {}
    lines = [FoLine(n["id"], (n.get("lineItem") or {}).get("id", ""), int(n.get("remainingQuantity") or 0),
                    int(n.get("totalQuantity") or 0)) for n in connection.get("nodes") or []]
    return lines, page.get("endCursor") if page.get("hasNextPage") else None


def parse_fulfillment_orders(data: dict) -> tuple[dict, list[FulfillmentOrderInfo], str | None]:
    """(order facts, fulfillment orders of this page, cursor of the next page or None)."""
    order = data.get("order")
    if order is None:
        raise ConnectorError(INVALID_DATA, "Shopify has no such order (deleted, or from another store)")
    connection = order.get("fulfillmentOrders") or {}
    fos = []
    for node in connection.get("nodes") or []:
        lines, cursor = parse_fo_lines(node.get("lineItems") or {})
        location = ((node.get("assignedLocation") or {}).get("location") or {}).get("id")
        fos.append(FulfillmentOrderInfo(node["id"], node.get("status") or "",
                                        frozenset(a["action"] for a in node.get("supportedActions") or []),
                                        location, lines, cursor))
    page = connection.get("pageInfo") or {}
    facts = {"name": order.get("name") or numeric_id(order.get("id", "")), "cancelled": bool(order.get("cancelledAt")),
             "status": fulfillment_status(order.get("displayFulfillmentStatus"))}
    return facts, fos, page.get("endCursor") if page.get("hasNextPage") else None


def parse_fulfillments(data: dict) -> tuple[str | None, list[FulfillmentRecord]]:
    """(order's neutral fulfillment status, its fulfillments)."""
    order = data.get("order")
    if order is None:
        raise ConnectorError(INVALID_DATA, "Shopify has no such order (deleted, or from another store)")
    records = []
    for node in order.get("fulfillments") or []:
        items = node.get("fulfillmentLineItems")
        lines: dict[str, int] = {}
        for n in (items or {}).get("nodes") or []:
            key = (n.get("lineItem") or {}).get("id", "")
            lines[key] = lines.get(key, 0) + int(n.get("quantity") or 0)
        complete = items is not None and not (items.get("pageInfo") or {}).get("hasNextPage")
        records.append(FulfillmentRecord(
            node["id"], node.get("status") or "", parse_datetime(node.get("createdAt")),
            tuple(normalize_tracking(t.get("number")) for t in node.get("trackingInfo") or []), lines, complete))
    return fulfillment_status(order.get("displayFulfillmentStatus")), records


def matching(records: list[FulfillmentRecord], shipment: Shipment) -> list[FulfillmentRecord]:
    """Active fulfillments carrying the shipment's tracking number, oldest first."""
    number = normalize_tracking(shipment.tracking_number)
    found = [r for r in records if r.active and number in r.numbers]
    return sorted(found, key=lambda r: (r.created_at is None, r.created_at or 0, r.id))


def uncovered(records: list[FulfillmentRecord], wanted: dict[str, int]) -> dict[str, int] | None:
    """What ``wanted`` still needs beyond these fulfillments; None when that cannot be told
    (an item list was truncated) — callers then treat the shipment as done (no duplicates)."""
    if any(not r.lines_complete for r in records):
        return None
    remaining = dict(wanted)
    for record in records:
        for key, quantity in record.lines.items():
            if key in remaining:
                remaining[key] = max(0, remaining[key] - quantity)
    return {k: v for k, v in remaining.items() if v > 0}


# -- planning --------------------------------------------------------------------------------
def build_whole_order_plan(data: dict, known) -> LocationPlan | None:
    """From FULFILLMENT_TARGETS_QUERY: fulfill the order's single fulfillment order whole
    (no line items named: Shopify takes all that remains), when nothing has changed since
    our copy ``known`` (a KnownOrder) was read; None otherwise."""
    order = data.get("order") or {}
    nodes = (order.get("fulfillmentOrders") or {}).get("nodes") or []
    unchanged = parse_datetime(order.get("updatedAt")) == known.updated_at
    if (not unchanged or order.get("cancelledAt") or order.get("displayFulfillmentStatus") != "UNFULFILLED"
            or len(nodes) != 1 or nodes[0].get("status") != "OPEN"):
        return None
    return LocationPlan(None, ((nodes[0]["id"], ()),))


def plan_fulfillment(facts: dict, fos: list[FulfillmentOrderInfo], wanted: dict[str, int]) -> list[LocationPlan]:
    """Allocate ``wanted`` onto fulfillable fulfillment-order lines, grouped by location."""
    order = facts["name"]
    if facts.get("cancelled"):
        raise ConnectorError(STORE_CONFIGURATION, f"Order {order} was cancelled in Shopify: nothing can be fulfilled")
    if not fos:
        raise ConnectorError(STORE_CONFIGURATION, NO_FULFILLMENT_ORDERS.format(order=order))
    left = {fo.id: {line.id: line.remaining for line in fo.lines} for fo in fos}
    used_locations: list[str | None] = []
    allocation: dict[str, dict[str, int]] = {}  # fo id → {fo line id: quantity}
    for line_item, quantity in wanted.items():
        need = quantity
        candidates = [(fo, line) for fo in fos if fo.fulfillable for line in fo.lines
                      if line.line_item == line_item and left[fo.id][line.id] > 0]
        candidates.sort(key=lambda c: c[0].location_id not in used_locations)  # stable: keep Shopify's order
        for fo, line in candidates:
            take = min(need, left[fo.id][line.id])
            left[fo.id][line.id] -= take
            allocation.setdefault(fo.id, {})[line.id] = allocation.get(fo.id, {}).get(line.id, 0) + take
            if fo.location_id not in used_locations:
                used_locations.append(fo.location_id)
            need -= take
            if need == 0:
                break
        if need:
            raise _why_not(order, fos, line_item, quantity, quantity - need)
    by_location: dict[str | None, list] = {}
    for fo in fos:
        if fo.id in allocation:
            by_location.setdefault(fo.location_id, []).append((fo.id, tuple(allocation[fo.id].items())))
    return [LocationPlan(loc, tuple(groups)) for loc, groups in sorted(
        by_location.items(), key=lambda kv: used_locations.index(kv[0]))]


def _why_not(order: str, fos, line_item: str, wanted: int, available: int) -> ConnectorError:
    item = numeric_id(line_item)
    lines = [(fo, line) for fo in fos for line in fo.lines if line.line_item == line_item]
    if not lines:
        return ConnectorError(INVALID_DATA, f"Line item {item} is not on order {order} in Shopify")
    blocked = [fo for fo, line in lines if not fo.fulfillable and line.remaining > 0]
    if blocked:
        reason = min((fo.blocker for fo in blocked), key=list(STATUS_ADVICE).index)
        return ConnectorError(STORE_CONFIGURATION, f"Line item {item} of order {order} {STATUS_ADVICE[reason]}",
                              detail=f"fulfillment order {numeric_id(blocked[0].id)} status {blocked[0].status}")
    return ConnectorError(STORE_CONFIGURATION,
                          f"Only {available} of {wanted} unit(s) of line item {item} are left to fulfill on order "
                          f"{order}: the rest is already fulfilled in Shopify (perhaps by hand); check the order")


# -- writing ---------------------------------------------------------------------------------
def build_tracking_info(shipment: Shipment) -> dict:
    tracking = {"company": shopify_company(shipment.carrier), "number": shipment.tracking_number}
    if shipment.tracking_url:
        tracking["url"] = shipment.tracking_url
    return tracking


def build_fulfillment_create_variables(plan: LocationPlan, shipment: Shipment, notify: bool) -> dict:
    tracking = build_tracking_info(shipment)
    return {"fulfillment": {
        "lineItemsByFulfillmentOrder": [_fulfillment_order_lines(fo_id, lines) for fo_id, lines in plan.groups],
        "trackingInfo": tracking,
        "notifyCustomer": notify,
    }}


def _fulfillment_order_lines(fo_id: str, lines: tuple) -> dict:
    """No lines named means the whole fulfillment order (build_whole_order_plan)."""
    if not lines:
        return {"fulfillmentOrderId": fo_id}
    return {"fulfillmentOrderId": fo_id,
            "fulfillmentOrderLineItems": [{"id": line_id, "quantity": q} for line_id, q in lines]}


def parse_fulfillment_create(data: dict) -> tuple[str, str | None]:
    """(fulfillment GID, order's neutral status after the write); raises on userErrors."""
    payload = data.get("fulfillmentCreate") or {}
    if payload.get("userErrors"):
        raise errors.from_user_errors(payload["userErrors"], "create the fulfillment")
    fulfillment = payload.get("fulfillment")
    if not fulfillment:
        raise ConnectorError(INVALID_DATA, "Shopify created no fulfillment and gave no reason")
    order = fulfillment.get("order") or {}
    return fulfillment["id"], fulfillment_status(order.get("displayFulfillmentStatus")) if order else None


def parse_order_updated_at(data: dict):
    """The order's updatedAt in a fulfillmentCreate answer (naive UTC), or None."""
    order = ((data.get("fulfillmentCreate") or {}).get("fulfillment") or {}).get("order") or {}
    return parse_datetime(order.get("updatedAt"))


def parse_fulfillment_cancel(data: dict) -> None:
    payload = data.get("fulfillmentCancel") or {}
    if payload.get("userErrors"):
        raise errors.from_user_errors(payload["userErrors"], "cancel the fulfillment")


def build_tracking_update_variables(fulfillment_gid: str, shipment: Shipment, notify: bool) -> dict:
    return {"id": fulfillment_gid, "tracking": build_tracking_info(shipment), "notify": notify}
