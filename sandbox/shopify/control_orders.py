"""Control methods about orders and their fulfillment orders (mixed into ShopifyStore)."""
from __future__ import annotations

from datetime import datetime, timezone

from . import rules
from .model import LineItem, Location, Order, Shop, gid, gid_number, iso, now


class OrderControls:
    """Needs ``self.lock``, ``self.ids``, ``self.shop()`` and ``self._emit()`` (ShopifyStore)."""

    # -- orders --------------------------------------------------------------------------
    def create_order(self, shop: str, line_items: list[dict] | None = None, *, email: str | None = None,
                     customer: dict | None = None, routed: bool = True, name: str | None = None,
                     created_at: str | None = None, updated_at: str | None = None) -> dict:
        """An order; each line item ``{title, quantity, sku, location}`` (location: a name,
        created if new, or an index; default the first). ``routed=False`` leaves it without
        fulfillment orders until ``route``."""
        with self.lock:
            s = self.shop(shop)
            at = _time(created_at) or now()
            specs = line_items or [{"title": "Sandbox T-shirt", "quantity": 1, "sku": "TSHIRT-1"}]
            number = s.next_order_number
            s.next_order_number += 1
            email = email or f"customer{number}@example.com"
            cust = {"id": self.ids.next("Customer"), "first_name": "Sandbox", "last_name": f"Customer {number}",
                    "email": email, **(customer or {})}
            order = Order(id=self.ids.next("Order"), shop=shop, name=name or f"#{number}", email=email,
                          customer=cust, line_items=[], created_at=at, updated_at=_time(updated_at) or at,
                          routed=False)
            for i, spec in enumerate(specs):
                order.line_items.append(LineItem(
                    self.ids.next("LineItem"), spec.get("title") or f"Product {i + 1}", int(spec.get("quantity", 1)),
                    spec.get("sku", f"SKU-{i + 1}"), self._location_id(s, spec.get("location"))))
            s.orders[order.id] = order
            if routed:
                rules.route(order, s, self.ids)
            snapshot = self._snapshot(order)
        self._emit(shop, "orders/create", order)
        return snapshot

    def create_orders(self, shop: str, count: int, **kwargs) -> list[dict]:
        return [self.create_order(shop, **kwargs) for _ in range(count)]

    def order(self, shop: str, order_id) -> dict:
        """Everything about an order: line items, fulfillment orders, fulfillments."""
        with self.lock:
            return self._snapshot(self._order(shop, order_id))

    def fulfillments(self, shop: str, order_id) -> list[dict]:
        return self.order(shop, order_id)["fulfillments"]

    def hold(self, shop: str, order_id, fulfillment_order_id=None, reason: str = "OTHER") -> list[str]:
        """Put the order's open fulfillment orders (or one) ON_HOLD; returns their ids."""
        return self._each_fo(shop, order_id, fulfillment_order_id, lambda fo: rules.hold(fo, reason))

    def release(self, shop: str, order_id, fulfillment_order_id=None) -> list[str]:
        return self._each_fo(shop, order_id, fulfillment_order_id, rules.release)

    def set_fulfillment_order_status(self, shop: str, order_id, status: str, fulfillment_order_id=None) -> list[str]:
        """Force a status (SCHEDULED, INCOMPLETE, CLOSED, …) for tests of the unfulfillable cases."""
        return self._each_fo(shop, order_id, fulfillment_order_id, lambda fo: setattr(fo, "status", status) or True)

    def assign_to_fulfillment_service(self, shop: str, order_id, fulfillment_order_id=None) -> list[str]:
        """Hand the order's fulfillment orders (or one) to a fulfillment service."""
        return self._each_fo(shop, order_id, fulfillment_order_id,
                             lambda fo: setattr(fo, "service_owned", True) or True)

    def route(self, shop: str, order_id) -> list[str]:
        """Routing complete: create the fulfillment orders of an order created with routed=False."""
        with self.lock:
            s, order = self.shop(shop), self._order(shop, order_id)
            created = rules.route(order, s, self.ids)
        for fo in created:
            self._emit(shop, "fulfillment_orders/order_routing_complete",
                       payload={"fulfillment_order": {"id": gid("FulfillmentOrder", fo.id), "status": "open"}})
        return [str(fo.id) for fo in created]

    def close_order(self, shop: str, order_id) -> dict:
        """Close (archive) the order: its unfinished fulfillment orders close too."""
        with self.lock:
            order = self._order(shop, order_id)
            order.closed_at = order.updated_at = now()
            for fo in order.fulfillment_orders:
                if fo.status not in ("CLOSED", "CANCELLED"):
                    fo.status = "CLOSED"
            snapshot = self._snapshot(order)
        self._emit(shop, "orders/updated", order)
        return snapshot

    def cancel_order(self, shop: str, order_id, reason: str = "CUSTOMER") -> dict:
        with self.lock:
            order = self._order(shop, order_id)
            order.cancelled_at = order.closed_at = order.updated_at = now()
            order.cancel_reason = reason
            for fo in order.fulfillment_orders:
                if fo.status not in ("CLOSED", "CANCELLED"):
                    fo.status = "CANCELLED"
            snapshot = self._snapshot(order)
        self._emit(shop, "orders/cancelled", order)
        return snapshot

    def _order(self, shop: str, order_id) -> Order:
        order = self.shop(shop).orders.get(gid_number(order_id))
        if order is None:
            raise KeyError(f"unknown order {order_id!r} in {shop}")
        return order

    def _location_id(self, shop: Shop, spec) -> int:
        if spec is None:
            return shop.locations[0].id
        if isinstance(spec, int):
            return shop.locations[spec].id
        found = next((l for l in shop.locations if l.name == spec), None)
        if found is None:
            found = Location(self.ids.next("Location"), spec)
            shop.locations.append(found)
        return found.id

    def _each_fo(self, shop, order_id, fo_id, change) -> list[str]:
        with self.lock:
            order = self._order(shop, order_id)
            changed = [fo for fo in order.fulfillment_orders
                       if (fo_id is None or fo.id == gid_number(fo_id)) and change(fo)]
            return [str(fo.id) for fo in changed]

    def _snapshot(self, order: Order) -> dict:
        return {
            "id": str(order.id), "gid": gid("Order", order.id), "name": order.name, "email": order.email,
            "created_at": iso(order.created_at), "updated_at": iso(order.updated_at),
            "cancelled_at": iso(order.cancelled_at), "closed_at": iso(order.closed_at),
            "display_fulfillment_status": order.display_fulfillment_status,
            "line_items": [{"id": str(li.id), "gid": gid("LineItem", li.id), "title": li.title, "sku": li.sku,
                            "quantity": li.quantity, "fulfilled_quantity": order.fulfilled_quantity(li.id),
                            "location_id": str(li.location_id)} for li in order.line_items],
            "fulfillment_orders": [{
                "id": str(fo.id), "gid": gid("FulfillmentOrder", fo.id), "status": fo.status,
                "location_id": str(fo.location_id), "supported_actions": list(fo.supported_actions),
                "line_items": [{"id": str(x.id), "gid": gid("FulfillmentOrderLineItem", x.id),
                                "line_item_id": str(x.line_item_id), "total_quantity": x.total_quantity,
                                "remaining_quantity": x.remaining_quantity} for x in fo.line_items],
            } for fo in order.fulfillment_orders],
            "fulfillments": [{
                "id": str(f.id), "gid": gid("Fulfillment", f.id), "name": f.name, "status": f.status,
                "location_id": str(f.location_id), "notify_customer": f.notify_customer,
                "tracking_updates": [dict(u) for u in f.tracking_updates],
                "tracking": [dict(t) for t in f.tracking],
                "tracking_number": f.tracking[0]["number"] if f.tracking else None,
                "tracking_company": f.tracking[0]["company"] if f.tracking else None,
                "tracking_url": f.tracking[0]["url"] if f.tracking else None,
                "line_items": [{"line_item_id": str(x.line_item_id), "quantity": x.quantity} for x in f.line_items],
                "created_at": iso(f.created_at),
            } for f in order.fulfillments],
        }


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).replace(microsecond=0)
