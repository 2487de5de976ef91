"""POST /webhooks/woocommerce/<store_id>: verify, dedupe, update our copy of the order, answer fast."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import REQUIRES_SYNC, Order, Package, WebhookReceipt
from sandbox.woocommerce.delivery import sign, wp_json_encode
from tests.fixtures_woocommerce import make_woo_store, woo_label
from tests.helpers import label_payload, post_label, wait_for

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "sandbox/woocommerce/samples/vectors.json").read_text())
REAL_DELIVERY = next(d for d in VECTORS["deliveries"] if "X-WC-Webhook-Signature" in d["headers"])
SECRET = "whsec-test"


@pytest.fixture
def store_id(app):
    return make_woo_store(app, webhook_secret=SECRET)


def order_body(order_id=14, status="processing", modified="2026-11-28T03:40:00", lines=((1, 2), (2, 1)), **extra):
    return {"id": order_id, "number": str(order_id), "status": status, "date_created_gmt": "2026-11-28T03:34:37",
            "date_modified_gmt": modified, "billing": {"first_name": "Jane", "last_name": "Customer",
                                                       "email": "jane@example.test"},
            "line_items": [{"id": i, "name": f"Item {i}", "quantity": q, "sku": f"SKU{i}"} for i, q in lines],
            "meta_data": [], **extra}


def deliver(client, store_id, payload, topic="order.updated", secret=SECRET, delivery_id="d-1", raw=None,
            signature=None):
    body = raw if raw is not None else wp_json_encode(payload)
    headers = {"X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": topic.split(".")[0],
               "X-WC-Webhook-Event": topic.split(".")[1], "X-WC-Webhook-ID": "1",
               "X-WC-Webhook-Delivery-ID": delivery_id, "X-WC-Webhook-Signature": signature or sign(secret, body)}
    return client.post(f"/webhooks/woocommerce/{store_id}", data=body, headers=headers,
                       content_type="application/json")


# Each read ends its transaction: on SQLite every transaction here takes the write lock
# (BEGIN IMMEDIATE), which would stall the app's own writes.
def count(db_session, model):
    value = db_session.scalar(select(func.count()).select_from(model))
    db_session.rollback()
    return value


def the_order(db_session):
    order = db_session.scalar(select(Order))
    if order is not None:
        db_session.expunge(order)  # keep its loaded values once the transaction ends
    db_session.rollback()
    return order


def test_a_signed_order_created_imports_the_order(client, store_id, db_session):
    response = deliver(client, store_id, order_body(), topic="order.created")
    assert response.status_code == 200 and response.json["status"] == "updated"
    order = the_order(db_session)
    assert (order.external_id, order.name, order.customer_email) == ("14", "#14", "jane@example.test")
    assert [(li["id"], li["quantity"]) for li in order.line_items] == [("1", 2), ("2", 1)]
    assert order.fulfillment_status == "unfulfilled" and not order.cancelled


def test_the_real_stores_delivery_is_accepted(client, app):
    store_id = make_woo_store(app, "http://127.0.0.1:8089", webhook_secret=VECTORS["webhook_secret"])
    headers = {k: v for k, v in REAL_DELIVERY["headers"].items() if k.startswith("X-WC-")}
    response = client.post(f"/webhooks/woocommerce/{store_id}", data=REAL_DELIVERY["body_raw"].encode(),
                           headers=headers, content_type="application/json")
    assert response.status_code == 200
    with app.extensions["db_sessionmaker"]() as session:
        order = session.scalar(select(Order))
        assert (order.external_id, order.fulfillment_status) == ("14", "fulfilled")  # it was completed
        assert [li["sku"] for li in order.line_items] == ["MUG-BLUE", "TOTE-CNV", "STK-PACK"]


@pytest.mark.parametrize("signature", ["bad", "", None])
def test_a_bad_signature_is_401_and_nothing_is_stored(client, store_id, db_session, signature):
    payload = order_body()
    body = wp_json_encode(payload)
    headers = {"X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Delivery-ID": "d-1"}
    if signature is not None:
        headers["X-WC-Webhook-Signature"] = signature
    response = client.post(f"/webhooks/woocommerce/{store_id}", data=body, headers=headers,
                           content_type="application/json")
    assert response.status_code == 401
    assert (count(db_session, Order), count(db_session, WebhookReceipt)) == (0, 0)


def test_another_stores_secret_is_refused(client, store_id, db_session):
    assert deliver(client, store_id, order_body(), secret="someone-elses").status_code == 401
    assert count(db_session, Order) == 0


def test_the_creation_ping_gets_200(client, store_id, db_session):
    response = client.post(f"/webhooks/woocommerce/{store_id}", data="webhook_id=7",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert (count(db_session, Order), count(db_session, WebhookReceipt)) == (0, 0)


def test_an_unknown_store_is_404(client, store_id):
    assert deliver(client, store_id + 1, order_body()).status_code == 404
    assert client.post(f"/webhooks/woocommerce/{store_id + 1}", data="webhook_id=7",
                       content_type="application/x-www-form-urlencoded").status_code == 404


def test_a_repeated_delivery_is_answered_the_same_and_recorded_once(client, store_id, db_session):
    first = deliver(client, store_id, order_body(), delivery_id="same")
    again = deliver(client, store_id, order_body(), delivery_id="same")
    assert again.status_code == 200 and again.json == first.json
    assert count(db_session, WebhookReceipt) == 1


def test_a_shared_delivery_id_with_another_body_is_applied(client, store_id, db_session):
    """WooCommerce's delivery id is the same for every delivery of a webhook within one second:
    a cancellation sharing it with the update before it must still be applied."""
    deliver(client, store_id, order_body(), delivery_id="same-second")
    cancel = deliver(client, store_id, order_body(status="cancelled"), delivery_id="same-second")
    assert cancel.json["status"] == "updated"
    assert the_order(db_session).cancelled and count(db_session, WebhookReceipt) == 2


def test_an_older_copy_changes_nothing(client, store_id, db_session):
    deliver(client, store_id, order_body(modified="2026-11-28T03:40:00"), delivery_id="new")
    response = deliver(client, store_id, order_body(status="cancelled", modified="2026-11-28T03:30:00"),
                       delivery_id="old")
    assert response.json["status"] == "stale" and not the_order(db_session).cancelled


def test_an_echo_of_our_own_write_changes_nothing(client, store_id, db_session):
    deliver(client, store_id, order_body(modified="2026-11-28T03:40:00"), delivery_id="a")
    echo = deliver(client, store_id, order_body(modified="2026-11-28T03:41:00"), delivery_id="b")
    assert echo.json["status"] == "unchanged"


def test_order_deleted_marks_the_order_cancelled_and_holds_its_waiting_packages(client, app, store_id, db_session):
    deliver(client, store_id, order_body(), topic="order.created", delivery_id="c")
    label = label_payload(order_id="14", platform="woocommerce", store="https://shop.example.com",
                          items=[{"line_item_id": "1", "quantity": 2}])
    assert post_label(client, label).status_code == 202  # queued; no worker runs in this test
    response = deliver(client, store_id, {"id": 14}, topic="order.deleted", delivery_id="del")
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    order = the_order(db_session)
    assert order.cancelled
    with app.extensions["db_sessionmaker"]() as session:
        package = session.scalar(select(Package))
        assert (package.status, package.last_cause) == (REQUIRES_SYNC, "order_cancelled")


@pytest.mark.parametrize("woo_store", ["none"], indirect=True)
def test_a_note_store_echo_does_not_unship_a_synced_order(client, app, woo_connected, worker):
    """An order-note store's order.updated says nothing about shipping: what we synced stands."""
    store = woo_connected.store
    order = store.create_order([{"name": "Mug", "quantity": 2}, {"name": "Tote", "quantity": 1}])
    post_label(client, woo_label(store, order, items=[(0, 2)]))

    def partially():
        with app.extensions["db_sessionmaker"]() as session:
            row = session.scalar(select(Order).where(Order.external_id == str(order["id"])))
            return row is not None and row.fulfillment_status == "partially_fulfilled" and row
    wait_for(partially, message="partially fulfilled")
    store.update_order(order["id"], {"customer_note": "leave at the door"})  # a real change → order.updated
    woo_connected.store.sandbox.wait_for_deliveries()
    row = wait_for(partially, message="still partially fulfilled after the echo")
    assert row.fulfillment_status == "partially_fulfilled"
    updates = [d for d in store.deliveries("delivery") if d["topic"] == "order.updated"]
    assert updates and all(d["status"] == 200 for d in updates)


def test_a_sandbox_order_reaches_us_signed_end_to_end(client, app, woo_connected, worker):
    store = woo_connected.store
    order = store.create_order([{"name": "Mug", "quantity": 3, "sku": "MUG"}])

    def imported():
        with app.extensions["db_sessionmaker"]() as session:
            return session.scalar(select(Order).where(Order.external_id == str(order["id"])))
    row = wait_for(imported, message="order imported from the order.created webhook")
    assert row.store_id == woo_connected.store_id and row.line_items[0]["sku"] == "MUG"
    created = [d for d in store.deliveries("delivery") if d["topic"] == "order.created"]
    assert [d["status"] for d in created] == [200]


@pytest.mark.parametrize("payload", [[1, 2], {"id": 14, "line_items": [{"id": 1, "quantity": "two"}]}, {"no": "id"}])
def test_a_signed_body_that_is_not_an_order_is_400_and_changes_nothing(client, store_id, db_session, payload):
    assert deliver(client, store_id, payload, topic="order.created").status_code == 400
    assert (count(db_session, Order), count(db_session, WebhookReceipt)) == (0, 0)
