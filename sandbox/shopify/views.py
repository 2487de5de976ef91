"""The sandbox's state seen through the Admin schema: dicts shaped like its types.

graphql-core's default resolver reads a dict key and, when the value is callable, calls it
with ``(info, **arguments)``; so a field with arguments (connections, ``order(id)``) is a
function and everything else a plain value. Root values for queries and mutations live
in ``Resolvers``; the business rules they call are in ``rules.py``.
"""
from __future__ import annotations

import base64
import json

from graphql import GraphQLError

from .model import Fulfillment, FulfillmentOrder, LineItem, Order, Shop, WebhookSubscription, gid, iso

MAX_PAGE = 250


def _cursor(key) -> str:
    return base64.urlsafe_b64encode(json.dumps({"last": key}).encode()).decode().rstrip("=")


def _uncursor(cursor: str):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded))["last"]
    except (ValueError, KeyError, TypeError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}.") from None


def connection(items, view, *, key=lambda item: item.id, first=None, after=None, last=None,
               before=None, reverse=False, **_ignored) -> dict:
    """A Relay connection over ``items`` (already in their natural order), like Shopify's."""
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    if (first or 0) > MAX_PAGE or (last or 0) > MAX_PAGE:
        raise GraphQLError(f"The {'first' if first else 'last'} argument cannot exceed {MAX_PAGE}.")
    items = list(reversed(items)) if reverse else list(items)
    keys = [key(item) for item in items]
    # A cursor is the sort key of its item, so paging stays right when items are added or
    # re-sorted (an order updated while a client pages by UPDATED_AT) — never restarts.
    beyond = (lambda k, m: k < m) if reverse else (lambda k, m: k > m)
    start, end = 0, len(items)
    if after is not None:
        marker = _uncursor(after)
        start = next((i for i, k in enumerate(keys) if beyond(k, marker)), len(items))
    if before is not None:
        marker = _uncursor(before)
        end = next((i for i, k in enumerate(keys) if not beyond(marker, k)), len(items))
    window = list(range(start, end))
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if last else []
    nodes = [view(items[i]) for i in window]
    cursors = [_cursor(keys[i]) for i in window]
    return {
        "nodes": nodes,
        "edges": [{"cursor": c, "node": n} for c, n in zip(cursors, nodes)],
        "pageInfo": {
            "hasNextPage": bool(window) and window[-1] < len(items) - 1,
            "hasPreviousPage": bool(window) and window[0] > 0,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


class Views:
    """Dict views of one shop's objects. Built per request, used under the store lock."""

    def __init__(self, store, shop: Shop):
        self.store, self.shop = store, shop

    # -- objects -----------------------------------------------------------------------
    def order(self, order: Order) -> dict:
        return {
            "__typename": "Order", "id": gid("Order", order.id), "legacyResourceId": str(order.id),
            "name": order.name, "email": order.email, "phone": None, "note": None, "tags": [],
            "createdAt": iso(order.created_at), "updatedAt": iso(order.updated_at),
            "processedAt": iso(order.created_at), "cancelledAt": iso(order.cancelled_at),
            "cancelReason": order.cancel_reason, "closed": order.closed_at is not None,
            "closedAt": iso(order.closed_at), "confirmed": True, "test": False, "currencyCode": "USD",
            "displayFulfillmentStatus": order.display_fulfillment_status,
            "displayFinancialStatus": "PAID", "fulfillable": order.display_fulfillment_status != "FULFILLED"
            and order.cancelled_at is None,
            "customer": self.customer(order.customer) if order.customer else None,
            "lineItems": lambda info, **a: connection(order.line_items, lambda li: self.line_item(order, li), **a),
            "fulfillments": lambda info, first=None, **a: [
                self.fulfillment(order, f) for f in order.fulfillments][:first],
            "fulfillmentsCount": {"count": len(order.fulfillments), "precision": "EXACT"},
            "fulfillmentOrders": lambda info, **a: connection(
                order.fulfillment_orders, lambda fo: self.fulfillment_order(order, fo), **a),
        }

    @staticmethod
    def customer(data: dict) -> dict:
        name = " ".join(x for x in (data.get("first_name"), data.get("last_name")) if x) or data.get("email") or ""
        email = data.get("email")
        return {"__typename": "Customer", "id": gid("Customer", data["id"]), "legacyResourceId": str(data["id"]),
                "firstName": data.get("first_name"), "lastName": data.get("last_name"), "displayName": name,
                "email": email, "defaultEmailAddress": {"emailAddress": email} if email else None}

    def line_item(self, order: Order, li: LineItem) -> dict:
        fulfilled = order.fulfilled_quantity(li.id)
        return {"__typename": "LineItem", "id": gid("LineItem", li.id), "title": li.title, "name": li.title,
                "quantity": li.quantity, "currentQuantity": li.quantity, "sku": li.sku,
                "unfulfilledQuantity": li.quantity - fulfilled, "requiresShipping": True, "isGiftCard": False,
                "variantTitle": None, "vendor": None, "nonFulfillableQuantity": 0, "taxable": True,
                "refundableQuantity": li.quantity, "restockable": True, "merchantEditable": True,
                "customAttributes": [], "discountAllocations": [], "duties": []}

    def location(self, location_id: int) -> dict | None:
        location = self.shop.location(location_id)
        if location is None:
            return None
        return {"__typename": "Location", "id": gid("Location", location.id),
                "legacyResourceId": str(location.id), "name": location.name, "isActive": True,
                "isFulfillmentService": bool(location.fulfillment_service), "fulfillsOnlineOrders": True,
                "shipsInventory": True, "hasActiveInventory": True, "activatable": False,
                "deactivatable": True, "deletable": False, "addressVerified": True, "hasUnfulfilledOrders": True}

    def fulfillment_order(self, order: Order, fo: FulfillmentOrder) -> dict:
        location = self.shop.location(fo.location_id)
        return {
            "__typename": "FulfillmentOrder", "id": gid("FulfillmentOrder", fo.id), "status": fo.status,
            "requestStatus": fo.request_status, "createdAt": iso(fo.created_at), "updatedAt": iso(fo.updated_at),
            "orderId": gid("Order", order.id), "orderName": order.name, "orderProcessedAt": iso(order.created_at),
            "fulfillAt": None, "fulfillBy": None, "channelId": None, "destination": None, "deliveryMethod": None,
            "supportedActions": [{"action": a, "externalUrl": None} for a in fo.supported_actions],
            "fulfillmentHolds": ([{"id": gid("FulfillmentHold", fo.id), "reason": fo.hold_reason,
                                   "displayReason": fo.hold_reason.replace("_", " ").capitalize(),
                                   "reasonNotes": None, "handle": None, "heldByRequestingApp": False}]
                                 if fo.status == "ON_HOLD" else []),
            "assignedLocation": {"name": location.name if location else "", "countryCode": "US",
                                 "address1": None, "address2": None, "city": None, "phone": None,
                                 "province": None, "zip": None, "location": self.location(fo.location_id)},
            "order": lambda info: self.order(order),
            "lineItems": lambda info, **a: connection(
                fo.line_items, lambda x: self.fulfillment_order_line_item(order, x), **a),
            "fulfillments": lambda info, **a: connection(
                [f for f in order.fulfillments if any(x.fulfillment_order_id == fo.id for x in f.line_items)],
                lambda f: self.fulfillment(order, f), **a),
        }

    def fulfillment_order_line_item(self, order: Order, foli) -> dict:
        li = order.line_item(foli.line_item_id)
        return {"__typename": "FulfillmentOrderLineItem", "id": gid("FulfillmentOrderLineItem", foli.id),
                "totalQuantity": foli.total_quantity, "remainingQuantity": foli.remaining_quantity,
                "lineItem": self.line_item(order, li), "sku": li.sku, "productTitle": li.title,
                "variantTitle": None, "vendor": None, "requiresShipping": True, "warnings": [],
                "financialSummaries": [], "inventoryItemId": None}

    def fulfillment(self, order: Order, f: Fulfillment) -> dict:
        return {
            "__typename": "Fulfillment", "id": gid("Fulfillment", f.id), "legacyResourceId": str(f.id),
            "name": f.name, "status": f.status, "createdAt": iso(f.created_at), "updatedAt": iso(f.updated_at),
            "displayStatus": "CANCELED" if f.status == "CANCELLED" else "FULFILLED",
            "deliveredAt": None, "inTransitAt": None, "estimatedDeliveryAt": None, "requiresShipping": True,
            "totalQuantity": sum(x.quantity for x in f.line_items), "service": None, "originAddress": None,
            "trackingInfo": lambda info, first=None: [dict(t) for t in f.tracking][:first],
            "location": self.location(f.location_id), "order": lambda info: self.order(order),
            "fulfillmentLineItems": lambda info, **a: connection(f.line_items, lambda x: {
                "__typename": "FulfillmentLineItem", "id": gid("FulfillmentLineItem", x.id), "quantity": x.quantity,
                "lineItem": self.line_item(order, order.line_item(x.line_item_id))}, **a),
            "fulfillmentOrders": lambda info, **a: connection(
                [fo for fo in order.fulfillment_orders if any(x.fulfillment_order_id == fo.id for x in f.line_items)],
                lambda fo: self.fulfillment_order(order, fo), **a),
        }

    def webhook(self, sub: WebhookSubscription) -> dict:
        version = self.store.api_version
        return {"__typename": "WebhookSubscription", "id": gid("WebhookSubscription", sub.id),
                "legacyResourceId": str(sub.id), "topic": sub.topic, "uri": sub.uri, "callbackUrl": sub.uri,
                "format": sub.format, "createdAt": iso(sub.created_at), "updatedAt": iso(sub.updated_at),
                "includeFields": [], "metafieldNamespaces": [], "metafields": [], "filter": None, "name": None,
                "apiVersion": {"handle": version, "displayName": version, "supported": True}}

    def shop_view(self) -> dict:
        shop = self.shop
        return {"__typename": "Shop", "id": gid("Shop", shop.id), "name": shop.name,
                "myshopifyDomain": shop.domain, "email": f"owner@{shop.domain}",
                "contactEmail": f"owner@{shop.domain}", "currencyCode": "USD", "ianaTimezone": "UTC",
                "timezoneAbbreviation": "UTC", "timezoneOffset": "+0000", "timezoneOffsetMinutes": 0,
                "url": f"https://{shop.domain}", "weightUnit": "KILOGRAMS", "setupRequired": False,
                "plan": {"publicDisplayName": shop.plan, "partnerDevelopment": False,
                         "shopifyPlus": shop.plan in ("Plus", "Enterprise")},
                "primaryDomain": {"id": gid("Domain", shop.id), "host": shop.domain,
                                  "url": f"https://{shop.domain}", "sslEnabled": True}}
