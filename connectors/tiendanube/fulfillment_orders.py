"""Fulfillment orders (pure): parse them, map a label's items onto them, build the PATCH bodies.

A Tiendanube order ships as one fulfillment order (FO) per location, and an FO is
dispatched whole: there is no per-item fulfillment inside one. So ``plan`` looks for the
set of FOs whose items are *exactly* the package's items:
- found → write each of them that is not yet dispatched (a split shipment is one write per
  FO; an FO already carrying this tracking code is done, e.g. after a lost answer);
- an FO of that set dispatched by the merchant with another code, a pickup or
  non-shippable FO, or a cancelled one → ``store_configuration`` with what to do;
- the package covers only part of an FO → ``store_configuration`` and nothing is written
  (dispatching the whole FO would tell the customer that unshipped items left);
- items the order does not hold, or more of them than it holds → ``invalid_data``.

How an FO line names its order line is not documented for certain: ``line_item_id``,
``order_line_item_id`` or ``external_id`` are read when present, else the variant (then
the product) is matched against the order's products.
"""
from __future__ import annotations

import dataclasses
import itertools
from collections import Counter

from connectors.base import INVALID_DATA, STORE_CONFIGURATION, ConnectorError, Shipment

from .ids import as_id, as_quantity

SHIPPED = frozenset({"DISPATCHED", "DELIVERED"})
CLOSED = frozenset({"CANCELLED"})
MAX_SEARCH = 12  # FOs holding the package's items; beyond that we do not guess
LINE_KEYS = ("line_item_id", "order_line_item_id", "external_id")


@dataclasses.dataclass(frozen=True)
class FulfillmentOrder:
    id: str
    number: str
    status: str
    code: str | None
    shipping_type: str
    lines: Counter  # order line id → quantity


@dataclasses.dataclass(frozen=True)
class Plan:
    write: tuple[FulfillmentOrder, ...]  # to move to DISPATCHED with the tracking
    done: tuple[FulfillmentOrder, ...]  # already carrying this tracking code

    @property
    def first_id(self) -> str:
        return (self.done + self.write)[0].id


def parse_fulfillment_orders(data, products=()) -> list[FulfillmentOrder]:
    """FOs from ``GET …/fulfillment-orders`` (a list) or an order read with
    ``aggregates=fulfillment_orders``; ``products`` (the order's) resolve lines by variant."""
    items = data.get("fulfillment_orders") if isinstance(data, dict) else data
    return [parse_fo(fo, products) for fo in items or () if isinstance(fo, dict)]


def parse_fo(data: dict, products=()) -> FulfillmentOrder:
    tracking = data.get("tracking_info") if isinstance(data.get("tracking_info"), dict) else {}
    shipping = data.get("shipping") if isinstance(data.get("shipping"), dict) else {}
    lines: Counter = Counter()
    for line in data.get("line_items") or ():
        if isinstance(line, dict):
            lines[_order_line(line, products) or f"?{as_id(line.get('id'))}"] += as_quantity(line.get("quantity"))
    return FulfillmentOrder(id=as_id(data.get("id")) or "", number=str(data.get("number") or data.get("id") or ""),
                            status=str(data.get("status") or "").upper(), code=as_id(tracking.get("code")),
                            shipping_type=str(shipping.get("type") or "ship").lower(), lines=lines)


def _order_line(line: dict, products) -> str | None:
    for key in LINE_KEYS:
        if as_id(line.get(key)):
            return as_id(line.get(key))
    for key, product_key in (("variant", "variant_id"), ("product", "product_id")):
        ref = line.get(key)
        ref_id = as_id(ref.get("id")) if isinstance(ref, dict) else as_id(line.get(product_key))
        matches = [as_id(p.get("id")) for p in products if ref_id and as_id(p.get(product_key)) == ref_id]
        if len(matches) == 1:
            return matches[0]
    return None


def wanted_items(shipment: Shipment) -> Counter:
    wanted: Counter = Counter()
    for item in shipment.items:
        wanted[as_id(item.line_item_id)] += int(item.quantity)
    return wanted


