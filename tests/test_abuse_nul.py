"""Abuse suite: a NUL character ("\\x00") at every entry point. PostgreSQL refuses it in any text
value, so each of these was a 500 there (or, on SQLite, a NUL kept in our rows):

- what a caller sends (query, path, the merchant API's body) is a 400 naming NUL, nothing changed;
- what a store sends in a signed webhook is its data: text is kept without the NUL, and the
  order syncs; an id with one is refused (a 400) and a privacy request still finds its customer.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models import Order, Store
from tests.fixtures_woocommerce import create_woo_order, make_woo_store, woo_label
from tests.helpers import make_store, post_label, post_shopify_webhook, row_counts, wait_for
from tests.tiendanube.app_helpers import post_tiendanube_webhook
from webhooks.signatures import base64_hmac_sha256

NUL_ERROR = "must not contain NUL characters"
WOO_SECRET = "woo-secret"


def _order(app, external_id: str) -> Order | None:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Order).where(Order.external_id == external_id))


@pytest.fixture
def signed_in(app, client):
    """A WooCommerce store and a browser signed in to it (session cookie and CSRF token)."""
    store_id = make_woo_store(app, "https://shop.example.com", webhook_secret=WOO_SECRET)
    with client.session_transaction() as session:
        session.update(store_id=store_id, generation=0, csrf="csrf")
    return store_id


@pytest.mark.parametrize("query", ["q=Ana%00", "carrier=UPS%00", "cursor=%00", "tab=all&page=1%00", "bad%00=1"])
@pytest.mark.parametrize("path", ["/api/orders", "/api/orders/export"])
def test_a_nul_in_the_query_is_a_400_that_says_so(client, signed_in, path, query):
    answer = client.get(f"{path}?{query}", headers={"X-CSRF-Token": "csrf"})
    assert answer.status_code == 400 and NUL_ERROR in answer.json["error"], answer.get_data()[:200]


def test_a_nul_in_the_path_is_a_400(client, signed_in):
    answer = client.get("/api/sync/batch%00", headers={"X-CSRF-Token": "csrf"})
    assert answer.status_code == 400 and answer.json["error"] == f"the address {NUL_ERROR}"


def test_a_nul_in_the_merchant_apis_body_is_a_400_and_changes_nothing(app, client, signed_in):
    answer = client.patch("/api/store/settings", json={"carrier_mapping": {"UPS\x00": "UPS"}},
                          headers={"X-CSRF-Token": "csrf"})
    assert answer.status_code == 400 and answer.json["error"] == f"the body {NUL_ERROR}"
    with app.extensions["db_sessionmaker"]() as session:
        assert "UPS\x00" not in session.get(Store, signed_in).merged_settings()["carrier_mapping"]


@pytest.mark.parametrize("url", ["/auth/woocommerce?store_url=https://shop%00.example.com",
                                 "/auth/shopify?shop=acme%00.myshopify.com", "/?q=%00"])
def test_a_nul_in_a_sign_in_or_page_query_is_a_400(client, url):
    answer = client.get(url)
    assert answer.status_code == 400 and NUL_ERROR.encode() in answer.data


def _post_woo(client, store_id: int, topic: str, payload: dict):
    body = json.dumps(payload).encode()  # a NUL travels as the JSON escape \u0000
    return client.post(f"/webhooks/woocommerce/{store_id}", data=body, content_type="application/json", headers={
        "X-WC-Webhook-Signature": base64_hmac_sha256(WOO_SECRET, body), "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-ID": "7"})


def test_a_store_order_with_nul_in_its_text_is_kept_without_it_and_a_repeat_is_unchanged(app, client, signed_in):
    order = {"id": 77, "number": "77\x00", "status": "processing", "date_modified_gmt": "2026-11-28T03:34:37",
             "billing": {"first_name": "Ana\x00", "last_name": "Pérez", "email": "ana\x00@example.com"},
             "customer_note": "ring\x00 twice",
             "line_items": [{"id": 5, "name": "Mug\x00", "quantity": 1, "sku": "MUG\x00-1"}]}
    first = _post_woo(client, signed_in, "order.created", order)
    assert first.status_code == 200 and first.json["status"] == "updated"
    row = _order(app, "77")
    assert (row.name, row.customer_name, row.customer_email) == ("#77", "Ana Pérez", "ana@example.com")
    assert row.line_items == [{"id": "5", "title": "Mug", "quantity": 1, "sku": "MUG-1"}]
    # The store's own echo of the same order: what we keep has not changed.
    again = _post_woo(client, signed_in, "order.updated", {**order, "date_modified_gmt": "2026-11-28T03:35:00"})
    assert again.status_code == 200 and again.json["status"] == "unchanged"



def test_a_store_order_whose_sku_is_a_number_is_kept(app, client, signed_in):
    """Stores send odd types too: a numeric SKU is no NUL to strip and no reason to refuse."""
    order = {"id": 78, "number": "78", "status": "processing", "date_modified_gmt": "2026-11-28T03:34:37",
             "billing": {"first_name": "Ana", "last_name": "Pérez", "email": "ana@example.com"},
             "line_items": [{"id": 6, "name": "Cup", "quantity": 2, "sku": 12345}]}
    assert _post_woo(client, signed_in, "order.created", order).status_code == 200
    assert _order(app, "78").line_items == [{"id": "6", "title": "Cup", "quantity": 2, "sku": 12345}]

@pytest.mark.parametrize("topic", ["order.created", "order.deleted"])
def test_a_store_order_id_with_a_nul_is_a_400_and_changes_nothing(app, client, signed_in, topic):
    before = row_counts(app)
    answer = _post_woo(client, signed_in, topic, {"id": "77\x00", "status": "processing"})
    assert answer.status_code == 400 and NUL_ERROR in answer.json["error"]
    assert row_counts(app) == before


@pytest.mark.parametrize("topic", ["orders/create", "orders/cancelled"])
def test_a_shopify_order_webhook_naming_an_id_with_a_nul_is_a_400(app, client, topic):
    make_store(app)
    before = row_counts(app)
    answer = post_shopify_webhook(client, topic, {"id": "5001\x00", "updated_at": "2026-11-28T03:34:37Z"})
    assert answer.status_code == 400
    assert row_counts(app) == before


def test_a_redact_request_with_a_nul_in_the_email_erases_the_customer_we_kept(app, client):
    """We keep an e-mail without its NUL: the privacy request for the same e-mail must find it."""
    store_id = make_store(app)
    assert post_label(client, {"event": "label.created", "event_id": "e1", "platform": "shopify",
                               "store": "acme.myshopify.com", "order_id": "5001",
                               "package": {"id": "P1", "tracking_number": "1Z1", "carrier": "UPS",
                                           "items": [{"line_item_id": "1", "quantity": 1}]}}).status_code == 202
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        order = session.scalar(select(Order).where(Order.store_id == store_id, Order.external_id == "5001"))
        order.customer_name, order.customer_email = "Ana", "ana@example.com"
    answer = post_shopify_webhook(client, "customers/redact", {
        "shop_domain": "acme.myshopify.com", "customer": {"email": "ana\x00@example.com"},
        "orders_to_redact": ["9\x00"]})
    assert answer.status_code == 200 and answer.json == {"redacted_orders": 1}
    assert _order(app, "5001").customer_email is None


def test_a_tiendanube_data_request_naming_an_order_id_with_a_nul_reports_nothing(app, client):
    from tests.tiendanube.driver import STORE_ID

    make_store(app, "tiendanube", STORE_ID, access_token="tn-token")
    answer = post_tiendanube_webhook(client, {"store_id": int(STORE_ID), "event": "customers/data_request",
                                              "customer": {"email": "x\x00@example.com"},
                                              "orders_requested": ["1\x00"]})
    assert answer.status_code == 200 and answer.json == {"data_request": []}


def test_a_woocommerce_order_with_nul_in_its_names_still_syncs(app, client, woo_connected):
    """End to end through the sandbox store: its webhook, a label, the worker's sync."""
    store = woo_connected.store
    order = create_woo_order(app, store, [{"name": "Mug\x00 (blue)", "quantity": 1}],
                             customer={"first_name": "Ana\x00", "last_name": "Pérez", "email": "ana@example.com"})
    row = _order(app, str(order["id"]))
    assert row.customer_name == "Ana Pérez" and row.line_items[0]["title"] == "Mug (blue)"
    assert post_label(client, woo_label(store, order)).status_code == 202
    wait_for(lambda: [t["tracking_number"] for t in store.tracking_items(order["id"])] == ["1Z999AA10123456784"],
             message="the tracking written to the store")
    deliveries = [d for d in store.deliveries() if d["kind"] not in ("ping", "auth_callback")]
    assert deliveries and all(d["status"] == 200 for d in deliveries)


