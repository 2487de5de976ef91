"""The Shopify connector: the Admin GraphQL API behind ``connectors.base.Connector``.

Modules: ``documents`` (every GraphQL document), ``orders`` / ``fulfillments`` /
``webhooks`` (pure build/parse), ``client`` (the transport, alone holding HTTP),
``errors`` (the error table), ``oauth`` (install, token exchange, refresh), ``ids``.
The public methods below only combine them.
"""
from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timedelta, timezone
from typing import Iterator

import requests

from connectors.base import (INVALID_DATA, RATE_LIMITED, TOKEN_EXPIRED, Connector, ConnectorError, Credentials,
                             FulfillmentResult, OrderNews, RateStatus, RemoteOrder, Shipment, StoreAccess)

from . import documents as doc
from . import errors, oauth
from .client import ShopifyTransport
from .fulfillments import (build_fulfillment_create_variables, build_tracking_update_variables, build_whole_order_plan,
                           matching, parse_fo_lines, parse_fulfillment_cancel, parse_fulfillment_create,
                           parse_fulfillment_orders, parse_fulfillments, parse_order_updated_at, plan_fulfillment,
                           uncovered, wanted_items)
from .ids import numeric_id, to_gid
from .orders import (build_open_orders_variables, build_order_variables, parse_datetime, parse_line_items,
                     parse_order, parse_orders_page)
from .webhooks import already_taken, build_subscription_variables, parse_subscriptions, plan_subscriptions

__all__ = ["ShopifyConnector"]

EXPIRY_SKEW = timedelta(seconds=30)
IMPORT_THROTTLE_RETRIES = 5
FULFILLMENTS_PAGE = 10  # ORDER_FULFILLMENTS_QUERY's fulfillments(first: 10)


