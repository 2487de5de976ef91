"""A new label for a package already in the store: its tracking is corrected, never fulfilled twice."""
from __future__ import annotations

import types

import pytest
from sqlalchemy import select

from connectors.base import ConnectorError, Item, Shipment
from models import Package, Store, SyncAttempt
from tests.helpers import label_payload, post_label, wait_for
from tests.test_sync_shopify import SHOP, new_order, send_label, shop, wait_status  # noqa: F401 (fixture)

NEW = "1ZCORRECTED0000001"


def attempts(app, outcome=None):
    with app.extensions["db_sessionmaker"]() as session:
        query = select(SyncAttempt).order_by(SyncAttempt.id)
        return [a for a in session.scalars(query) if outcome is None or a.outcome == outcome]


def set_store_settings(app, **changes):
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        store = session.scalar(select(Store))
        store.settings = {**store.merged_settings(), **changes}


def synced_then_corrected(app, client, shop):
    order, (line,) = new_order(shop)
    send_label(client, order, [(line, 1)])
    first = wait_status(app, "synced")
    response = send_label(client, order, [(line, 1)], tracking=NEW)
    assert response.json["status"] == "pending"
    wait_for(lambda: attempts(app, "tracking_updated"), message="the tracking correction")
    return order, first


def test_a_new_tracking_number_corrects_the_fulfillment_in_the_store(app, client, shop):
    order, first = synced_then_corrected(app, client, shop)
    (fulfillment,) = shop.fulfillments(SHOP, order["id"])
    assert fulfillment["id"] == first.fulfillment_id
    assert fulfillment["tracking_number"] == NEW and NEW in fulfillment["tracking_url"]
    assert fulfillment["tracking_updates"] == [{"number": NEW, "notify_customer": True}]
    package = wait_status(app, "synced")
    assert package.tracking_number == NEW and package.corrected_from is None
    (correction,) = attempts(app, "tracking_updated")
    assert "1Z999AA10123456784 → " + NEW in correction.message
    assert shop.requests(SHOP, operation="ShipSyncFulfillmentCreate").__len__() == 1


def test_the_customer_is_not_notified_of_a_correction_when_the_store_says_so(app, client, shop):
    set_store_settings(app, notify_customer=False)
    order, _ = synced_then_corrected(app, client, shop)
    (fulfillment,) = shop.fulfillments(SHOP, order["id"])
    assert fulfillment["tracking_updates"] == [{"number": NEW, "notify_customer": False}]


def test_a_correction_meeting_a_store_error_is_retried(app, client, shop):
    order, (line,) = new_order(shop)
    send_label(client, order, [(line, 1)])
    wait_status(app, "synced")
    shop.add_fault(SHOP, "503", count=1, match="fulfillmentTrackingInfoUpdate")
    send_label(client, order, [(line, 1)], tracking=NEW)
    wait_for(lambda: attempts(app, "tracking_updated"), message="the correction after a retry")
    assert [a.outcome for a in attempts(app)] == ["synced", "retry", "tracking_updated"]
    (fulfillment,) = shop.fulfillments(SHOP, order["id"])
    assert fulfillment["tracking_number"] == NEW


def test_a_correction_with_other_items_is_refused(app, client, shop):
    order, lines = new_order(shop, (1, 1))
    send_label(client, order, [(lines[0], 1)])
    wait_status(app, "synced")
    response = post_label(client, label_payload(order_id=order["id"], tracking=NEW,
                                                items=[{"line_item_id": lines[1], "quantity": 1}]))
    assert response.status_code == 409 and "void" in response.json["error"]
    assert wait_status(app, "synced").tracking_number == "1Z999AA10123456784"


def test_a_correction_waits_for_the_merchant_when_automatic_sync_is_off(app, client, shop):
    order, (line,) = new_order(shop)
    send_label(client, order, [(line, 1)])
    wait_status(app, "synced")
    set_store_settings(app, auto_sync=False)
    response = send_label(client, order, [(line, 1)], tracking=NEW)
    assert response.json["status"] == "requires_sync"
    with app.extensions["db_sessionmaker"]() as session:
        package = session.scalar(select(Package))
        assert package.corrected_from == "1Z999AA10123456784" and package.fulfillment_id


def test_a_connector_without_tracking_corrections_fails_clearly():
    from connectors.base import Connector

    class Elsewhere(Connector):  # implements no correction: the base class's default answers
        platform = "elsewhere"

    connector = Elsewhere(types.SimpleNamespace(options={}), None)
    shipment = Shipment("P", "1", NEW, "UPS", None, (Item("1", 1),))
    with pytest.raises(ConnectorError) as raised:
        connector.update_tracking("77", shipment)
    assert raised.value.cause == "invalid_data" and "not supported for elsewhere" in raised.value.message
