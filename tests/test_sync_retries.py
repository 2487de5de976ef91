"""The retry and cause suite of DESIGN §1, run against both platforms' sandbox stores.

Each platform gets a small driver that makes an order, scripts a fault and reads back the
tracking the store holds; the tests themselves name no platform, like the sync engine.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Callable

import pytest
from sqlalchemy import select

from models import Package
from tests.fixtures_woocommerce import create_woo_order, woo_label
from tests.helpers import SHOPIFY_LOOKUPS, install_shopify, label_payload, post_label, wait_for

SHOP = "acme.myshopify.com"
SHOPIFY_LOOKUP = SHOPIFY_LOOKUPS


@dataclasses.dataclass
class Driver:
    new_order: Callable[[], dict]
    label: Callable[..., dict]  # (order, package_id, tracking) -> payload
    fault: Callable[..., None]  # (kind, count=1, retry_after=None, seconds=None, on_write=False)
    tracking: Callable[[dict], list]  # tracking numbers the store holds for an order
    api_headers: dict


def shopify_driver(app, client, shopify_store) -> Driver:
    from tests.helpers import api_headers

    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    wait_for(lambda: shopify_store.requests(SHOP, operation="ShipSyncOpenOrders"), message="install tasks")

    def new_order():
        return shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 1}])

    def label(order, package_id="PKG-1", tracking="1Z999AA10123456784"):
        line = order["line_items"][0]["id"]
        return label_payload(order_id=order["id"], package_id=package_id, tracking=tracking,
                             items=[{"line_item_id": line, "quantity": 1}])

    def fault(kind, count=1, retry_after=None, seconds=None, on_write=False):
        shopify_store.add_fault(SHOP, kind, count=count, retry_after=retry_after, seconds=seconds,
                                match="fulfillmentCreate" if on_write else SHOPIFY_LOOKUP)

    def tracking(order):
        return [f["tracking_number"] for f in shopify_store.fulfillments(SHOP, order["id"])
                if f["status"] != "CANCELLED"]

    return Driver(new_order, label, fault, tracking, api_headers(app.config["SETTINGS"], SHOP))


def woocommerce_driver(app, client, store) -> Driver:
    def label(order, package_id="PKG-1", tracking="1Z999AA10123456784"):
        return woo_label(store, order, package_id=package_id, tracking=tracking)

    def fault(kind, count=1, retry_after=None, seconds=None, on_write=False):
        store.add_fault(kind, count=count, retry_after=retry_after, seconds=seconds,
                        **({"method": "POST", "path": "shipment-trackings"} if on_write else {}))

    with client.session_transaction() as session:  # signed in by the connect flow
        csrf = {"X-CSRF-Token": session["csrf"]}
    return Driver(lambda: create_woo_order(app, store, [{"name": "Mug", "quantity": 1}]), label, fault,
                  lambda order: [t["tracking_number"] for t in store.tracking_items(order["id"])], csrf)


@pytest.fixture(params=["shopify", "woocommerce"])
def platform(request, app, client, shopify_store, worker) -> Driver:
    if request.param == "shopify":
        return shopify_driver(app, client, shopify_store)
    connected = request.getfixturevalue("woo_connected")
    return woocommerce_driver(app, client, connected.store)


def package(app, external_id="PKG-1") -> Package | None:
    with app.extensions["db_sessionmaker"]() as session:
        row = session.scalar(select(Package).where(Package.external_id == external_id))
        if row is not None:
            row.attempt_log  # loaded before the session closes
        return row


def wait_status(app, status, external_id="PKG-1", timeout=30.0) -> Package:
    return wait_for(lambda: (p := package(app, external_id)) is not None and p.status == status and p,
                    timeout=timeout, message=f"{external_id} {status}")


def spacing(row: Package) -> list[float]:
    """Seconds between the ends of consecutive attempts (each ends at least its wait after the last)."""
    ends = [a.finished_at for a in row.attempt_log]
    return [(later - earlier).total_seconds() for earlier, later in zip(ends, ends[1:])]


def send(client, payload):
    response = post_label(client, payload)
    assert response.status_code == 202, response.json
    return response


def test_a_label_is_written_once_and_a_repeat_adds_nothing(app, client, platform):
    order = platform.new_order()
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    assert platform.tracking(order) == ["1Z999AA10123456784"] and row.attempts == 1
    assert post_label(client, platform.label(order)).status_code == 200
    time.sleep(0.5)
    assert platform.tracking(order) == ["1Z999AA10123456784"]


def test_two_503s_then_success_is_synced_on_the_third_attempt_spaced_out(app, client, platform):
    order = platform.new_order()
    platform.fault("503", count=2)
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    assert row.attempts == 3
    assert [(a.outcome, a.cause, a.http_status) for a in row.attempt_log] == [
        ("retry", "store_server", 503), ("retry", "store_server", 503), ("synced", None, None)]
    first_wait, second_wait = spacing(row)
    assert first_wait >= 1.5 and second_wait >= 3.0
    assert platform.tracking(order) == ["1Z999AA10123456784"]


def test_three_503s_require_sync_and_a_manual_sync_then_succeeds(app, client, platform):
    order = platform.new_order()
    platform.fault("503", count=3)
    send(client, platform.label(order))
    row = wait_status(app, "requires_sync")
    assert (row.attempts, row.last_cause, row.last_http_status) == (3, "store_server", 503)
    assert platform.tracking(order) == []
    detail = client.get(f"/api/orders/{row.order_id}", headers=platform.api_headers).json
    assert detail["requires_sync"] is True and detail["packages"][0]["error"]["cause"] == "store_server"
    assert detail["packages"][0]["error"]["fix"]
    assert client.post(f"/api/orders/{row.order_id}/sync", headers=platform.api_headers).status_code == 202
    assert wait_status(app, "synced").attempts == 1
    assert platform.tracking(order) == ["1Z999AA10123456784"]


def test_a_retry_after_longer_than_the_backoff_is_honoured(app, client, platform):
    order = platform.new_order()
    platform.fault("429", retry_after=4)
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    assert [(a.cause, a.wait_seconds) for a in row.attempt_log[:1]] == [("rate_limited", 4.0)]
    assert spacing(row)[0] >= 4.0


def test_a_lost_response_leaves_exactly_one_write(app, client, platform):
    order = platform.new_order()
    platform.fault("lost_response", seconds=3, on_write=True)
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    assert row.attempts == 2 and row.attempt_log[0].cause == "connection"
    assert platform.tracking(order) == ["1Z999AA10123456784"]


def test_a_timeout_is_a_connection_problem_and_retried(app, client, platform):
    order = platform.new_order()
    platform.fault("timeout", seconds=3)
    send(client, platform.label(order))
    row = wait_status(app, "synced")
    assert row.attempt_log[0].cause == "connection" and row.attempts == 2
