"""End to end on Shopify: a signed label → the queue → a worker → the sandbox store, over real HTTP.

The retry and cause cases both platforms share are in test_sync_retries.py; these are Shopify's own
(throttling, expiring tokens, holds, partial fulfillments) and the worker crash."""
from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import select

from connectors.shopify.orders import parse_datetime
from models import Order, Package, Store, SyncAttempt
from tests.helpers import (SHOPIFY_LOOKUPS, start_workers, api_headers, install_shopify, label_payload, post_label,
                           post_shopify_webhook, wait_for)

SHOP = "acme.myshopify.com"
FIND = SHOPIFY_LOOKUPS  # the first call of any attempt


@pytest.fixture
def shop(client, shopify_store, worker):
    """The app installed in a sandbox shop through OAuth, its install tasks finished."""
    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    wait_for(lambda: len(shopify_store.webhook_subscriptions(SHOP)) >= 5, message="webhook subscriptions")
    wait_for(lambda: shopify_store.requests(SHOP, operation="ShipSyncOpenOrders"), message="order import")
    return shopify_store


def new_order(shop, quantities=(1,)):
    order = shop.create_order(SHOP, [{"title": f"Item {n}", "quantity": q} for n, q in enumerate(quantities)])
    return order, [li["id"] for li in order["line_items"]]


def package_row(app, external_id="PKG-1") -> Package:
    with app.extensions["db_sessionmaker"]() as session:
        package = session.scalar(select(Package).where(Package.external_id == external_id))
        if package is not None:
            session.expunge(package)
        return package


def wait_status(app, status, external_id="PKG-1", timeout=20.0) -> Package:
    return wait_for(lambda: (p := package_row(app, external_id)) is not None and p.status == status and p,
                    timeout=timeout, message=f"package {external_id} {status}")


def send_label(client, order, items, package_id="PKG-1", tracking="1Z999AA10123456784", **kwargs):
    response = post_label(client, label_payload(order_id=order["id"], package_id=package_id, tracking=tracking,
                                                items=[{"line_item_id": i, "quantity": q} for i, q in items], **kwargs))
    assert response.status_code == 202, response.json
    return response



def test_a_label_creates_exactly_one_fulfillment_with_its_tracking(app, client, shop):
    order, (line,) = new_order(shop)
    send_label(client, order, [(line, 1)])
    package = wait_status(app, "synced")
    (fulfillment,) = shop.fulfillments(SHOP, order["id"])
    assert fulfillment["tracking_number"] == "1Z999AA10123456784"
    assert fulfillment["tracking_company"] == "UPS"
    assert fulfillment["tracking_url"] == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert package.fulfillment_id == fulfillment["id"] and package.attempts == 1
    again = post_label(client, label_payload(order_id=order["id"], items=[{"line_item_id": line, "quantity": 1}]))
    assert again.status_code == 200
    time.sleep(0.5)
    assert len(shop.fulfillments(SHOP, order["id"])) == 1
    assert shop.order(SHOP, order["id"])["display_fulfillment_status"] == "FULFILLED"


def import_now(app, order) -> None:
    """Our copy of the order, as an orders/create webhook or the install import leaves it."""
    with app.extensions["db_sessionmaker"]() as session:
        store_id = session.scalar(select(Store.id))
    app.extensions["shipsync"].sync_service.import_order(store_id, str(order["id"]))


