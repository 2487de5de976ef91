"""``TiendanubeConnector``: the Connector protocol (connectors/base.py) for Tiendanube / Nuvemshop.

The public methods combine ``StoreClient`` (transport, bucket, error table) with the pure
``orders``, ``fulfillment_orders`` and ``webhooks`` functions. Tracking goes onto
fulfillment orders (FOs): each FO holding the package moves to DISPATCHED with
``tracking_info``. No write is ever repeated blindly: ``create_fulfillment`` reads the FOs
first (an FO already carrying the code is done), and a write whose answer was lost is
read back before anything else happens.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

import requests

from connectors.base import (CONNECTION, INVALID_DATA, STORE_CONFIGURATION, STORE_SERVER, TOKEN_EXPIRED, Connector,
                             ConnectorError, Credentials, FulfillmentResult, RateStatus, RemoteOrder, Shipment,
                             StoreAccess)

from . import admin_links
from . import fulfillment_orders as fo_
from . import orders, webhooks
from .config import TiendanubeConfig
from .orders import parse_order
from .transport import StoreClient


class TiendanubeConnector(Connector):
    platform = "tiendanube"

    def __init__(self, access: StoreAccess, settings, http: requests.Session | None = None, *, sleep=None):
        """``access.domain`` is the store id (the token answer's ``user_id``); ``settings`` is a
        ``TiendanubeConfig`` or the app's settings (see ``TiendanubeConfig.of``)."""
        super().__init__(access, settings, http)
        self.config = TiendanubeConfig.of(settings)
        options = access.options or {}
        extra = {"sleep": sleep} if sleep else {}
        self.client = StoreClient(self.config, access.domain, access.credentials.access_token, http,
                                  auth_style=options.get("auth_style"), **extra)
        self.admin_domain: str | None = None  # the store's admin host, once GET /store told it

    @property
    def rate_status(self) -> RateStatus | None:
        """The store's bucket as of the last answer, in requests (one request is one point),
        with the requests this connector's calls added to it (``spent``) for the shared budget."""
        rate = self.client.rate
        if rate is None:
            return None
        return RateStatus(float(rate.remaining), float(rate.limit), self.client.pacer.leak or rate.documented_leak,
                          spent=float(self.client.spent))

    @staticmethod
    def requested_cost(shipment: Shipment) -> float:
        """Requests a sync of ``shipment`` may make, for the shared budget's reservation: the order
        read, one dispatch per fulfillment order (at most one per item), one read-back. What was
        not spent is given back when the sync settles."""
        return float(2 + max(1, len(shipment.items)))

    @property
    def learned_options(self) -> dict:
        """The credentials header that works, once it is not the documented one; the store's
        admin host (its order links), once read."""
        learned = {"auth_style": self.client.auth_style} if self.client.auth_style != "authentication" else {}
        return learned | ({"admin_domain": self.admin_domain} if self.admin_domain else {})

    # --- store ------------------------------------------------------------------------------------
    def contact_email(self) -> str | None:
        """The store owner's e-mail (where the failure digest goes), from GET /store, which also
        names the store's admin host (``original_domain``: the order links' address)."""
        data = self.client.get("store", {"fields": admin_links.STORE_FIELDS}, "read the store")
        if not isinstance(data, dict):
            return None
        self.admin_domain = admin_links.admin_domain(data)
        email = data.get("email") or data.get("contact_email")
        return email.strip() if isinstance(email, str) and "@" in email else None

    # --- orders -----------------------------------------------------------------------------------
    def fetch_order(self, order_id: str) -> RemoteOrder:
        return parse_order(self._order(order_id))

    def list_open_orders(self, since: datetime) -> Iterator[RemoteOrder]:
        """Open orders updated since ``since`` (an empty window is a 404 "Last page is 0": no orders)."""
        for data in self.client.get_all("orders", orders.open_orders_query(since), "list open orders"):
            if isinstance(data, dict):
                yield parse_order(data)

    def list_changed_orders(self, since: datetime) -> Iterator[RemoteOrder]:
        """Orders updated since ``since``, any status, every page (``Link: rel=next``): a webhook
        Tiendanube gave up on after its 48 h of retries — a new order, a cancellation — is
        repaired by reconciliation. An empty window is a 404 "Last page is 0": no orders."""
        for data in self.client.get_all("orders", orders.changed_orders_query(since), "list changed orders"):
            if isinstance(data, dict):
                yield parse_order(data)

    # --- fulfillments -----------------------------------------------------------------------------
    def find_fulfillment(self, shipment: Shipment) -> FulfillmentResult | None:
        """The FO(s) already dispatched with this tracking code, when they hold the whole package.
        A split package whose second write failed is not found, so ``create_fulfillment`` finishes it."""
        order = self._order(shipment.order_id)
        fos = self._fulfillment_orders(order)
        try:
            found = fo_.plan(fos, fo_.wanted_items(shipment), shipment.tracking_number)
        except ConnectorError:
            return None  # create_fulfillment says why
        if found.write or not found.done:
            return None
        return FulfillmentResult(found.first_id, orders.parse_order(order).fulfillment_status)

    def create_fulfillment(self, shipment: Shipment) -> FulfillmentResult:
        """Dispatch every FO holding the package (one PATCH each; the customer is notified once).

        Raises store_configuration for a cancelled order, an FO the merchant already dispatched
        with another code, a package covering part of an FO; invalid_data for items not on the
        order; store_server while the order has no FOs yet (right after checkout)."""
        order = self._order(shipment.order_id)
        if orders.is_cancelled(order):
            raise ConnectorError(STORE_CONFIGURATION, "This order was cancelled in Tiendanube: nothing to ship; "
                                                      "void the label.", detail=f"order {shipment.order_id} cancelled")
        fos = self._fulfillment_orders(order)
        if not fos:
            raise ConnectorError(STORE_SERVER, "Tiendanube has not created this order's shipments yet; ShipSync will "
                                               "try again shortly.", detail="order has no fulfillment orders")
        plan = fo_.plan(fos, fo_.wanted_items(shipment), shipment.tracking_number)
        for index, fo in enumerate(plan.write):
            notify = shipment.notify_customer and index == 0 and not plan.done
            self._dispatch(shipment, fo, fo_.build_dispatch(shipment, notify))
        return FulfillmentResult(plan.first_id, fo_.status_after(fos, plan))

    def update_tracking(self, fulfillment_id: str, shipment: Shipment) -> FulfillmentResult:
        """Correct the tracking code of a dispatched package: every FO holding it (and the named
        one) gets the new ``tracking_info``; FOs already carrying it are left alone."""
        order = self._order(shipment.order_id)
        fos = self._fulfillment_orders(order)
        targets = {fo.id: fo for fo in fos if fo.id == str(fulfillment_id)}
        if not targets:
            raise ConnectorError(INVALID_DATA, f"Tiendanube has no shipment {fulfillment_id} on this order",
                                 detail=f"FO {fulfillment_id} not on order {shipment.order_id}")
        cover = fo_.exact_cover([fo for fo in fos if fo.status in fo_.SHIPPED], fo_.wanted_items(shipment)) or ()
        targets.update({fo.id: fo for fo in cover})
        for index, fo in enumerate(targets.values()):
            if fo.status == "DELIVERED":
                raise ConnectorError(STORE_CONFIGURATION, f"Shipment {fo.number} is already delivered in Tiendanube, "
                                                          "so its tracking code can no longer change.",
                                     detail=f"FO {fo.id} DELIVERED")
            if fo.code == shipment.tracking_number:
                continue
            body = {"tracking_info": fo_.build_tracking_info(shipment, shipment.notify_customer and index == 0)}
            self._dispatch(shipment, fo, body)
        return FulfillmentResult(str(fulfillment_id), orders.parse_order(order).fulfillment_status)

    def cancel_fulfillment(self, order_id: str, fulfillment_id: str) -> None:
        """Tiendanube has no way back from DISPATCHED (only to DELIVERED): a dispatched FO cannot
        be voided through the API. Nothing to do when the FO is gone, cancelled or not dispatched."""
        try:
            data = self.client.get(f"orders/{order_id}/fulfillment-orders/{fulfillment_id}",
                                   action="read the shipment")
        except ConnectorError as exc:
            if exc.http_status == 404:
                return
            raise
        fo = fo_.parse_fo(data if isinstance(data, dict) else {})
        if fo.status in fo_.SHIPPED:
            raise ConnectorError(STORE_CONFIGURATION, (
                f"Tiendanube cannot undo a dispatched shipment ({fo.number}, tracking {fo.code or 'none'}): tell the "
                "customer the label was voided and ship the items with a new label."),
                detail=f"FO {fo.id} is {fo.status}; no transition back")

    # --- store ------------------------------------------------------------------------------------
    def register_webhooks(self, callback_url: str) -> None:
        """One subscription per topic at ``callback_url``; safe to repeat (also after a re-install,
        whether or not the platform kept the old subscriptions)."""
        existing = list(self.client.get_all("webhooks", {"per_page": 200}, "list webhooks"))
        create, delete = webhooks.plan_registrations(existing, callback_url)
        for webhook_id in delete:
            try:
                self.client.call("DELETE", f"webhooks/{webhook_id}", action="delete a stale webhook")
            except ConnectorError as exc:
                if exc.http_status != 404:
                    raise
        for topic in create:
            self.client.call("POST", "webhooks", json={"event": topic, "url": callback_url},
                             action=f"subscribe to {topic}")

    def refresh_credentials(self) -> Credentials:
        """Tiendanube tokens do not expire and there is no refresh grant: a refused token was
        replaced (re-install) or revoked (uninstall). Always raises token_expired."""
        raise ConnectorError(TOKEN_EXPIRED, "Tiendanube no longer accepts ShipSync's access token (the app was "
                                            "installed again or uninstalled): the merchant must re-authorize "
                                            "ShipSync from the Tiendanube admin", detail="no refresh grant")

    # --- helpers ----------------------------------------------------------------------------------
    def _order(self, order_id: str) -> dict:
        try:
            data = self.client.get(f"orders/{order_id}", {"aggregates": "fulfillment_orders"}, "read the order")
        except ConnectorError as exc:
            if exc.http_status == 404:
                raise ConnectorError(INVALID_DATA, f"Tiendanube has no order {order_id} in this store: check the "
                                                   "label's order id (the order id, not the order number).",
                                     http_status=404, detail=exc.detail) from None
            raise
        if not isinstance(data, dict):
            raise ConnectorError(STORE_SERVER, "Tiendanube answered an order read with something else")
        return data

    def _fulfillment_orders(self, order: dict) -> list[fo_.FulfillmentOrder]:
        products = order.get("products") or ()
        if isinstance(order.get("fulfillment_orders"), list):
            return fo_.parse_fulfillment_orders(order, products)
        if not order.get("fulfillments"):
            return []
        data = self.client.get(f"orders/{order.get('id')}/fulfillment-orders", action="read the shipments")
        return fo_.parse_fulfillment_orders(data, products)

    def _dispatch(self, shipment: Shipment, fo: fo_.FulfillmentOrder, body: dict) -> None:
        """PATCH one FO; when the answer is lost, read it back: written means done."""
        resource = f"orders/{shipment.order_id}/fulfillment-orders/{fo.id}"
        try:
            self.client.call("PATCH", resource, json=body, action="dispatch the shipment")
        except ConnectorError as exc:
            if exc.cause not in (CONNECTION, STORE_SERVER):
                raise
            try:
                after = fo_.parse_fo(self.client.get(resource, action="read the shipment back"))
            except ConnectorError:
                raise exc from None
            if not (after.code == shipment.tracking_number and after.status in fo_.SHIPPED):
                raise
