"""``FakeConnector``: the Connector protocol against ``FakeStore`` (tests/fake_platform/sandbox.py)."""
from __future__ import annotations

import requests

from connectors.base import (CONNECTION, INVALID_DATA, STORE_SERVER, TOKEN_EXPIRED, Connector, ConnectorError,
                             FulfillmentResult, RemoteLineItem, RemoteOrder)

WEBHOOK_TOPICS = ("order/created", "order/cancelled")


class FakeConnector(Connector):
    platform = "fake"

    def __init__(self, access, settings, http=None):
        super().__init__(access, settings, http)
        self.http = http or requests.Session()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.http.request(method, self.access.domain + path, timeout=5, headers={
                "Authorization": f"Bearer {self.access.credentials.access_token}"}, **kwargs)
        except requests.RequestException as error:
            raise ConnectorError(CONNECTION, f"Could not reach the fake store ({type(error).__name__})") from None
        if response.status_code == 401:
            raise ConnectorError(TOKEN_EXPIRED, "The fake store refused the token", http_status=401)
        if response.status_code >= 500:
            raise ConnectorError(STORE_SERVER, "The fake store failed", http_status=response.status_code)
        if response.status_code >= 400:
            raise ConnectorError(INVALID_DATA, response.text[:200], http_status=response.status_code)
        return response.json()

    def fetch_order(self, order_id: str) -> RemoteOrder:
        data = self._call("GET", f"/orders/{order_id}")
        return RemoteOrder(id=str(data["id"]), name=data["name"], fulfillment_status=data["fulfillment_status"],
                           line_items=tuple(RemoteLineItem(str(li["id"]), li["title"], li["quantity"])
                                            for li in data["line_items"]))

    def find_fulfillment(self, shipment) -> FulfillmentResult | None:
        for fulfillment in self._call("GET", f"/orders/{shipment.order_id}/fulfillments"):
            if fulfillment["tracking_number"] == shipment.tracking_number:
                return FulfillmentResult(str(fulfillment["id"]))
        return None

    def create_fulfillment(self, shipment) -> FulfillmentResult:
        created = self._call("POST", f"/orders/{shipment.order_id}/fulfillments", json={
            "tracking_number": shipment.tracking_number, "carrier": shipment.carrier,
            "items": [{"line_item_id": item.line_item_id, "quantity": item.quantity} for item in shipment.items]})
        return FulfillmentResult(str(created["id"]), order_fulfillment_status=created["order_fulfillment_status"])

    def cancel_fulfillment(self, order_id: str, fulfillment_id: str) -> str | None:
        self._call("DELETE", f"/orders/{order_id}/fulfillments/{fulfillment_id}")
        return None

    def refresh_credentials(self):
        raise ConnectorError(TOKEN_EXPIRED, "Fake stores have no refresh grant")

    def register_webhooks(self, callback_url: str) -> None:
        self._call("PUT", "/webhooks", json={"url": callback_url, "topics": list(WEBHOOK_TOPICS)})

    def list_open_orders(self, since):
        return iter(())