def test_a_json_column_holds_a_line_item_id_with_a_nul(app):
    """Line item ids are kept as the store sent them (an id changed would be another line): the
    JSON columns are PostgreSQL ``json``, which holds the escaped NUL (``jsonb`` would refuse it)."""
    from connectors.base import RemoteLineItem, RemoteOrder
    from sync.orders import upsert_order

    store_id = make_store(app)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        upsert_order(session, store_id, RemoteOrder(id="8", name="#8", fulfillment_status="unfulfilled",
                                                    line_items=(RemoteLineItem("1\x00", "Mug", 1),)))
    assert _order(app, "8").line_items[0]["id"] == "1\x00"


def test_a_store_failure_quoting_a_nul_is_recorded_without_it(app):
    """A store's error text lands in the package and its history: on PostgreSQL a NUL there
    made the worker's write fail, so the failure was never recorded."""
    from connectors.base import INVALID_DATA, ConnectorError
    from models import Package, SyncAttempt
    from sync import packages

    store_id = make_store(app)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        order = Order(store_id=store_id, external_id="5001")
        session.add(order)
        session.flush()
        package = Package(store_id=store_id, order_id=order.id, external_id="PKG-1", tracking_number="1Z1",
                          items=[{"line_item_id": "13001", "quantity": 1}], status="syncing")
        session.add(package)
        session.flush()
        error = ConnectorError(INVALID_DATA, "the store said: bad\x00 value", detail="raw\x00answer")
        packages.record_failure(session, package, error, None)
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalar(select(Package.last_message)) == "the store said: bad value"
        assert [a.message for a in session.scalars(select(SyncAttempt))] == ["the store said: bad value"]
    assert error.detail == "rawanswer"