def plan(fos: list[FulfillmentOrder], wanted: Counter, code: str) -> Plan:
    """Which FOs to dispatch for a package (see the module's docstring); raises ConnectorError."""
    holding = [fo for fo in fos if set(fo.lines) & set(wanted)]
    live = [fo for fo in holding if fo.status not in CLOSED]
    _check_items(holding, live, wanted)
    chosen = exact_cover(live, wanted)
    if chosen is None:
        raise _partial(live, wanted)
    done = tuple(fo for fo in chosen if fo.status in SHIPPED and fo.code == code)
    for fo in chosen:
        if fo in done:
            continue
        if fo.status in SHIPPED or fo.status == "READY_FOR_PICKUP":
            raise ConnectorError(STORE_CONFIGURATION, already_shipped_message(fo),
                                 detail=f"FO {fo.id} is {fo.status} with code {fo.code!r}, ours is {code!r}")
        if fo.shipping_type != "ship":
            raise ConnectorError(STORE_CONFIGURATION, (
                f"Shipment {fo.number} is a {fo.shipping_type.replace('-', ' ')} shipment in Tiendanube, which "
                "takes no tracking code: mark it in the Tiendanube admin, or change the order's delivery method."),
                detail=f"FO {fo.id} shipping type {fo.shipping_type}")
    return Plan(write=tuple(fo for fo in chosen if fo not in done), done=done)


def status_after(fos: list[FulfillmentOrder], done: Plan) -> str:
    """The order's fulfillment status once ``done`` is written (neutral names)."""
    live = [fo for fo in fos if fo.status not in CLOSED]
    written = {fo.id for fo in done.write}
    shipped = sum(fo.status in SHIPPED or fo.id in written for fo in live)
    return "fulfilled" if live and shipped == len(live) else "partially_fulfilled" if shipped else "unfulfilled"


# What to do about an FO the merchant already shipped (messages.py matches it to translate it).
ALREADY_SHIPPED_FIX = ("if this label replaces it, correct the tracking code in the Tiendanube admin; otherwise "
                       "void this label.")


def already_shipped_message(fo: FulfillmentOrder) -> str:
    code = f" with tracking code {fo.code}" if fo.code else " without a tracking code"
    return (f"Shipment {fo.number} was already marked {fo.status.lower().replace('_', ' ')} in Tiendanube{code}: "
            + ALREADY_SHIPPED_FIX)


def _check_items(holding, live, wanted: Counter) -> None:
    held: Counter = Counter()
    for fo in live:
        held.update({line: fo.lines[line] for line in wanted if line in fo.lines})
    for line, quantity in wanted.items():
        if held[line] >= quantity:
            continue
        if any(line in fo.lines for fo in holding if fo.status in CLOSED):
            raise ConnectorError(STORE_CONFIGURATION, "These items' shipment was cancelled in Tiendanube (the order "
                                                      "or the shipment): nothing to dispatch; void the label.",
                                 detail=f"line {line} is in a cancelled fulfillment order")
        if held[line] == 0:
            raise ConnectorError(INVALID_DATA, f"The label ships item {line}, which is not on this Tiendanube order: "
                                               "check the label's line item ids.", detail=f"unknown line {line}")
        raise ConnectorError(INVALID_DATA, f"The label ships {quantity} × item {line} but the Tiendanube order "
                                           f"holds {held[line]}: check the label's quantities.",
                             detail=f"line {line}: {quantity} > {held[line]}")


def exact_cover(fos: list[FulfillmentOrder], wanted: Counter) -> tuple[FulfillmentOrder, ...] | None:
    """The smallest set of FOs whose lines add up to exactly ``wanted`` (None if none does)."""
    if len(fos) > MAX_SEARCH:
        return None
    for size in range(1, len(fos) + 1):
        for combo in itertools.combinations(fos, size):
            total: Counter = Counter()
            for fo in combo:
                total.update(fo.lines)
            if +total == +wanted:
                return combo
    return None


def _partial(live, wanted: Counter) -> ConnectorError:
    numbers = ", ".join(fo.number for fo in live)
    rest: Counter = Counter()
    for fo in live:
        rest.update(fo.lines)
    rest.subtract(wanted)
    missing = ", ".join(f"{q} × item {line}" for line, q in (+rest).items())
    return ConnectorError(STORE_CONFIGURATION, (
        f"This package holds only part of Tiendanube shipment {numbers}. Tiendanube dispatches a whole shipment at "
        f"once, so ShipSync wrote nothing (the customer would be told that {missing} left too). Add those items to "
        "this package's label, or dispatch the shipment in the Tiendanube admin."),
        detail=f"no exact cover of {dict(wanted)} by {[(fo.id, dict(fo.lines)) for fo in live]}")


def build_dispatch(shipment: Shipment, notify: bool) -> dict:
    """PATCH body moving an FO to DISPATCHED with the package's tracking."""
    return {"status": "DISPATCHED", "tracking_info": build_tracking_info(shipment, notify)}


def build_tracking_info(shipment: Shipment, notify: bool) -> dict:
    info = {"code": shipment.tracking_number, "carrier": shipment.carrier or None, "notify_customer": bool(notify)}
    if shipment.tracking_url:
        info["url"] = shipment.tracking_url
    return {k: v for k, v in info.items() if v is not None}