def test_a_first_sync_of_a_known_order_reads_once_cheaply_and_writes_once(app, client, shop):
    from sync import queue

    # Last changed long before our write: Shopify's times are whole seconds, so an order changed in
    # the same second as our write would hide a copy the write failed to keep current.
    order = shop.create_order(SHOP, [{"title": "Item", "quantity": 2}], updated_at="2026-01-01T00:00:00Z")
    (line,) = [li["id"] for li in order["line_items"]]
    import_now(app, order)
    shop.clear_requests()
    send_label(client, order, [(line, 2)])
    wait_status(app, "synced")
    # Shopify's orders/updated about our own write. A read of the order it queued would wait
    # WEBHOOK_SETTLE_SECONDS, in the queue then its schedule: the queue must hold no work at all.
    assert post_shopify_webhook(client, "orders/updated", shop.order_payload(SHOP, order["id"])).status_code == 200
    assert (queue.huey.pending_count(), queue.huey.scheduled_count()) == (0, 0), "work left that reads the order"
    calls = shop.requests(SHOP, kind="graphql")  # every call, reads of the order included
    assert [c["operation_name"] for c in calls] == ["ShipSyncFulfillmentTargets", "ShipSyncFulfillmentCreate"]
    assert sum(c["actual_cost"] for c in calls) <= 16
    (fulfillment,) = shop.fulfillments(SHOP, order["id"])
    assert shop.order(SHOP, order["id"])["display_fulfillment_status"] == "FULFILLED"


def test_the_write_keeps_our_copy_of_the_order_current_so_the_stores_update_costs_no_read(app, client, shop):
    """fulfillmentCreate answers the order's new updatedAt: our copy is current as of our own
    write, so the orders/updated Shopify sends about it is answered without reading the order."""
    order, (line,) = new_order(shop, (1,))
    import_now(app, order)
    send_label(client, order, [(line, 1)])
    package = wait_status(app, "synced")
    with app.extensions["db_sessionmaker"]() as session:
        row = session.get(Order, package.order_id)
        message = session.scalar(select(SyncAttempt.message).where(SyncAttempt.package_id == package.id))
    payload = shop.order_payload(SHOP, order["id"])
    assert row.store_updated_at == parse_datetime(payload["updated_at"])
    assert message == f"Fulfillment {package.fulfillment_id}"  # no stray date where a detail goes
    shop.clear_requests()
    response = post_shopify_webhook(client, "orders/updated", payload)
    assert response.status_code == 200 and response.json["status"] == "current"
    time.sleep(0.5)
    assert shop.requests(SHOP, operation="ShipSyncOrder") == []


def test_a_package_of_part_of_a_known_order_names_its_lines(app, client, shop):
    order, (first, second) = new_order(shop, (1, 3))
    import_now(app, order)
    shop.clear_requests()
    send_label(client, order, [(second, 2)])
    wait_status(app, "synced")
    operations = [r["operation_name"] for r in shop.requests(SHOP, kind="graphql")]
    assert "ShipSyncFulfillmentTargets" not in operations and "ShipSyncOrderFulfillments" not in operations
    assert shop.order(SHOP, order["id"])["display_fulfillment_status"] == "PARTIALLY_FULFILLED"


def test_the_order_is_imported_with_its_name_and_items(app, client, shop):
    order, (line,) = new_order(shop, (2,))
    send_label(client, order, [(line, 1)])
    wait_status(app, "synced")

    def imported():
        with app.extensions["db_sessionmaker"]() as session:
            row = session.scalar(select(Order).where(Order.external_id == order["id"]))
            return row if row.name else None
    row = wait_for(imported, message="order import")
    assert row.name == order["name"] and row.line_items[0]["quantity"] == 2
    assert row.fulfillment_status == "partially_fulfilled"


def test_bad_labels_cause_no_store_call(app, client, shop):
    order, (line,) = new_order(shop)
    shop.clear_requests()
    for payload in (label_payload(order_id=order["id"], items=[]),
                    label_payload(order_id=order["id"], tracking=""),
                    label_payload(order_id=order["id"], store="nobody.myshopify.com")):
        assert post_label(client, payload).status_code in (400, 404)
    assert post_label(client, label_payload(order_id=order["id"]), secret="wrong").status_code == 401
    time.sleep(0.5)
    assert shop.requests(SHOP, kind="graphql") == []





def test_throttled_is_retried_and_synced(app, client, shop):
    order, (line,) = new_order(shop)
    shop.add_fault(SHOP, "throttled", match=FIND)
    send_label(client, order, [(line, 1)])
    package = wait_status(app, "synced", timeout=30)
    assert package.attempts == 2
    with app.extensions["db_sessionmaker"]() as session:
        causes = [a.cause for a in session.scalars(select(SyncAttempt).where(SyncAttempt.package_id == package.id))]
    assert causes == ["rate_limited", None]



