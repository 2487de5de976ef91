"""Root fields of the Admin schema that ShipSync uses, for one shop.

Queries: order, orders, fulfillmentOrder, fulfillment, node, shop, webhookSubscriptions,
webhookSubscription. Mutations: fulfillmentCreate, fulfillmentTrackingInfoUpdate,
fulfillmentCancel, webhookSubscriptionCreate, webhookSubscriptionDelete. Anything else
resolves to null (a non-null field then fails loudly, which is what we want to notice).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from graphql import GraphQLError

from . import rules
from .model import WebhookSubscription, gid, gid_number, now
from .views import Views, connection

_TERM = re.compile(r"""(\w+):(>=|<=|>|<|=)?('[^']*'|"[^"]*"|\S+)""")
_SORT = {"ID": lambda o: [o.id], "ORDER_NUMBER": lambda o: [o.id],
         "CREATED_AT": lambda o: [o.created_at.isoformat(), o.id],
         "PROCESSED_AT": lambda o: [o.created_at.isoformat(), o.id],
         "UPDATED_AT": lambda o: [o.updated_at.isoformat(), o.id]}


def _parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def order_filter(query: str | None):
    """A predicate for Shopify's order search syntax (the subset ShipSync uses)."""
    tests = []
    for name, op, raw in _TERM.findall(query or ""):
        value = raw.strip("'\"")
        if name in ("updated_at", "created_at", "processed_at"):
            attr = "updated_at" if name == "updated_at" else "created_at"
            bound, op = _parse_time(value), op or "="
            tests.append(lambda o, a=attr, b=bound, op=op: _compare(getattr(o, a), op, b))
        elif name == "status":
            tests.append({
                "open": lambda o: o.closed_at is None and o.cancelled_at is None,
                "closed": lambda o: o.closed_at is not None,
                "cancelled": lambda o: o.cancelled_at is not None,
            }.get(value.lower(), lambda o: True))
        elif name == "fulfillment_status":
            wanted = {"unshipped": "UNFULFILLED", "unfulfilled": "UNFULFILLED", "partial": "PARTIALLY_FULFILLED",
                      "shipped": "FULFILLED", "fulfilled": "FULFILLED"}.get(value.lower())
            tests.append(lambda o, w=wanted: w is None or o.display_fulfillment_status == w)
        elif name == "id":
            tests.append(lambda o, op=op or "=", v=int(value): _compare(o.id, op, v))
    return lambda order: all(test(order) for test in tests)


def _compare(left, op, right) -> bool:
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right, "=": left == right}[op]


