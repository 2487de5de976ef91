"""Shopify's fulfillment rules, on the sandbox's model objects.

Each mutation-like function returns ``(result, user_errors)``; user errors are dicts
``{field, message}`` worded like Shopify's. Callers hold the store lock.
"""
from __future__ import annotations

from .model import (Fulfillment, FulfillmentLineItem, FulfillmentOrder, FulfillmentOrderLineItem, Ids,
                    Order, Shop, gid, gid_number, now)

UNFULFILLABLE = ("ON_HOLD", "CLOSED", "CANCELLED", "SCHEDULED", "INCOMPLETE")


def error(field, message) -> dict:
    return {"field": field, "message": message}


def route(order: Order, shop: Shop, ids: Ids) -> list[FulfillmentOrder]:
    """Create the order's fulfillment orders: one per location holding its line items."""
    if order.fulfillment_orders:
        return []
    created = []
    for location_id in dict.fromkeys(li.location_id for li in order.line_items):
        at = now()
        location = shop.location(location_id)
        fo = FulfillmentOrder(
            id=ids.next("FulfillmentOrder"), order_id=order.id, location_id=location_id, status="OPEN",
            line_items=[FulfillmentOrderLineItem(ids.next("FulfillmentOrderLineItem"), li.id, li.quantity, li.quantity)
                        for li in order.line_items if li.location_id == location_id],
            created_at=at, updated_at=at, service_owned=bool(location and location.fulfillment_service))
        created.append(fo)
    order.fulfillment_orders.extend(created)
    shop.owners.update({f"FulfillmentOrder/{fo.id}": order.id for fo in created})
    order.routed = True
    return created


def find_fulfillment_order(shop: Shop, fo_gid) -> tuple[Order, FulfillmentOrder] | tuple[None, None]:
    number = gid_number(fo_gid)
    order = shop.owner("FulfillmentOrder", number)
    fo = next((x for x in order.fulfillment_orders if x.id == number), None) if order else None
    return (order, fo) if fo else (None, None)


def find_fulfillment(shop: Shop, f_gid) -> tuple[Order, Fulfillment] | tuple[None, None]:
    number = gid_number(f_gid)
    order = shop.owner("Fulfillment", number)
    fulfillment = next((x for x in order.fulfillments if x.id == number), None) if order else None
    return (order, fulfillment) if fulfillment else (None, None)


def create_fulfillment(shop: Shop, ids: Ids, data: dict):
    """fulfillmentCreate: returns (order, fulfillment) or (None, user_errors)."""
    groups = data.get("lineItemsByFulfillmentOrder") or []
    if not groups:
        return None, [error(["fulfillment", "lineItemsByFulfillmentOrder"],
                            "Line items by fulfillment order can't be blank.")]
    resolved = []
    for index, group in enumerate(groups):
        order, fo = find_fulfillment_order(shop, group["fulfillmentOrderId"])
        if fo is None:
            return None, [error(["fulfillment", "lineItemsByFulfillmentOrder", str(index), "fulfillmentOrderId"],
                                "Fulfillment order does not exist.")]
        resolved.append((order, fo, group.get("fulfillmentOrderLineItems")))
    if len({order.id for order, _, _ in resolved}) > 1:
        return None, [error(["fulfillment"], "All fulfillment orders must belong to the same order.")]
    if len({fo.location_id for _, fo, _ in resolved}) > 1:
        return None, [error(["fulfillment"], "All fulfillment orders must be assigned to the same location.")]
    for _, fo, _ in resolved:
        problem = _unfulfillable(fo)
        if problem:
            return None, [error(["fulfillment"], problem)]
    plan = []
    for _, fo, wanted in resolved:
        by_id = {foli.id: foli for foli in fo.line_items}
        if wanted is None:  # no line items given: everything that remains
            wanted = [{"id": gid("FulfillmentOrderLineItem", x.id), "quantity": x.remaining_quantity}
                      for x in fo.line_items if x.remaining_quantity > 0]
        for item in wanted:
            foli = by_id.get(gid_number(item["id"]))
            if foli is None:
                return None, [error(["fulfillment"], "Invalid fulfillment order line item id.")]
            if item["quantity"] <= 0 or item["quantity"] > foli.remaining_quantity:
                return None, [error(["fulfillment"], "Invalid fulfillment order line item quantity requested.")]
            plan.append((fo, foli, item["quantity"]))
    if not plan:
        return None, [error(["fulfillment"], "Fulfillment order has no remaining line items to fulfill.")]
    order = resolved[0][0]
    fulfillment = _apply(order, resolved[0][1].location_id, plan, data, ids)
    shop.owners[f"Fulfillment/{fulfillment.id}"] = order.id
    return order, fulfillment


def _unfulfillable(fo: FulfillmentOrder) -> str | None:
    fo_gid = gid("FulfillmentOrder", fo.id)
    if fo.status in UNFULFILLABLE:
        return f"Fulfillment order {fo_gid} has an unfulfillable status= {fo.status.lower()}."
    if "CREATE_FULFILLMENT" not in fo.supported_actions:
        return (f"Fulfillment order {fo_gid} is assigned to a fulfillment service; "
                "the app does not have permission to fulfill it.")
    return None