def test_an_expired_token_is_refreshed_without_using_an_attempt(app, client, shop):
    order, (line,) = new_order(shop)
    shop.expire_access_token(SHOP)
    send_label(client, order, [(line, 1)])
    package = wait_status(app, "synced")
    assert package.attempts == 1
    assert shop.refresh_count(SHOP) == 1
    assert len(shop.fulfillments(SHOP, order["id"])) == 1


def test_a_refused_refresh_needs_reauthorization(app, client, shop):
    order, (line,) = new_order(shop)
    shop.expire_access_token(SHOP)
    shop.revoke_refresh_token(SHOP)
    send_label(client, order, [(line, 1)])
    package = wait_status(app, "requires_sync")
    assert package.last_cause == "token_expired" and package.attempts == 0
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalar(select(Store.status)) == "reauth_required"
    store_json = client.get("/api/store", headers=api_headers(app.config["SETTINGS"], SHOP)).json
    assert store_json["status"] == "reauth_required" and "/auth/shopify?shop=" in store_json["reauthorize_url"]


def test_reauthorizing_resumes_held_packages_by_itself(app, client, shop):
    order, (line,) = new_order(shop)
    shop.expire_access_token(SHOP)
    shop.revoke_refresh_token(SHOP)
    send_label(client, order, [(line, 1)])
    wait_status(app, "requires_sync")
    other, (other_line,) = new_order(shop)
    send_label(client, other, [(other_line, 1)], package_id="PKG-2", tracking="1ZSECOND")
    wait_status(app, "requires_sync", "PKG-2")  # held: no call while the store awaits re-authorization
    install_shopify(client, SHOP)
    wait_status(app, "synced")
    wait_status(app, "synced", "PKG-2")
    assert len(shop.fulfillments(SHOP, order["id"])) == 1 and len(shop.fulfillments(SHOP, other["id"])) == 1


def test_a_hold_requires_sync_with_store_configuration_after_one_attempt(app, client, shop):
    order, (line,) = new_order(shop)
    shop.hold(SHOP, order["id"])
    send_label(client, order, [(line, 1)])
    package = wait_status(app, "requires_sync")
    assert (package.last_cause, package.attempts) == ("store_configuration", 1)
    assert "hold" in package.last_message.lower()
    shop.release(SHOP, order["id"])
    client.post(f"/api/orders/{package.order_id}/sync", headers=api_headers(app.config["SETTINGS"], SHOP))
    wait_status(app, "synced")


def test_a_package_with_some_items_is_a_partial_fulfillment(app, client, shop):
    order, lines = new_order(shop, (1, 1, 1))
    send_label(client, order, [(lines[0], 1), (lines[1], 1)])
    first = wait_status(app, "synced")
    (fulfillment,) = shop.fulfillments(SHOP, order["id"])
    assert sorted(li["line_item_id"] for li in fulfillment["line_items"]) == sorted(lines[:2])
    api = api_headers(app.config["SETTINGS"], SHOP)
    assert client.get(f"/api/orders/{first.order_id}", headers=api).json["fulfillment_status"] == "partially_fulfilled"
    send_label(client, order, [(lines[2], 1)], package_id="PKG-2", tracking="1ZLAST")
    wait_status(app, "synced", "PKG-2")
    assert client.get(f"/api/orders/{first.order_id}", headers=api).json["fulfillment_status"] == "fulfilled"
    assert shop.order(SHOP, order["id"])["display_fulfillment_status"] == "FULFILLED"


def test_a_voided_label_cancels_its_fulfillment(app, client, shop):
    order, (line,) = new_order(shop)
    send_label(client, order, [(line, 1)])
    wait_status(app, "synced")
    post_label(client, label_payload(order_id=order["id"], event="label.voided",
                                     items=[{"line_item_id": line, "quantity": 1}]))
    wait_for(lambda: package_row(app).voided, message="voided")
    (fulfillment,) = shop.fulfillments(SHOP, order["id"])
    assert fulfillment["status"] == "CANCELLED"


