"""``WooCommerceConnector.update_tracking`` against the sandbox store, for each tracking backend:
a corrected tracking number replaces the package's record, once, whatever is retried."""
from __future__ import annotations

import dataclasses

import pytest

from connectors.base import Credentials, Item, Shipment, StoreAccess
from connectors.woocommerce import WooCommerceConnector

SETTINGS = type("S", (), {"store_timeout_seconds": 5, "allow_http_stores": True})()  # the sandbox is local


@pytest.fixture(params=["native", "shipment_tracking", "none"])
def store(request, woo_sandbox):
    store = woo_sandbox.create_store(backend=request.param)
    yield store
    woo_sandbox.remove_store(store.name)


def connector(store) -> WooCommerceConnector:
    key = store.issue_key()
    access = StoreAccess("woocommerce", store.url, Credentials(key["consumer_key"], consumer_secret=key[
        "consumer_secret"], webhook_secret="whs"))
    return WooCommerceConnector(access, SETTINGS)


def numbers(store, order_id) -> list[str]:
    """The tracking numbers the store shows for the order, whatever the backend."""
    if store.backend == "native":
        return [m["value"] for f in store.fulfillment_list(order_id) for m in f["meta_data"]
                if m["key"] == "_tracking_number"]
    if store.backend == "shipment_tracking":
        return [t["tracking_number"] for t in store.tracking_items(order_id)]
    return [n["note"] for n in store.note_list(order_id, customer_only=True)]


def test_a_corrected_tracking_number_replaces_the_record(store):
    order = store.create_order([{"name": "Mug", "quantity": 2}], notify=False)
    line = str(order["line_items"][0]["id"])
    old = Shipment("PKG-1", str(order["id"]), "1ZWRONG", "UPS", "https://t/1ZWRONG", (Item(line, 2),))
    new = dataclasses.replace(old, tracking_number="1ZRIGHT", tracking_url="https://t/1ZRIGHT")
    first = connector(store).create_fulfillment(old)
    assert store.order_status(order["id"]) == "completed"

    result = connector(store).update_tracking(first.fulfillment_id, new)
    assert result.fulfillment_id != first.fulfillment_id
    shown = numbers(store, order["id"])
    assert len(shown) == 1 and "1ZRIGHT" in shown[0] and "1ZWRONG" not in shown[0]
    if store.backend == "none":
        assert shown[0].startswith("Correction: your package has a new tracking number.")
    # Still counted as shipped once (the ledger follows the record), and the order stays completed.
    again = connector(store)
    assert again.fetch_order(str(order["id"])).fulfillment_status == "fulfilled"
    assert store.order_status(order["id"]) == "completed"

    # Repeating the correction (a lost response) finds the replacement instead of writing another.
    assert connector(store).update_tracking(first.fulfillment_id, new).fulfillment_id == result.fulfillment_id
    assert len(numbers(store, order["id"])) == 1

    # The new record is the package's now: voiding removes it.
    connector(store).cancel_fulfillment(str(order["id"]), result.fulfillment_id)
    assert numbers(store, order["id"]) == []
    assert store.order_status(order["id"]) == "processing"