def _apply(order: Order, location_id: int, plan, data: dict, ids: Ids) -> Fulfillment:
    at = now()
    tracking = data.get("trackingInfo") or {}
    numbers = tracking.get("numbers") or ([tracking["number"]] if tracking.get("number") else [])
    urls = tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else [])
    infos = [{"company": tracking.get("company"), "number": number,
              "url": urls[i] if i < len(urls) else None} for i, number in enumerate(numbers)]
    count = sum(1 for f in order.fulfillments) + 1
    fulfillment = Fulfillment(
        id=ids.next("Fulfillment"), order_id=order.id, location_id=location_id,
        name=f"{order.name}-F{count}", status="SUCCESS", tracking=infos, line_items=[],
        created_at=at, updated_at=at, notify_customer=bool(data.get("notifyCustomer")))
    for fo, foli, quantity in plan:
        foli.remaining_quantity -= quantity
        fulfillment.line_items.append(FulfillmentLineItem(ids.next("FulfillmentLineItem"), foli.line_item_id,
                                                          foli.id, fo.id, quantity))
    for fo in {fo.id: fo for fo, _, _ in plan}.values():
        remaining = sum(x.remaining_quantity for x in fo.line_items)
        fo.status = "CLOSED" if remaining == 0 else "IN_PROGRESS"
        fo.updated_at = at
    order.fulfillments.append(fulfillment)
    order.updated_at = at
    return fulfillment


def cancel_fulfillment(shop: Shop, ids: Ids, f_gid):
    """fulfillmentCancel: quantities go back to fulfillment orders (a closed one is replaced)."""
    order, fulfillment = find_fulfillment(shop, f_gid)
    if fulfillment is None:
        return None, [error(["id"], "Fulfillment does not exist.")]
    if fulfillment.status == "CANCELLED":
        return None, [error(["id"], "Fulfillment cannot be cancelled: it is already cancelled.")]
    at = now()
    fulfillment.status, fulfillment.updated_at = "CANCELLED", at
    by_fo: dict[int, list[FulfillmentLineItem]] = {}
    for fli in fulfillment.line_items:
        by_fo.setdefault(fli.fulfillment_order_id, []).append(fli)
    for fo_id, items in by_fo.items():
        fo = next(x for x in order.fulfillment_orders if x.id == fo_id)
        if fo.status == "CLOSED":
            replacement = FulfillmentOrder(
                id=ids.next("FulfillmentOrder"), order_id=order.id, location_id=fo.location_id, status="OPEN",
                line_items=[FulfillmentOrderLineItem(ids.next("FulfillmentOrderLineItem"), fli.line_item_id,
                                                     fli.quantity, fli.quantity) for fli in items],
                created_at=at, updated_at=at, service_owned=fo.service_owned)
            order.fulfillment_orders.append(replacement)
            shop.owners[f"FulfillmentOrder/{replacement.id}"] = order.id
            continue
        for fli in items:
            foli = next(x for x in fo.line_items if x.id == fli.fulfillment_order_line_item_id)
            foli.remaining_quantity += fli.quantity
        full = all(x.remaining_quantity == x.total_quantity for x in fo.line_items)
        if fo.status == "IN_PROGRESS" and full:
            fo.status = "OPEN"
        fo.updated_at = at
    order.updated_at = at
    return (order, fulfillment), []


def update_tracking(shop: Shop, f_gid, tracking: dict, notify_customer: bool = False):
    order, fulfillment = find_fulfillment(shop, f_gid)
    if fulfillment is None:
        return None, [error(["fulfillmentId"], "Fulfillment does not exist.")]
    if fulfillment.status == "CANCELLED":
        return None, [error(["fulfillmentId"], "Cannot update tracking of a cancelled fulfillment.")]
    numbers = tracking.get("numbers") or ([tracking["number"]] if tracking.get("number") else [])
    urls = tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else [])
    fulfillment.tracking = [{"company": tracking.get("company"), "number": n,
                             "url": urls[i] if i < len(urls) else None} for i, n in enumerate(numbers)]
    fulfillment.tracking_updates.append({"number": numbers[0] if numbers else None,
                                         "notify_customer": bool(notify_customer)})
    fulfillment.updated_at = order.updated_at = now()
    return (order, fulfillment), []


def hold(fo: FulfillmentOrder, reason: str = "OTHER") -> bool:
    if fo.status not in ("OPEN", "IN_PROGRESS"):
        return False
    fo.held_from, fo.status, fo.hold_reason, fo.updated_at = fo.status, "ON_HOLD", reason, now()
    return True


def release(fo: FulfillmentOrder) -> bool:
    if fo.status != "ON_HOLD":
        return False
    fo.status, fo.held_from, fo.hold_reason, fo.updated_at = fo.held_from or "OPEN", None, None, now()
    return True