def test_a_worker_killed_mid_mass_sync_loses_nothing_and_duplicates_nothing(app, client, shopify_store, settings):
    """SIGKILL the worker process half-way through 50 packages, start another: all 50 synced, once each."""
    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)  # no worker yet: the install task waits in the queue
    orders = [new_order(shopify_store) for _ in range(50)]
    # Every package first fails for good, so that "Synchronize my shipments" has 50 to do.
    shopify_store.add_fault(SHOP, "403", count=50, match=FIND)
    (first,) = start_workers(settings)
    try:
        for n, (order, (line,)) in enumerate(orders):
            send_label(client, order, [(line, 1)], package_id=f"PKG-{n}", tracking=f"1ZKILL{n:04d}")
        wait_for(lambda: count_status(app, "requires_sync") == 50, timeout=60, message="50 failed packages")
        # Slow the store down so the kill lands in the middle of the batch.
        shopify_store.configure_shop(SHOP, latency_seconds=0.1)
        batch = client.post("/api/sync", headers=api_headers(settings, SHOP))
        assert batch.status_code == 202
        wait_for(lambda: 5 <= count_status(app, "synced"), timeout=60, message="a few synced")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        synced_at_kill = count_status(app, "synced")
        assert synced_at_kill < 50, "the kill came too late to prove anything"
        (second,) = start_workers(settings)
        try:
            wait_for(lambda: count_status(app, "synced") == 50, timeout=90, message="all 50 synced")
        finally:
            second.terminate()
            second.wait(timeout=15)
    finally:
        if first.poll() is None:
            first.kill()
    for order, _ in orders:
        assert len(shopify_store.fulfillments(SHOP, order["id"])) == 1
    progress = client.get(f"/api/sync/{batch.json['batch_id']}", headers=api_headers(settings, SHOP)).json
    assert (progress["total"], progress["synced"], progress["failed"], progress["pending"]) == (50, 50, 0, 0)


def count_status(app, status) -> int:
    with app.extensions["db_sessionmaker"]() as session:
        return len(session.scalars(select(Package.id).where(Package.status == status)).all())


def test_a_void_the_store_refuses_is_in_the_history_and_tried_again(app, client, shop):
    order, (line,) = new_order(shop)
    send_label(client, order, [(line, 1)])
    wait_status(app, "synced")
    shop.add_fault(SHOP, "503", match="fulfillmentCancel")
    post_label(client, label_payload(order_id=order["id"], event="label.voided",
                                     items=[{"line_item_id": line, "quantity": 1}]))
    package = wait_for(lambda: (p := package_row(app)).voided and p, timeout=30, message="voided on the retry")
    with app.extensions["db_sessionmaker"]() as session:
        outcomes = [(a.outcome, a.cause) for a in session.scalars(
            select(SyncAttempt).where(SyncAttempt.package_id == package.id))]
    assert ("void_failed", "store_server") in outcomes
    (fulfillment,) = shop.fulfillments(SHOP, order["id"])
    assert fulfillment["status"] == "CANCELLED"


def test_two_packages_of_one_order_synced_at_once_leave_the_order_prepared(app, client, shop):
    order, lines = new_order(shop, (1, 1))
    send_label(client, order, [(lines[0], 1)], package_id="PKG-A", tracking="1ZA")
    send_label(client, order, [(lines[1], 1)], package_id="PKG-B", tracking="1ZB")
    wait_status(app, "synced", "PKG-A")
    package = wait_status(app, "synced", "PKG-B")
    time.sleep(0.3)
    detail = client.get(f"/api/orders/{package.order_id}", headers=api_headers(app.config["SETTINGS"], SHOP)).json
    assert (detail["requires_sync"], detail["fulfillment_status"]) == (False, "fulfilled")
