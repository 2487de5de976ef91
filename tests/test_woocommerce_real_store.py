"""WooCommerce as the real store behaves (issue 9), end to end against the sandbox store:
shared delivery ids, a tracking plugin switched at run time, nothing internal shown to customers."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from models import SYNCED, Order, Package
from tests.fixtures_woocommerce import create_woo_order, woo_label
from tests.helpers import post_label, wait_for

LINES = [{"name": "Blue Mug", "quantity": 2, "sku": "MUG-BLUE"}, {"name": "Canvas Tote", "quantity": 1}]


def our_order(app, external_id) -> Order | None:
    with app.extensions["db_sessionmaker"]() as session:
        order = session.scalar(select(Order).where(Order.external_id == str(external_id)))
        if order is not None:
            session.expunge(order)
        return order


def delivery_ids(store, topic: str) -> set:
    return {d["delivery_id"] for d in store.deliveries("delivery") if d["topic"] == topic}


def test_three_orders_placed_in_one_second_are_all_imported(app, woo_connected, worker):
    store = woo_connected.store
    store.frozen_time = time.time()
    placed = [store.create_order(LINES) for _ in range(3)]
    assert store.sandbox.deliverer.wait_idle()
    assert len(delivery_ids(store, "order.created")) == 1  # one id for all three, as the real store sends
    for order in placed:
        wait_for(lambda o=order: our_order(app, o["id"]), message=f"order {order['id']} imported")


def test_a_cancellation_in_the_same_second_as_an_update_is_applied(app, woo_connected, worker):
    store = woo_connected.store
    order = create_woo_order(app, store, LINES)
    store.frozen_time = time.time()
    store.update_order(order["id"], {"customer_note": "Leave it at the door"})
    assert store.sandbox.deliverer.wait_idle()
    store.update_order(order["id"], {"status": "cancelled"})
    assert store.sandbox.deliverer.wait_idle()
    assert len(delivery_ids(store, "order.updated")) == 1
    wait_for(lambda: our_order(app, order["id"]).cancelled, message="the cancellation applied")


def test_reconciliation_repairs_lost_order_webhooks(app, woo_connected, worker):
    """WooCommerce never re-sends a delivery: the hourly reconciliation re-reads recently
    modified orders, so a lost order.created and a lost cancellation are both repaired."""
    store = woo_connected.store
    seen = create_woo_order(app, store, LINES)
    unseen = store.create_order(LINES, notify=False)  # its order.created never arrives
    store.update_order(seen["id"], {"status": "cancelled"}, notify=False)  # nor this order.updated
    assert our_order(app, unseen["id"]) is None and not our_order(app, seen["id"]).cancelled

    result = app.extensions["shipsync"].sync_service.reconcile_store(woo_connected.store_id)

    assert result["changed"] >= 2
    assert our_order(app, unseen["id"]).name == f"#{unseen['id']}"
    assert our_order(app, seen["id"]).cancelled


def package(app, external_id="PKG-1") -> Package | None:
    with app.extensions["db_sessionmaker"]() as session:
        row = session.scalar(select(Package).where(Package.external_id == external_id))
        if row is not None:
            row.attempt_log, row.order  # load before the session closes
        return row


def settled(app, external_id="PKG-1", status=SYNCED):
    row = package(app, external_id)
    return row if row is not None and row.status == status else None


INTERNAL = ("shipsync", "[", "]", "package=", "PKG-", "items=", "×")


@pytest.mark.parametrize("woo_store", ["none", "shipment_tracking", "native"], indirect=True)
def test_no_customer_visible_text_holds_anything_internal(client, app, woo_connected, worker):
    """The customer note, the tracking on the order page and the e-mails (as WordPress's
    typography renders them) read like a person wrote them: no ShipSync marker."""
    store = woo_connected.store
    order = create_woo_order(app, store, [{"name": "Mug", "quantity": 13}])
    assert post_label(client, woo_label(store, order, tracking="1ZCUSTOMER1")).status_code == 202
    wait_for(lambda: settled(app), message="package synced")
    assert store.order_status(order["id"]) == "completed"
    seen = "\n".join(store.customer_view(order["id"]))
    if store.backend != "native":
        assert "1ZCUSTOMER1" in seen
    for word in INTERNAL:
        assert word.lower() not in seen.lower(), (word, seen)


def store_options(app, store_id) -> dict:
    from models import Store

    with app.extensions["db_sessionmaker"]() as session:
        return dict(session.get(Store, store_id).options or {})


def test_the_tracking_backend_follows_the_plugin_without_a_reconnect(client, app, woo_connected, worker):
    """Advanced Shipment Tracking switched off after the connect: the label's write meets
    ``rest_no_route``, the backend is detected again and the package goes to a note in the
    same attempt. Switched on again: reconciliation finds it, and labels go there again."""
    store = woo_connected.store
    first = create_woo_order(app, store, LINES)
    assert post_label(client, woo_label(store, first, package_id="PKG-1", tracking="1ZFIRST")).status_code == 202
    wait_for(lambda: settled(app, "PKG-1"), message="first package synced")
    options = store_options(app, woo_connected.store_id)
    assert options["tracking_backend"] == "shipment_tracking"
    assert {"slug": "ups", "name": "UPS"} in options["tracking_providers"]

    store.set_tracking_plugin(False)
    second = create_woo_order(app, store, LINES)
    assert post_label(client, woo_label(store, second, package_id="PKG-2", tracking="1ZSECOND")).status_code == 202
    row = wait_for(lambda: settled(app, "PKG-2"), message="second package synced on the notes")
    assert row.attempts == 1 and [a.outcome for a in row.attempt_log] == ["synced"]
    assert any("1ZSECOND" in n["note"] for n in store.note_list(second["id"], customer_only=True))
    assert store_options(app, woo_connected.store_id)["tracking_backend"] == "note"

    store.set_tracking_plugin(True)
    app.extensions["shipsync"].sync_service.reconcile_store(woo_connected.store_id)
    assert store_options(app, woo_connected.store_id)["tracking_backend"] == "shipment_tracking"
    third = create_woo_order(app, store, LINES)
    assert post_label(client, woo_label(store, third, package_id="PKG-3", tracking="1ZTHIRD")).status_code == 202
    wait_for(lambda: settled(app, "PKG-3"), message="third package synced")
    assert [t["tracking_number"] for t in store.tracking_items(third["id"])] == ["1ZTHIRD"]


def test_a_carrier_ast_knows_goes_as_its_slug_and_any_other_as_a_custom_provider(client, app, woo_connected, worker):
    store = woo_connected.store
    known = create_woo_order(app, store, LINES)
    assert post_label(client, woo_label(store, known, package_id="PKG-1", tracking="9400USPS1",
                                        carrier="USPS")).status_code == 202
    row = wait_for(lambda: settled(app, "PKG-1"), message="USPS package synced")
    sent = [r["body"] for r in store.requests("POST", "shipment-trackings")]
    assert sent == [{"tracking_provider": "usps", "tracking_number": "9400USPS1"}]
    [item] = store.tracking_items(known["id"])
    assert item["tracking_provider"] == "USPS" and "usps.com" in item["tracking_link"]
    assert "provider usps" in row.attempt_log[-1].message  # the history says which way it went

    other = create_woo_order(app, store, LINES)
    assert post_label(client, woo_label(store, other, package_id="PKG-2", tracking="LC123",
                                        carrier="Local Courier")).status_code == 202
    row = wait_for(lambda: settled(app, "PKG-2"), message="Local Courier package synced")
    [item] = store.tracking_items(other["id"])
    assert item["tracking_link"] == "https://www.ups.com/track?tracknum=LC123"  # the label's own link
    assert "custom provider 'Local Courier'" in row.attempt_log[-1].message


@pytest.mark.parametrize("woo_store", ["none"], indirect=True)
def test_the_customer_note_is_in_the_stores_language(client, app, woo_connected, worker):
    store = woo_connected.store
    store.language = "es_ES"
    order = create_woo_order(app, store, LINES)
    assert post_label(client, woo_label(store, order, tracking="1ZESPANOL")).status_code == 202
    wait_for(lambda: settled(app), message="package synced")
    [note] = store.note_list(order["id"], customer_only=True)
    assert note["note"].startswith("Tu pedido ha sido enviado con UPS. Número de seguimiento: 1ZESPANOL.")
    assert store_options(app, woo_connected.store_id)["language"] == "es_ES"


def held(app, external_id="PKG-1"):
    from models import REQUIRES_SYNC

    return settled(app, external_id, REQUIRES_SYNC)


def test_a_read_only_key_is_named_with_the_stores_own_words(client, app, woo_connected, worker):
    store = woo_connected.store
    order = create_woo_order(app, store, LINES)
    with store.lock:
        for key in store.keys.values():
            key["permissions"] = "read"  # as a key approved with Read access only
    assert post_label(client, woo_label(store, order)).status_code == 202
    row = wait_for(lambda: held(app), message="package held for the key")
    attempt = row.attempt_log[-1]
    assert (row.last_cause, attempt.http_status) == ("token_expired", 401)
    assert "read-only" in attempt.message and "Read/Write" in attempt.message
    assert "woocommerce_rest_authentication_error" in attempt.message
    assert "The API key provided does not have write permissions." in attempt.message


def test_a_revoked_key_keeps_the_stores_status_code_and_message(client, app, woo_connected, worker):
    store = woo_connected.store
    order = create_woo_order(app, store, LINES)
    store.revoke_key()
    assert post_label(client, woo_label(store, order)).status_code == 202
    row = wait_for(lambda: held(app), message="package held for the key")
    assert row.attempt_log[-1].http_status == 401
    assert 'HTTP 401 woocommerce_rest_authentication_error: "Consumer key is invalid."' in row.last_message


def test_more_than_remains_unshipped_is_refused_with_the_numbers(client, app, woo_connected, worker):
    from sync.causes import explain

    store = woo_connected.store
    order = create_woo_order(app, store, [{"name": "Mug", "quantity": 1}, {"name": "Tote", "quantity": 2}])
    assert post_label(client, woo_label(store, order, items=[(1, 1)], package_id="PKG-1",
                                        tracking="1ZONE")).status_code == 202
    wait_for(lambda: settled(app, "PKG-1"), message="first package synced")
    assert post_label(client, woo_label(store, order, items=[(0, 5), (1, 2)], package_id="PKG-2",
                                        tracking="1ZTWO")).status_code == 202
    row = wait_for(lambda: held(app, "PKG-2"), message="over-quantity package refused")
    mug, tote = (str(line["id"]) for line in order["line_items"])
    assert row.last_cause == "invalid_data" and row.last_message.startswith("ShipSync's check:")
    assert f"line item {mug}: 5 in this package, 1 ordered, 0 already shipped, so 1 remain unshipped" \
        in row.last_message
    assert f"line item {tote}: 2 in this package, 2 ordered, 1 already shipped, so 1 remain unshipped" \
        in row.last_message
    assert [t["tracking_number"] for t in store.tracking_items(order["id"])] == ["1ZONE"]
    assert explain(row.last_cause, row.last_message)["message"].startswith("ShipSync's own check")


def test_an_item_not_on_the_order_is_worded_as_shipsyncs_check(client, app, woo_connected, worker):
    from sync.causes import explain

    store = woo_connected.store
    order = create_woo_order(app, store, LINES)
    label = woo_label(store, order)
    label["package"]["items"] = [{"line_item_id": "999999", "quantity": 1}]
    assert post_label(client, label).status_code == 202
    row = wait_for(lambda: held(app), message="package refused")
    assert row.last_message.startswith("ShipSync's check:") and "999999" in row.last_message
    error = explain(row.last_cause, row.last_message)
    assert "store rejected" not in error["message"] and error["message"].startswith("ShipSync's own check")


def test_a_label_for_an_order_the_store_does_not_have_ends_at_once_and_says_so(client, app, woo_connected, worker,
                                                                               caplog):
    store = woo_connected.store
    label = woo_label(store, {"id": 99999, "line_items": [{"id": 1, "quantity": 1}]})
    assert post_label(client, label).status_code == 202
    row = wait_for(lambda: held(app), message="package stopped")
    assert row.last_cause == "invalid_data" and "The store has no order 99999" in row.last_message
    assert row.attempts <= 1
    # Both the sync and the order's import asked the store once; neither is retried.
    wait_for(lambda: len(store.requests("GET", "wc/v3/orders/99999")) >= 2, message="the import ran")
    time.sleep(0.5)  # let the worker finish logging what the import did
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the worker log"
    assert len(store.requests("GET", "wc/v3/orders/99999")) == 2
    assert our_order(app, 99999).requires_sync


@pytest.mark.parametrize("woo_store", ["none", "shipment_tracking", "native"], indirect=True)
def test_voiding_a_shipped_package_puts_the_order_back_to_processing_and_says_so(client, app, woo_connected, worker):
    store = woo_connected.store
    order = create_woo_order(app, store, LINES)
    assert post_label(client, woo_label(store, order, tracking="1ZVOID")).status_code == 202
    wait_for(lambda: settled(app), message="package synced")
    assert store.order_status(order["id"]) == "completed"

    assert post_label(client, woo_label(store, order, tracking="1ZVOID", event="label.voided")).status_code == 202
    row = wait_for(lambda: (p := package(app)) is not None and p.voided and p, message="package voided")
    assert store.order_status(order["id"]) == "processing"
    assert row.attempt_log[-1].outcome == "voided"
    assert "put back to processing" in row.attempt_log[-1].message
    assert our_order(app, order["id"]).fulfillment_status == "unfulfilled"


def test_the_page_names_the_key_in_use_and_where_older_ones_are_revoked(client, app, woo_connected, worker):
    from tests.fixtures_woocommerce import connect_woocommerce

    store = woo_connected.store
    connect_woocommerce(client, store.url)  # a reconnect adds a key; the old one stays in the store
    with store.lock:
        keys = sorted(store.keys.values(), key=lambda k: k["key_id"])
    assert len(keys) == 2
    answer = client.get("/api/store").json
    assert answer["api_key"]["ends_with"] == keys[-1]["consumer_key"][-7:]  # WooCommerce's truncated_key
    assert answer["api_key"]["revoke_at"] == "WooCommerce → Settings → Advanced → REST API"
    page = client.get("/").get_data(as_text=True)
    assert 'id="store-key"' in page and "Older ShipSync keys can be revoked" in page


def test_packages_held_for_a_vanished_route_go_again_once_reconciliation_finds_the_new_backend(client, app,
                                                                                                woo_connected, worker):
    store = woo_connected.store
    first = create_woo_order(app, store, LINES)
    assert post_label(client, woo_label(store, first, package_id="PKG-1", tracking="1ZFIRST")).status_code == 202
    wait_for(lambda: settled(app, "PKG-1"), message="first package synced on AST")
    # The plugin's routes vanish while the index still lists it (a half-deactivated plugin).
    second = create_woo_order(app, store, LINES)
    store.add_fault("status", path=f"orders/{second['id']}/shipment-trackings", status=404, count=3,
                    body={"code": "rest_no_route", "message": "No route was found matching the URL and request method.",
                          "data": {"status": 404}})
    assert post_label(client, woo_label(store, second, package_id="PKG-2", tracking="1ZSECOND")).status_code == 202
    row = wait_for(lambda: held(app, "PKG-2"), message="package held for the store's set-up")
    assert row.last_cause == "store_configuration" and "rest_no_route" in row.last_message

    store.set_tracking_plugin(False)  # now fully off: reconciliation notices and the package goes again
    app.extensions["shipsync"].sync_service.reconcile_store(woo_connected.store_id)
    wait_for(lambda: settled(app, "PKG-2"), message="held package synced on the notes")
    assert any("1ZSECOND" in n["note"] for n in store.note_list(second["id"], customer_only=True))


def test_an_order_the_store_does_not_have_says_so_while_its_package_waits_for_a_manual_sync(client, app,
                                                                                            woo_connected, worker):
    from models import Store

    with app.extensions["db_sessionmaker"]() as session, session.begin():
        store_row = session.get(Store, woo_connected.store_id)
        store_row.settings = {**store_row.merged_settings(), "auto_sync": False}
    store = woo_connected.store
    label = woo_label(store, {"id": 99998, "line_items": [{"id": 1, "quantity": 1}]})
    assert post_label(client, label).status_code == 202
    row = wait_for(lambda: (p := held(app)) is not None and p.last_cause == "invalid_data" and p,
                   message="the waiting package says the store has no such order")
    assert "The store has no order 99998" in row.last_message and row.attempts == 0
