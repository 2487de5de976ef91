"""POST /webhooks/shopify: each topic's effect, replays, compliance redactions (issue 3)."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from connectors.base import Item, RemoteOrder, Shipment
from models import Order, Package, Store, WebhookReceipt, utcnow
from sync.orders import upsert_order
from tests.helpers import api_headers, install_shopify, label_payload, post_label, post_shopify_webhook, wait_for

SHOP = "acme.myshopify.com"


@pytest.fixture
def shop(client, shopify_store, worker):
    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    wait_for(lambda: shopify_store.requests(SHOP, operation="ShipSyncOpenOrders"), message="install tasks")
    return shopify_store


def order_row(app, external_id) -> Order | None:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Order).where(Order.external_id == str(external_id)))


def package_row(app, external_id="PKG-1") -> Package | None:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Package).where(Package.external_id == external_id))


def test_a_bad_hmac_is_401_and_stores_nothing(app, client, shop):
    order = shop.create_order(SHOP)
    response = post_shopify_webhook(client, "orders/create", shop.order_payload(SHOP, order["id"]), secret="nope")
    assert response.status_code == 401
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalars(select(WebhookReceipt)).all() == []
    time.sleep(0.3)
    assert order_row(app, order["id"]) is None


def test_orders_create_imports_the_order_from_the_store(app, client, shop):
    order = shop.create_order(SHOP, [{"title": "Mug", "quantity": 2}], email="ana@example.com")
    response = post_shopify_webhook(client, "orders/create", shop.order_payload(SHOP, order["id"]))
    assert response.status_code == 200
    row = wait_for(lambda: order_row(app, order["id"]), message="imported order")
    assert row.name == order["name"] and row.line_items[0]["title"] == "Mug"
    assert row.customer_email == "ana@example.com"


def test_a_replayed_event_changes_nothing(app, client, shop):
    order = shop.create_order(SHOP)
    payload = shop.order_payload(SHOP, order["id"])
    assert post_shopify_webhook(client, "orders/create", payload, event_id="evt-1").status_code == 200
    wait_for(lambda: order_row(app, order["id"]), message="imported order")
    reads = len(shop.requests(SHOP, operation="ShipSyncOrder"))
    assert post_shopify_webhook(client, "orders/create", payload, event_id="evt-1").json == {"duplicate": True}
    time.sleep(0.5)
    assert len(shop.requests(SHOP, operation="ShipSyncOrder")) == reads


def test_an_older_update_never_rolls_an_order_back(app, db_session):
    from tests.helpers import make_store

    store_id = make_store(app)
    now = utcnow().replace(microsecond=0)
    newer = RemoteOrder(id="1", name="#1001", line_items=(), fulfillment_status="fulfilled", updated_at=now)
    older = RemoteOrder(id="1", name="#1001 (old)", line_items=(), fulfillment_status="unfulfilled",
                        updated_at=now - timedelta(minutes=5))
    upsert_order(db_session, store_id, newer)
    upsert_order(db_session, store_id, older)
    db_session.commit()
    row = db_session.scalar(select(Order))
    assert (row.name, row.fulfillment_status) == ("#1001", "fulfilled")


def test_late_updated_webhooks_end_at_the_stores_current_state(app, client, shop):
    order = shop.create_order(SHOP)
    stale = shop.order_payload(SHOP, order["id"])
    shop.cancel_order(SHOP, order["id"])
    post_shopify_webhook(client, "orders/updated", shop.order_payload(SHOP, order["id"]))
    wait_for(lambda: (row := order_row(app, order["id"])) and row.cancelled, message="cancelled copy")
    post_shopify_webhook(client, "orders/updated", stale)  # delivered late, after the newer one
    time.sleep(1)
    assert order_row(app, order["id"]).cancelled is True


def _label(client, order, package_id="PKG-1", tracking="1ZWEBHOOK"):
    line = order["line_items"][0]["id"]
    return post_label(client, label_payload(order_id=order["id"], package_id=package_id, tracking=tracking,
                                            items=[{"line_item_id": line, "quantity": 1}]))


def test_orders_cancelled_stops_waiting_packages_with_a_clear_cause(app, client, shop):
    order = shop.create_order(SHOP)
    shop.hold(SHOP, order["id"])
    _label(client, order)
    wait_for(lambda: (p := package_row(app)) and p.status == "requires_sync", message="held package")
    shop.cancel_order(SHOP, order["id"])
    post_shopify_webhook(client, "orders/cancelled", shop.order_payload(SHOP, order["id"]))
    package = package_row(app)
    assert (package.status, package.last_cause) == ("requires_sync", "order_cancelled")
    detail = client.get(f"/api/orders/{package.order_id}", headers=api_headers(app.config["SETTINGS"], SHOP)).json
    assert detail["cancelled"] is True and "cancelled" in detail["packages"][0]["error"]["message"]


def test_routing_complete_starts_packages_waiting_for_fulfillment_orders(app, client, shop):
    order = shop.create_order(SHOP, routed=False)
    _label(client, order)
    package = wait_for(lambda: (p := package_row(app)) and p.status == "requires_sync" and p, message="no FO yet")
    assert package.last_cause == "store_configuration"
    (fo_id,) = shop.route(SHOP, order["id"])
    post_shopify_webhook(client, "fulfillment_orders/order_routing_complete",
                         {"fulfillment_order": {"id": f"gid://shopify/FulfillmentOrder/{fo_id}", "status": "open"}})
    wait_for(lambda: package_row(app).status == "synced", message="synced after routing")
    assert len(shop.fulfillments(SHOP, order["id"])) == 1


def test_app_uninstalled_stops_all_work_and_drops_the_tokens(app, client, shop):
    order = shop.create_order(SHOP)
    post_shopify_webhook(client, "app/uninstalled", {"id": 1, "myshopify_domain": SHOP})
    with app.extensions["db_sessionmaker"]() as session:
        store = session.scalar(select(Store))
        assert store.status == "uninstalled" and store.credentials_encrypted is None
    shop.clear_requests()
    response = _label(client, order)
    assert response.status_code == 404
    time.sleep(0.5)
    assert shop.requests(SHOP, kind="graphql") == []


def test_reinstalling_after_uninstall_resumes(app, client, shop):
    order = shop.create_order(SHOP)
    shop.hold(SHOP, order["id"])
    _label(client, order)
    wait_for(lambda: (p := package_row(app)) and p.status == "requires_sync", message="held")
    post_shopify_webhook(client, "app/uninstalled", {"id": 1, "myshopify_domain": SHOP})
    assert package_row(app).last_cause == "store_uninstalled"
    shop.release(SHOP, order["id"])
    install_shopify(client, SHOP)
    wait_for(lambda: package_row(app).status == "synced", message="synced after re-install")


def _personal_data_left(app, needles) -> list[str]:
    """Every text cell of every table that still contains one of the needles."""
    found = []
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                for value in row:
                    if isinstance(value, str) and any(n in value for n in needles):
                        found.append(f"{table}: {value[:60]}")
    return found


def test_customer_data_request_and_redaction(app, client, shop):
    order = shop.create_order(SHOP, email="maria@example.com", customer={"first_name": "María", "last_name": "Pérez"})
    other = shop.create_order(SHOP, email="other@example.com")
    for o in (order, other):
        post_shopify_webhook(client, "orders/create", shop.order_payload(SHOP, o["id"]))
    wait_for(lambda: order_row(app, order["id"]) and order_row(app, other["id"]), message="imports")
    request = {"shop_domain": SHOP, "customer": {"id": 1, "email": "maria@example.com"},
               "orders_requested": [int(order["id"])]}
    report = post_shopify_webhook(client, "customers/data_request", request).json["data_request"]
    assert [r["customer_email"] for r in report] == ["maria@example.com"]
    assert _personal_data_left(app, ["maria@example.com", "Pérez"])
    redact = {"shop_domain": SHOP, "customer": {"id": 1, "email": "maria@example.com"},
              "orders_to_redact": [int(order["id"])]}
    assert post_shopify_webhook(client, "customers/redact", redact).status_code == 200
    assert _personal_data_left(app, ["maria@example.com", "Pérez", "María"]) == []
    assert order_row(app, other["id"]).customer_email == "other@example.com"  # only that customer


def test_shop_redact_erases_everything_of_the_store(app, client, shop):
    order = shop.create_order(SHOP)
    _label(client, order)
    wait_for(lambda: (p := package_row(app)) and p.status == "synced", message="synced")
    post_shopify_webhook(client, "app/uninstalled", {"id": 1, "myshopify_domain": SHOP})
    assert post_shopify_webhook(client, "shop/redact", {"shop_domain": SHOP}).status_code == 200
    engine = app.extensions["db_engine"]

    def count(table):
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
    wait_for(lambda: count("stores") == 0, message="the worker erased the store")
    for table in ("orders", "packages", "sync_attempts", "webhook_receipts"):
        assert count(table) == 0, table


def test_reconciliation_heals_a_package_whose_response_was_lost_while_the_worker_was_down(
        app, client, shopify_store, runner):
    """The store wrote the fulfillment, then the worker died before recording it."""
    from connectors import connector_for
    import stores

    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    order = shopify_store.create_order(SHOP)
    _label(client, order)
    services = app.extensions["shipsync"]
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        package = session.scalar(select(Package))
        package.status, package.lease_until = "syncing", utcnow() - timedelta(seconds=1)  # a dead worker's lease
        access = stores.store_access(package.store, services.cipher)
    line = order["line_items"][0]["id"]
    connector_for(access, services.settings).create_fulfillment(Shipment(
        "PKG-1", order["id"], "1ZWEBHOOK", "UPS", None, (Item(line, 1),)))
    assert runner.invoke(args=["reconcile"]).exit_code == 0
    from sync import queue

    consumer = queue.huey.create_consumer(workers=2, worker_type="thread", periodic=False,
                                          initial_delay=0.02, max_delay=0.1, check_worker_health=False)
    import signal as _signal
    saved = {s: _signal.getsignal(s) for s in (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP)}
    consumer.start()
    try:
        wait_for(lambda: package_row(app).status == "synced", message="healed")
    finally:
        consumer.stop(graceful=True)
        for s, h in saved.items():
            _signal.signal(s, h)
    (fulfillment,) = shopify_store.fulfillments(SHOP, order["id"])
    assert package_row(app).fulfillment_id == fulfillment["id"]


def test_the_store_announcing_our_own_fulfillment_costs_no_read(app, client, shop):
    order = shop.create_order(SHOP)
    post_shopify_webhook(client, "orders/create", shop.order_payload(SHOP, order["id"]))
    wait_for(lambda: (row := order_row(app, order["id"])) and row.name, message="imported order")
    assert _label(client, order).status_code == 202
    wait_for(lambda: (p := package_row(app)) and p.status == "synced", message="synced")
    shop.clear_requests()
    post_shopify_webhook(client, "orders/updated", shop.order_payload(SHOP, order["id"]))  # our fulfillment
    time.sleep(1)
    assert shop.requests(SHOP, operation="ShipSyncOrder") == []
    shop.cancel_order(SHOP, order["id"])  # a change that is not ours is read
    post_shopify_webhook(client, "orders/updated", shop.order_payload(SHOP, order["id"]))
    wait_for(lambda: order_row(app, order["id"]).cancelled, message="the cancellation read back")
