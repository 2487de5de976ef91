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

from connectors.base import (INVALID_DATA, SHIPSYNC_CHECK, STORE_CONFIGURATION, TOKEN_EXPIRED, ConnectorError,
                             Connector, Credentials, FulfillmentResult, OrderNews, RemoteOrder, Shipment,
                             StoreAccess)
from connectors.store_http import store_session
from connectors.woocommerce import orders, tracking
from connectors.woocommerce.backends import (Backend, NativeBackend, NoteBackend, ShipmentTrackingBackend,
                                             optional_read)
from connectors.woocommerce.transport import StoreClient

WEBHOOK_TOPICS = ("order.created", "order.updated", "order.deleted")


class WooCommerceConnector(Connector):
    platform = "woocommerce"
    rate_status = None  # wc/v3 reports no rate budget

    @classmethod
    def order_news(cls, payload) -> OrderNews:
        """An order webhook's body is the whole order (as wc/v3 returns it)."""
        order = orders.parse_order(payload)
        return OrderNews(order.id, order.updated_at, order)

    @classmethod
    def merge_fulfillment_status(cls, remote: str, local: str) -> str:
        """An order-note store says nothing about shipping in the order itself: what we
        synced counts too, so an echo never turns a shipped order back to unfulfilled."""
        return orders.merge_status(remote, local)

    def __init__(self, access: StoreAccess, settings, http=None):
        options = access.options or {}
        self.access = access
        self.client = StoreClient(access.domain, access.credentials, timeout=settings.store_timeout_seconds,
                                  auth_mode=options.get("auth"), home_url=options.get("home_url"),
                                  http=http or store_session(settings))
        stored = options.get("tracking_backend")
        self._backend_kind = stored if stored in tracking.BACKENDS else None
        self._backend: Backend | None = None
        self._namespace = options.get("tracking_namespace")
        self._providers = options.get("tracking_providers")
        self._language = options.get("language")
        self._redetected = False
        self._orders: dict[str, dict] = {}

    @property
    def learned_options(self) -> dict:
        """What this connector found out about the store, for the app to keep in
        ``Store.options`` so that later syncs skip the detection requests."""
        learned = {"tracking_backend": self._backend_kind, "home_url": self.client.home_url,
                   "language": self._language}
        if isinstance(self._backend, ShipmentTrackingBackend):
            learned["tracking_namespace"] = self._backend.namespace
            learned["tracking_providers"] = self._backend.providers
        return {k: v for k, v in learned.items() if v}

    # --- orders ------------------------------------------------------------------------

    def fetch_order(self, order_id: str) -> RemoteOrder:
        """The order, with what has shipped read from the tracking backend: an order-note
        store says nothing about shipping in the order itself."""
        data = self._order(order_id, fresh=True)
        remote = orders.parse_order(data)
        if remote.fulfillment_status == orders.FULFILLED or remote.cancelled:
            return remote
        shipped = self._on_backend(order_id, lambda backend: backend.shipped(order_id))
        status = (orders.FULFILLED if orders.all_shipped(data, shipped)
                  else orders.PARTIALLY_FULFILLED if +shipped else orders.UNFULFILLED)
        return dataclasses.replace(remote, fulfillment_status=orders.merge_status(remote.fulfillment_status, status))

    def list_open_orders(self, since: datetime) -> Iterator[RemoteOrder]:
        """Open orders placed since ``since``, page by page (what shipped: as the orders say)."""
        for data in self.client.get_all("wc/v3/orders", orders.open_orders_query(since)):
            yield orders.parse_order(data)

    def list_changed_orders(self, since: datetime) -> Iterator[RemoteOrder]:
        """Orders modified since ``since``, any status: WooCommerce never retries a webhook
        delivery, so reconciliation re-reads these to repair one that was lost."""
        for data in self.client.get_all("wc/v3/orders", orders.changed_orders_query(since)):
            yield orders.parse_order(data)

    # --- fulfillments ------------------------------------------------------------------

    def find_fulfillment(self, shipment: Shipment) -> FulfillmentResult | None:
        """The tracking already written for this package, if any (a lost response may have
        succeeded). When found, the steps that may not have run after it (the ledger note,
        the order status) are finished, so the package ends exactly as a fresh write would."""
        order = self._order(shipment.order_id)
        record, shipped = self._on_backend(shipment.order_id,
                                           lambda backend: backend.find(shipment.order_id, shipment))
        if record is None:
            return None
        return self._settle(order, record, shipped)

    def create_fulfillment(self, shipment: Shipment) -> FulfillmentResult:
        """Write the tracking, then complete the order if every item has now shipped.

        Raises ConnectorError: STORE_CONFIGURATION for a cancelled/refunded order,
        INVALID_DATA (ShipSync's own checks, worded as such) for an item the order does not
        have or more of an item than remains unshipped, or whatever the store answers.
        """
        order = self._order(shipment.order_id)
        _check_shippable(order, shipment)
        _check_unshipped(order, shipment, self._on_backend(shipment.order_id,
                                                           lambda backend: backend.shipped(shipment.order_id)))
        record, shipped = self._on_backend(shipment.order_id,
                                           lambda backend: backend.write(shipment.order_id, shipment))
        return self._settle(order, record, shipped)

    def cancel_fulfillment(self, order_id: str, fulfillment_id: str) -> str | None:
        """Remove the package's tracking record; then, if the store still says ``completed``
        while not every item remains shipped, put the order back to ``processing``.
        Returns what changed in the order, for the package's history (None: nothing)."""
        kind, record_id = tracking.parse_fulfillment_id(fulfillment_id)
        _check_order_id(order_id)
        backend = self._backend_of(kind)
        backend.cancel(order_id, kind, record_id)
        order = self._order(order_id, fresh=True)
        if order.get("status") != "completed" or orders.all_shipped(order, backend.shipped(order_id)):
            return None
        self.client.put(f"wc/v3/orders/{order_id}", {"status": "processing"})
        return (f"Order {order.get('number') or order_id} put back to processing in the store: "
                "not every item remains shipped.")

    def update_tracking(self, fulfillment_id: str, shipment: Shipment) -> FulfillmentResult:
        """Correct a synced package's tracking: its record is replaced by one with the new
        number (written on the backend the store has now; a note store gets a corrected
        customer note), then the old record is removed. Safe to repeat: a replacement
        already written is found, not written twice. Returns the new record's id."""
        kind, record_id = tracking.parse_fulfillment_id(fulfillment_id)
        order_id = shipment.order_id
        self._order(order_id)

        def replace(backend: Backend) -> tracking.Record:
            found, _ = backend.find(order_id, shipment)
            return found or backend.write_correction(order_id, shipment)[0]

        record = self._on_backend(order_id, replace)
        if record.fulfillment_id != fulfillment_id:
            try:
                self._backend_of(kind).cancel(order_id, kind, record_id)
            except ConnectorError as error:
                if not _route_gone(error):  # the old record's plugin is gone, and with it its display
                    raise
        return FulfillmentResult(record.fulfillment_id, detail=record.detail)

    def _backend_of(self, kind: str) -> Backend:
        """The backend that wrote a record of this kind (``fulfillment``, ``tracking``, ``note``)."""
        return {"fulfillment": lambda: NativeBackend(self.client),
                "tracking": lambda: ShipmentTrackingBackend(self.client, self._tracking_namespace(), self._providers),
                "note": lambda: NoteBackend(self.client, self._language)}[kind]()

    def _settle(self, order: dict, record: tracking.Record, shipped: Counter) -> FulfillmentResult:
        """Tracking is written: set ``completed`` (which emails the customer) only once every
        item has shipped; while some have not, the order stays ``processing``."""
        done = orders.all_shipped(order, shipped)
        if done and order.get("status") in orders.COMPLETABLE_STATUSES:
            updated = self.client.put(f"wc/v3/orders/{order['id']}", {"status": "completed"})
            self._orders[str(order["id"])] = updated if isinstance(updated, dict) else order
        return FulfillmentResult(record.fulfillment_id, orders.FULFILLED if done else orders.PARTIALLY_FULFILLED,
                                 detail=record.detail)

    # --- credentials and webhooks --------------------------------------------------------

    def verify_credentials(self) -> None:
        """One authenticated read with exactly these keys; raises ConnectorError when the store
        refuses them (or cannot be reached). The connect flow calls it before keeping keys."""
        self.client.get("wc/v3/orders", params=[("per_page", "1"), ("_fields", "id")])

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
            try:
                data = self.client.get(f"wc/v3/orders/{order_id}")
            except ConnectorError as error:
                if error.cause == INVALID_DATA and error.http_status == 404:
                    raise ConnectorError(INVALID_DATA, f"The store has no order {order_id} ({error.detail}).",
                                         http_status=404, detail=error.detail) from None
                raise
            if not isinstance(data, dict) or "id" not in data:
                raise ConnectorError(INVALID_DATA, f"The store's answer for order {order_id} is not an order.")
            self._orders[order_id] = data
        return self._orders[order_id]

    def redetect_backend(self, order_id: str = "0") -> str:
        """Ask the store again where tracking goes (a plugin switched on or off since), and
        refresh what goes with it: the Shipment Tracking provider list, the store's language."""
        self._forget_backend()
        return self._backend_for(order_id).kind

    def _on_backend(self, order_id: str, operation):
        """``operation(backend)``; when the store answers ``rest_no_route`` (the tracking plugin
        was deactivated, or the feature turned off), the backend is detected again and the
        operation runs once more on the one the store has now — within the same attempt."""
        try:
            return operation(self._backend_for(order_id))
        except ConnectorError as error:
            if not _route_gone(error) or self._redetected:
                raise
            self._forget_backend()
            return operation(self._backend_for(order_id))

    def _forget_backend(self) -> None:
        self._redetected = True
        self._backend = self._backend_kind = self._namespace = None
        self.client.forget_index()

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
            self._language = self._store_language() or self._language
        if kind == tracking.NATIVE:
            self._backend = NativeBackend(self.client, preloaded)
        elif kind == tracking.SHIPMENT_TRACKING:
            self._backend = ShipmentTrackingBackend(self.client, self._tracking_namespace(), self._providers)
            if self._backend_kind is None or not self._providers:  # newly detected: read its providers
                self._providers = self._backend.load_providers(order_id)
        else:
            self._backend = NoteBackend(self.client, self._language)
        self._backend_kind = kind
        return self._backend

    def _store_language(self) -> str | None:
        """WordPress's locale (e.g. ``es_ES``), from WooCommerce's system status; None when
        the store does not say (a key that may not read it, an old version)."""
        status = optional_read(lambda: self.client.get("wc/v3/system_status",
                                                       params=[("_fields", "environment.language")]))
        language = (status.get("environment") or {}).get("language") if isinstance(status, dict) else None
        return language if isinstance(language, str) and language else None

    def _probe_native(self, order_id: str, index: dict) -> tuple[str, dict]:
        """Native fulfillments share the ``wc/v3`` namespace: only asking the route tells.
        The answer is the fulfillment list ``find`` needs anyway, so it is kept. When the
        index was refused too (a plugin closing the REST index to anonymous callers), the
        Shipment Tracking route is asked the same way."""
        fulfillments = self._route_or_none(f"wc/v3/orders/{order_id}/fulfillments")
        if fulfillments is not None:
            return tracking.NATIVE, ({order_id: fulfillments} if isinstance(fulfillments, list) else {})
        if isinstance(index.get("namespaces"), list):
            return (tracking.SHIPMENT_TRACKING if tracking.shipment_tracking_namespace(index) else tracking.NOTE), {}
        namespace = tracking.SHIPMENT_TRACKING_NAMESPACES[0]
        found = self._route_or_none(f"{namespace}/orders/{order_id}/shipment-trackings")
        return (tracking.NOTE if found is None else tracking.SHIPMENT_TRACKING), {}

    def _route_or_none(self, route: str):
        """The route's answer, or None when the store has no such route (404 ``rest_no_route``).
        A route that exists but has no such order (a probe with no order at hand) answers ``{}``."""
        try:
            return self.client.get(route)
        except ConnectorError as error:
            if error.cause == INVALID_DATA and error.http_status == 404:
                return {}
            if _route_gone(error):
                return None
            raise

    def _tracking_namespace(self) -> str:
        if self._namespace in tracking.SHIPMENT_TRACKING_NAMESPACES:
            return self._namespace
        return tracking.shipment_tracking_namespace(self.client.index()) or tracking.SHIPMENT_TRACKING_NAMESPACES[0]


def _route_gone(error: ConnectorError) -> bool:
    return error.cause == STORE_CONFIGURATION and error.http_status == 404


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
        raise ConnectorError(INVALID_DATA, f"{SHIPSYNC_CHECK} order {order.get('number') or order.get('id')} has no "
                                           f"line item {', '.join(unknown)}.")


def _check_unshipped(order: dict, shipment: Shipment, shipped: Counter) -> None:
    """WooCommerce accepts any tracking on any order: counting what remains is ours to do."""
    ordered, wanted = orders.ordered_quantities(order), Counter()
    for item in shipment.items:
        wanted[item.line_item_id] += item.quantity
    over = [f"line item {line_id}: {quantity} in this package, {ordered[line_id]} ordered, "
            f"{shipped[line_id]} already shipped, so {max(0, ordered[line_id] - shipped[line_id])} remain unshipped"
            for line_id, quantity in wanted.items() if quantity > ordered[line_id] - shipped[line_id]]
    if over:
        raise ConnectorError(INVALID_DATA, f"{SHIPSYNC_CHECK} more than remains unshipped on order "
                                           f"{order.get('number') or order.get('id')} ({'; '.join(over)}).")


def _same_url(a, b) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.rstrip("/") == b.rstrip("/")