class Resolvers(Views):
    """``query_root()`` and ``mutation_root()`` for graphql-core's ``root_value``."""

    def query_root(self) -> dict:
        return {"order": self._order, "orders": self._orders, "fulfillmentOrder": self._fulfillment_order,
                "fulfillment": self._fulfillment, "node": self._node, "shop": lambda info: self.shop_view(),
                "webhookSubscriptions": self._webhooks, "webhookSubscription": self._webhook}

    def mutation_root(self) -> dict:
        return {"fulfillmentCreate": self._fulfillment_create, "fulfillmentCancel": self._fulfillment_cancel,
                "fulfillmentTrackingInfoUpdate": self._tracking_update,
                "webhookSubscriptionCreate": self._webhook_create, "webhookSubscriptionDelete": self._webhook_delete}

    # -- queries -------------------------------------------------------------------------
    def _find_order(self, order_gid):
        if not str(order_gid).startswith("gid://shopify/Order/"):
            raise GraphQLError(f"Invalid global id '{order_gid}'", extensions={"code": "argumentLiteralsIncompatible"})
        return self.shop.orders.get(gid_number(order_gid))

    def _order(self, info, id):
        order = self._find_order(id)
        return self.order(order) if order else None

    def _orders(self, info, sortKey="ID", query=None, reverse=False, **page):
        key = _SORT.get(sortKey, _SORT["ID"])
        matches = sorted(filter(order_filter(query), self.shop.orders.values()), key=key)
        return connection(matches, self.order, key=key, reverse=reverse, **page)

    def _fulfillment_order(self, info, id):
        order, fo = rules.find_fulfillment_order(self.shop, id)
        return self.fulfillment_order(order, fo) if fo else None

    def _fulfillment(self, info, id):
        order, fulfillment = rules.find_fulfillment(self.shop, id)
        return self.fulfillment(order, fulfillment) if fulfillment else None

    def _node(self, info, id):
        kind = str(id).split("/")[-2] if str(id).count("/") >= 4 else ""
        finder = {"Order": self._order, "FulfillmentOrder": self._fulfillment_order,
                  "Fulfillment": self._fulfillment, "WebhookSubscription": self._webhook}.get(kind)
        return finder(info, id) if finder else None

    def _webhooks(self, info, topics=None, uri=None, callbackUrl=None, format=None, query=None,
                  sortKey=None, **page):
        subs = [s for s in self.shop.webhooks
                if (not topics or s.topic in topics) and (not (uri or callbackUrl) or s.uri == (uri or callbackUrl))]
        return connection(subs, self.webhook, **page)

    def _webhook(self, info, id):
        sub = next((s for s in self.shop.webhooks if s.id == gid_number(id)), None)
        return self.webhook(sub) if sub else None

    # -- mutations -----------------------------------------------------------------------
    def _fulfillment_create(self, info, fulfillment, message=None):
        order, result = rules.create_fulfillment(self.shop, self.store.ids, fulfillment)
        if order is None:
            return {"fulfillment": None, "userErrors": result}
        self.store.order_changed(self.shop, order, "orders/updated")
        return {"fulfillment": self.fulfillment(order, result), "userErrors": []}

    def _fulfillment_cancel(self, info, id):
        result, errors = rules.cancel_fulfillment(self.shop, self.store.ids, id)
        if errors:
            return {"fulfillment": None, "userErrors": errors}
        order, fulfillment = result
        self.store.order_changed(self.shop, order, "orders/updated")
        return {"fulfillment": self.fulfillment(order, fulfillment), "userErrors": []}

    def _tracking_update(self, info, fulfillmentId, trackingInfoInput, notifyCustomer=None):
        result, errors = rules.update_tracking(self.shop, fulfillmentId, trackingInfoInput, notifyCustomer)
        if errors:
            return {"fulfillment": None, "userErrors": errors}
        self.store.order_changed(self.shop, result[0], "orders/updated")
        return {"fulfillment": self.fulfillment(*result), "userErrors": []}

    def _webhook_create(self, info, topic, webhookSubscription):
        uri = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl")
        if not uri:
            return {"webhookSubscription": None,
                    "userErrors": [rules.error(["webhookSubscription", "uri"], "Address can't be blank")]}
        if any(s.topic == topic and s.uri == uri for s in self.shop.webhooks):
            return {"webhookSubscription": None,
                    "userErrors": [rules.error(["webhookSubscription", "callbackUrl"],
                                               "Address for this topic has already been taken")]}
        at = now()
        sub = WebhookSubscription(self.store.ids.next("WebhookSubscription"), topic, uri,
                                  webhookSubscription.get("format") or "JSON", at, at)
        self.shop.webhooks.append(sub)
        return {"webhookSubscription": self.webhook(sub), "userErrors": []}

    def _webhook_delete(self, info, id):
        sub = next((s for s in self.shop.webhooks if s.id == gid_number(id)), None)
        if sub is None:
            return {"deletedWebhookSubscriptionId": None,
                    "userErrors": [rules.error(["id"], "Webhook subscription does not exist")]}
        self.shop.webhooks.remove(sub)
        return {"deletedWebhookSubscriptionId": gid("WebhookSubscription", sub.id), "userErrors": []}
