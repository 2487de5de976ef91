"""``WooCommerceConnector``: the Connector protocol (connectors/base.py) for WooCommerce stores.

The public methods combine the parts in a few lines each: ``StoreClient`` (transport,
signing, error table), the backends (where tracking goes) and the pure ``orders`` and
``tracking`` functions. A connector lives for one operation of the sync engine
(``find_fulfillment`` then ``create_fulfillment``): what it detects or reads is cached for
that long only.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime
from typing import Iterator

from connectors.base import (INVALID_DATA, STORE_CONFIGURATION, TOKEN_EXPIRED, ConnectorError, Credentials,
                             FulfillmentResult, RemoteOrder, Shipment, StoreAccess)
from connectors.woocommerce import orders, tracking
from connectors.woocommerce.backends import Backend, NativeBackend, NoteBackend, ShipmentTrackingBackend
from connectors.woocommerce.transport import StoreClient

WEBHOOK_TOPICS = ("order.created", "order.updated", "order.deleted")


class WooCommerceConnector:
    platform = "woocommerce"
    rate_status = None  # wc/v3 reports no rate budget

    def __init__(self, access: StoreAccess, settings, http=None):
        options = access.options or {}
        self.access = access
        self.client = StoreClient(access.domain, access.credentials, timeout=settings.store_timeout_seconds,
                                  auth_mode=options.get("auth"), home_url=options.get("home_url"), http=http)
        stored = options.get("tracking_backend")
        self._backend_kind = stored if stored in tracking.BACKENDS else None
        self._backend: Backend | None = None
        self._orders: dict[str, dict] = {}

    @property
    def learned_options(self) -> dict:
        """What this connector found out about the store, for the app to keep in
        ``Store.options`` so that later syncs skip the detection requests."""
        learned = {"tracking_backend": self._backend_kind, "home_url": self.client.home_url}
        if isinstance(self._backend, ShipmentTrackingBackend):
            learned["tracking_namespace"] = self._backend.namespace
        return {k: v for k, v in learned.items() if v}

    # --- orders ------------------------------------------------------------------------

    def fetch_order(self, order_id: str) -> RemoteOrder:
        """The order, with what has shipped read from the tracking backend: an order-note
        store says nothing about shipping in the order itself."""
        data = self._order(order_id, fresh=True)
        remote = orders.parse_order(data)
        if remote.fulfillment_status == orders.FULFILLED or remote.cancelled:
            return remote
        shipped = self._backend_for(order_id).shipped(order_id)
        status = (orders.FULFILLED if orders.all_shipped(data, shipped)
                  else orders.PARTIALLY_FULFILLED if +shipped else orders.UNFULFILLED)
        return dataclasses.replace(remote, fulfillment_status=orders.merge_status(remote.fulfillment_status, status))

    def list_open_orders(self, since: datetime) -> Iterator[RemoteOrder]:
        """Open orders placed since ``since``, page by page (what shipped: as the orders say)."""
        for data in self.client.get_all("wc/v3/orders", orders.open_orders_query(since)):
            yield orders.parse_order(data)

    # --- fulfillments ------------------------------------------------------------------

    def find_fulfillment(self, shipment: Shipment) -> FulfillmentResult | None:
        """The tracking already written for this package, if any (a lost response may have
        succeeded). When found, the steps that may not have run after it (the ledger note,
        the order status) are finished, so the package ends exactly as a fresh write would."""
        order = self._order(shipment.order_id)
        record, shipped = self._backend_for(shipment.order_id).find(shipment.order_id, shipment)
        if record is None:
            return None
        return self._settle(order, record, shipped)

    def create_fulfillment(self, shipment: Shipment) -> FulfillmentResult:
        """Write the tracking, then complete the order if every item has now shipped.

        Raises ConnectorError: STORE_CONFIGURATION for a cancelled/refunded order,
        INVALID_DATA for an item the order does not have, or whatever the store answers.
        """
        order = self._order(shipment.order_id)
        _check_shippable(order, shipment)
        record, shipped = self._backend_for(shipment.order_id).write(shipment.order_id, shipment)
        return self._settle(order, record, shipped)

    def cancel_fulfillment(self, order_id: str, fulfillment_id: str) -> None:
        kind, record_id = tracking.parse_fulfillment_id(fulfillment_id)
        _check_order_id(order_id)
        backend = {"fulfillment": lambda: NativeBackend(self.client),
                   "tracking": lambda: ShipmentTrackingBackend(self.client, self._tracking_namespace()),
                   "note": lambda: NoteBackend(self.client)}[kind]()
        backend.cancel(order_id, kind, record_id)

    def _settle(self, order: dict, record: tracking.Record, shipped: Counter) -> FulfillmentResult:
        """Tracking is written: set ``completed`` (which emails the customer) only once every
        item has shipped; while some have not, the order stays ``processing``."""
        done = orders.all_shipped(order, shipped)
        if done and order.get("status") in orders.COMPLETABLE_STATUSES:
            updated = self.client.put(f"wc/v3/orders/{order['id']}", {"status": "completed"})
            self._orders[str(order["id"])] = updated if isinstance(updated, dict) else order
        return FulfillmentResult(record.fulfillment_id, orders.FULFILLED if done else orders.PARTIALLY_FULFILLED)

    # --- credentials and webhooks --------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        """WooCommerce keys never expire and cannot be refreshed: a refused key means the
        merchant must reconnect the store."""
        raise ConnectorError(TOKEN_EXPIRED, "The store no longer accepts ShipSync's API keys: reconnect the store.")

    def register_webhooks(self, callback_url: str) -> None:
        """Make sure the store has one active ``order.created/updated/deleted`` webhook each
        for ``callback_url``, signed with the store's webhook secret.

        Idempotent: existing ones are kept; ones WooCommerce disabled after repeated failed
        deliveries are re-enabled (with the secret again); duplicates are deleted. A webhook
        a merchant *paused* stays paused. Creating one makes the store ping ``callback_url``
        before it answers, so call this from the worker, never inside a web request.
        """
        secret = self.access.credentials.webhook_secret
        if not secret:
            raise ConnectorError(STORE_CONFIGURATION, "The store has no webhook secret: reconnect the store.")
        existing = [w for w in self.client.get_all("wc/v3/webhooks") if isinstance(w, dict)]
        for topic in WEBHOOK_TOPICS:
            mine = [w for w in existing if w.get("topic") == topic and _same_url(w.get("delivery_url"), callback_url)]
            if not mine:
                self.client.post("wc/v3/webhooks", {"name": f"ShipSync {topic}", "topic": topic,
                                                    "delivery_url": callback_url, "secret": secret,
                                                    "status": "active"})
                continue
            keep, duplicates = mine[0], mine[1:]
            if keep.get("status") == "disabled":
                self.client.put(f"wc/v3/webhooks/{keep['id']}", {"status": "active", "secret": secret})
            for duplicate in duplicates:
                self.client.delete(f"wc/v3/webhooks/{duplicate['id']}", params=[("force", "true")])

    # --- helpers -------------------------------------------------------------------------

    def _order(self, order_id: str, fresh: bool = False) -> dict:
        _check_order_id(order_id)
        if fresh or order_id not in self._orders:
            data = self.client.get(f"wc/v3/orders/{order_id}")
            if not isinstance(data, dict) or "id" not in data:
                raise ConnectorError(INVALID_DATA, f"The store's answer for order {order_id} is not an order.")
            self._orders[order_id] = data
        return self._orders[order_id]

    def _backend_for(self, order_id: str) -> Backend:
        """Where tracking goes, detected once per connector: a stored choice, else the
        ``GET /wp-json/`` index — native fulfillments (WooCommerce 10.1+), else the
        Shipment Tracking API, else an order note."""
        if self._backend is not None:
            return self._backend
        kind, preloaded = self._backend_kind, {}
        if kind is None:
            index = self.client.index()
            kind = tracking.detect_from_index(index)
            if kind is None:
                kind, preloaded = self._probe_native(order_id, index)
        if kind == tracking.NATIVE:
            self._backend = NativeBackend(self.client, preloaded)
        elif kind == tracking.SHIPMENT_TRACKING:
            self._backend = ShipmentTrackingBackend(self.client, self._tracking_namespace())
        else:
            self._backend = NoteBackend(self.client)
        self._backend_kind = kind
        return self._backend

    def _probe_native(self, order_id: str, index: dict) -> tuple[str, dict]:
        """Native fulfillments share the ``wc/v3`` namespace: only asking the route tells.
        The answer is the fulfillment list ``find`` needs anyway, so it is kept. When the
        index was refused too (a plugin closing the REST index to anonymous callers), the
        Shipment Tracking route is asked the same way."""
        fulfillments = self._route_or_none(f"wc/v3/orders/{order_id}/fulfillments")
        if fulfillments is not None:
            return tracking.NATIVE, {order_id: fulfillments if isinstance(fulfillments, list) else []}
        if isinstance(index.get("namespaces"), list):
            return (tracking.SHIPMENT_TRACKING if tracking.shipment_tracking_namespace(index) else tracking.NOTE), {}
        namespace = tracking.SHIPMENT_TRACKING_NAMESPACES[0]
        found = self._route_or_none(f"{namespace}/orders/{order_id}/shipment-trackings")
        return (tracking.NOTE if found is None else tracking.SHIPMENT_TRACKING), {}

    def _route_or_none(self, route: str):
        """The route's answer, or None when the store has no such route (404 ``rest_no_route``)."""
        try:
            return self.client.get(route)
        except ConnectorError as error:
            if error.cause == STORE_CONFIGURATION and error.http_status == 404:
                return None
            raise

    def _tracking_namespace(self) -> str:
        stored = (self.access.options or {}).get("tracking_namespace")
        if stored in tracking.SHIPMENT_TRACKING_NAMESPACES:
            return stored
        return tracking.shipment_tracking_namespace(self.client.index()) or tracking.SHIPMENT_TRACKING_NAMESPACES[0]


def _check_order_id(order_id: str) -> None:
    if not str(order_id).isdigit():
        raise ConnectorError(INVALID_DATA, f"{order_id!r} is not a WooCommerce order id (a number).")


def _check_shippable(order: dict, shipment: Shipment) -> None:
    status = order.get("status")
    if status in orders.CLOSED_STATUSES:
        raise ConnectorError(STORE_CONFIGURATION, f"Order {order.get('number') or order.get('id')} is {status} "
                                                  "in the store: nothing can ship.")
    ordered = orders.ordered_quantities(order)
    unknown = [item.line_item_id for item in shipment.items if item.line_item_id not in ordered]
    if unknown:
        raise ConnectorError(INVALID_DATA, f"Order {order.get('number') or order.get('id')} has no line item "
                                           f"{', '.join(unknown)}.")


def _same_url(a, b) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.rstrip("/") == b.rstrip("/")