class ShopifyConnector(Connector):
    platform = "shopify"
    learned_options: dict = {}  # nothing about a Shopify store needs remembering

    @classmethod
    def order_id_of(cls, payload) -> str:
        if not isinstance(payload, dict):
            raise ValueError("the payload is not an object")
        return str(payload.get("id") or payload.get("admin_graphql_api_id", "").rsplit("/", 1)[-1])

    @classmethod
    def order_news(cls, payload) -> OrderNews:
        """Order webhooks are triggers: the id (or GID) and when the order changed."""
        return OrderNews(cls.order_id_of(payload), parse_datetime(payload.get("updated_at")))

    def __init__(self, access: StoreAccess, settings, http: requests.Session | None = None):
        self.access, self.settings = access, settings
        creds = access.credentials
        self.transport = ShopifyTransport(settings, access.domain, creds.access_token, http,
                                          secrets=(creds.refresh_token or "",))

    @property
    def rate_status(self) -> RateStatus | None:
        throttle = (self.transport.last_cost or {}).get("throttleStatus")
        if not throttle:
            return None
        return RateStatus(float(throttle["currentlyAvailable"]), float(throttle["maximumAvailable"]),
                          float(throttle["restoreRate"]), spent=self.transport.spent)

    @staticmethod
    def requested_cost(shipment: Shipment) -> float:
        """What a sync of ``shipment`` will request from the bucket, call by call, on its likely
        path: the cheap read and the write when it ships our current copy of the order whole,
        else the full read and the write; plus the duplicate check when an earlier attempt may
        have written. (A copy found stale on the way costs one read more than reserved.)"""
        cost = doc.REQUESTED_COST
        whole = shipment.known_order is not None and _ships_whole(shipment)
        total = (cost["FULFILLMENT_TARGETS_QUERY"] if whole else cost["FULFILLMENT_ORDERS_QUERY"])
        total += cost["FULFILLMENT_CREATE"]
        return float(total + (cost["ORDER_FULFILLMENTS_QUERY"] if shipment.may_exist else 0))

    # -- orders --------------------------------------------------------------------------
    def fetch_order(self, order_id: str) -> RemoteOrder:
        order_gid = to_gid("Order", order_id)
        items, after = [], None
        while True:
            node = self._query(doc.ORDER_QUERY, build_order_variables(order_gid, after)).get("order")
            if node is None:
                raise ConnectorError(INVALID_DATA, f"Shopify has no order {numeric_id(order_id)} in this store")
            page, more, after = parse_line_items(node.get("lineItems") or {})
            items.extend(page)
            if not more:
                return parse_order(node, items)

    def list_open_orders(self, since: datetime) -> Iterator[RemoteOrder]:
        """Open orders updated since ``since``, page by page (an order with many items is re-read whole)."""
        after = None
        while True:
            data = self._paced_query(doc.OPEN_ORDERS_QUERY, build_open_orders_variables(since, after),
                                     requested=doc.OPEN_ORDERS_REQUESTED_COST)
            nodes, more, after = parse_orders_page(data)
            for node in nodes:
                items, truncated, _ = parse_line_items(node.get("lineItems") or {})
                yield self.fetch_order(node["id"]) if truncated else parse_order(node, items)
            if not more:
                return

    def order_of_fulfillment_order(self, fulfillment_order_id: str) -> str | None:
        """The numeric id of the order a fulfillment order belongs to (None when Shopify has none)."""
        node = self._query(doc.FULFILLMENT_ORDER_ORDER_QUERY,
                           {"id": to_gid("FulfillmentOrder", fulfillment_order_id)}).get("fulfillmentOrder")
        order = (node or {}).get("order") or {}
        return numeric_id(order["id"]) if order.get("id") else None

    # -- fulfillments --------------------------------------------------------------------
    def find_fulfillment(self, shipment: Shipment) -> FulfillmentResult | None:
        """The fulfillment(s) already carrying this tracking number, when they cover the package.

        A package split over two locations whose second write failed is *not* found, so that
        ``create_fulfillment`` completes it; when coverage cannot be told, it counts as found
        (never a duplicate).
        """
        status, found = self._matching_fulfillments(shipment)
        if not found or uncovered(found, wanted_items(shipment)):
            return None
        return FulfillmentResult(numeric_id(found[0].id), status)

    def create_fulfillment(self, shipment: Shipment) -> FulfillmentResult:
        """One fulfillmentCreate per location holding the package's items (usually one).

        Raises store_configuration when Shopify's state prevents it (hold, closed, service,
        not routed yet, already fulfilled) and invalid_data for items not on the order.
        """
        order_gid = to_gid("Order", shipment.order_id)
        wanted = wanted_items(shipment)
        whole = self._whole_order_plan(order_gid, shipment)
        if whole is not None:  # the package ships the whole order, as we know it: one cheap read
            data = self._query(doc.FULFILLMENT_CREATE, build_fulfillment_create_variables(
                whole, shipment, shipment.notify_customer))
            fulfillment_gid, status = parse_fulfillment_create(data)
            return FulfillmentResult(numeric_id(fulfillment_gid), status,
                                     order_updated_at=parse_order_updated_at(data))
        facts, fos = self._fulfillment_orders(order_gid)
        try:
            plans, problem = plan_fulfillment(facts, fos, wanted), None
        except ConnectorError as exc:
            plans, problem = [], exc
        already = []
        if problem or len(plans) > 1:
            # An earlier attempt may have written this package (all of it, or some locations
            # of a split one): finish it instead of failing or writing it twice.
            status, already = self._matching_fulfillments(shipment)
            need = uncovered(already, wanted) if already else wanted
            if not need:
                return FulfillmentResult(numeric_id(already[0].id), status)
            if problem and not already:
                raise problem
            if already:
                plans = plan_fulfillment(facts, fos, need)
        created, status = [], None
        for index, plan in enumerate(plans):
            notify = shipment.notify_customer and index == 0 and not already
            data = self._query(doc.FULFILLMENT_CREATE, build_fulfillment_create_variables(plan, shipment, notify))
            fulfillment_gid, status = parse_fulfillment_create(data)
            created.append(fulfillment_gid)
        first = already[0].id if already else created[0]
        return FulfillmentResult(numeric_id(first), status)

    def cancel_fulfillment(self, order_id: str, fulfillment_id: str) -> None:
        """Void a fulfillment and its siblings carrying the same tracking (a split package).
        Cancelling an already cancelled fulfillment does nothing."""
        for fulfillment_gid in self._siblings(order_id, fulfillment_id):
            parse_fulfillment_cancel(self._query(doc.FULFILLMENT_CANCEL, {"id": fulfillment_gid}))

    def update_tracking(self, fulfillment_id: str, shipment: Shipment) -> FulfillmentResult:
        """Correct the tracking of an existing fulfillment with fulfillmentTrackingInfoUpdate
        (Shopify e-mails the customer a shipping update only when asked to).

        A package split over locations has one fulfillment per location, all carrying its
        tracking: each is corrected, the customer told once. A cancelled one is Shopify's to refuse."""
        targets = self._siblings(shipment.order_id, fulfillment_id) or [to_gid("Fulfillment", fulfillment_id)]
        for index, fulfillment_gid in enumerate(targets):
            variables = build_tracking_update_variables(fulfillment_gid, shipment,
                                                        shipment.notify_customer and index == 0)
            payload = self._query(doc.FULFILLMENT_TRACKING_UPDATE, variables).get("fulfillmentTrackingInfoUpdate") or {}
            if payload.get("userErrors"):
                raise errors.from_user_errors(payload["userErrors"], "update the tracking")
        return FulfillmentResult(numeric_id(fulfillment_id))

    # -- store ---------------------------------------------------------------------------
    def register_webhooks(self, callback_url: str) -> None:
        """Subscribe the topics ShipSync handles; safe to call again (existing ones are kept)."""
        existing, after = [], None
        while True:
            page, after = parse_subscriptions(self._query(doc.WEBHOOK_SUBSCRIPTIONS_QUERY, {"after": after}))
            existing.extend(page)
            if not after:
                break
        create, stale = plan_subscriptions(existing, callback_url)
        for topic in create:
            data = self._query(doc.WEBHOOK_SUBSCRIPTION_CREATE, build_subscription_variables(topic, callback_url))
            problems = (data.get("webhookSubscriptionCreate") or {}).get("userErrors") or []
            if problems and not already_taken(problems):
                raise errors.from_user_errors(problems, f"subscribe to {topic}")
        for subscription_id in stale:
            self._query(doc.WEBHOOK_SUBSCRIPTION_DELETE, {"id": subscription_id})

    def shop_info(self) -> dict:
        """Name, domain and plan of the shop (not part of the Connector protocol)."""
        return self._query(doc.SHOP_QUERY)["shop"]

    def contact_email(self) -> str | None:
        """The shop owner's e-mail, where Shopify itself writes to the merchant (optional
        connector method: the failure digest goes there)."""
        return self.shop_info().get("email") or None

    def refresh_credentials(self) -> Credentials:
        """A new token pair (both rotate: store them together). Raises token_expired when the
        store must be re-authorized."""
        creds = self.access.credentials
        if not creds.refresh_token:
            raise ConnectorError(TOKEN_EXPIRED, "ShipSync has no refresh token for this store: the merchant must "
                                                "re-authorize ShipSync from the store's admin")
        if creds.refresh_expires_at and _utcnow() >= creds.refresh_expires_at:
            raise ConnectorError(TOKEN_EXPIRED, "The refresh token expired (90 days unused): the merchant must "
                                                "re-authorize ShipSync from the store's admin")
        fresh = oauth.refresh(self.settings, self.access.domain, creds.refresh_token, http=self.transport.http)
        self.access = dataclasses.replace(self.access, credentials=fresh)
        self.transport = ShopifyTransport(self.settings, self.access.domain, fresh.access_token,
                                          self.transport.http, secrets=(fresh.refresh_token or "",))
        return fresh

    # -- helpers -------------------------------------------------------------------------
    def _query(self, document: str, variables: dict | None = None) -> dict:
        expires_at = self.access.credentials.expires_at
        if expires_at and _utcnow() >= expires_at - EXPIRY_SKEW:
            # Known expired: save the store a 401 round trip; the engine refreshes and retries.
            raise ConnectorError(TOKEN_EXPIRED, "The Shopify access token has expired",
                                 detail="expired before the call (expires_at passed)")
        return self.transport.graphql(document, variables)

    def _paced_query(self, document: str, variables: dict, requested: float) -> dict:
        """A query that may run many times in one task (an install's import of thousands of
        orders): wait until the bucket, as the last answer reported it, holds its requested
        cost, and wait out a THROTTLED answer, instead of failing the whole import."""
        for attempt in range(IMPORT_THROTTLE_RETRIES + 1):
            status = self.rate_status
            if status and status.restore_rate and status.available < min(requested, status.maximum):
                time.sleep((min(requested, status.maximum) - status.available) / status.restore_rate)
            try:
                return self._query(document, variables)
            except ConnectorError as error:
                if error.cause != RATE_LIMITED or attempt == IMPORT_THROTTLE_RETRIES:
                    raise
                time.sleep(min(error.retry_after or 1.0, 60.0))
        raise AssertionError("unreachable")

    def _whole_order_plan(self, order_gid: str, shipment: Shipment):
        """A plan for the whole (only) fulfillment order, or None when the full read is needed.

        Only when the package ships every line of our copy of the order and the store still
        reports the updatedAt of that copy (an edit, a fulfillment or a refund changes it):
        then the order's one open fulfillment order holds exactly the package's items.
        """
        known = shipment.known_order
        if known is None or not _ships_whole(shipment):
            return None
        return build_whole_order_plan(self._query(doc.FULFILLMENT_TARGETS_QUERY, {"id": order_gid}), known)

    def _fulfillment_orders(self, order_gid: str):
        """Every fulfillment order of the order with all its line items (paging both)."""
        facts, fos, after = parse_fulfillment_orders(self._query(doc.FULFILLMENT_ORDERS_QUERY, {"id": order_gid}))
        while after:
            _, more, after = parse_fulfillment_orders(
                self._query(doc.FULFILLMENT_ORDERS_QUERY, {"id": order_gid, "after": after}))
            fos.extend(more)
        for fo in fos:
            while fo.lines_cursor:
                data = self._query(doc.FULFILLMENT_ORDER_LINE_ITEMS_QUERY, {"id": fo.id, "after": fo.lines_cursor})
                lines, fo.lines_cursor = parse_fo_lines(((data.get("fulfillmentOrder") or {}).get("lineItems")) or {})
                fo.lines.extend(lines)
        return facts, fos

    def _siblings(self, order_id: str, fulfillment_id: str) -> list[str]:
        """The fulfillment and its active siblings carrying the same tracking (a package split over
        locations); empty when the fulfillment is already cancelled."""
        target_gid = to_gid("Fulfillment", fulfillment_id)
        _, records = parse_fulfillments(self._query(doc.ORDER_FULFILLMENTS_QUERY, {"id": to_gid("Order", order_id)}))
        target = next((r for r in records if r.id == target_gid), None)
        if target is not None and not target.active:
            return []
        if target is None or not target.numbers:
            return [target_gid]
        return [r.id for r in records if r.active and set(r.numbers) & set(target.numbers)]

    def _matching_fulfillments(self, shipment: Shipment):
        order_gid = to_gid("Order", shipment.order_id)
        status, records = parse_fulfillments(self._query(doc.ORDER_FULFILLMENTS_QUERY, {"id": order_gid}))
        if len(records) >= FULFILLMENTS_PAGE:  # maybe more: match on tracking numbers of up to 240
            detailed = {r.id: r for r in records}
            status, every = parse_fulfillments(self._query(doc.ORDER_FULFILLMENT_TRACKING_QUERY, {"id": order_gid}))
            records = [detailed.get(r.id, r) for r in every]
        return status, matching(records, shipment)


def _ships_whole(shipment: Shipment) -> bool:
    """The package holds every line of our copy of the order, in full."""
    try:
        return wanted_items(shipment) == wanted_items(dataclasses.replace(shipment, items=shipment.known_order.line_items))
    except ConnectorError:  # no items, or a bad one: the full path explains it
        return False


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


from .descriptor import descriptor  # noqa: E402  (the descriptor names the class defined above)

PLATFORM = descriptor(ShopifyConnector)
