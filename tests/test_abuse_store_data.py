"""Abuse suite: a store sends odd data (issue 8, medium 3): it is kept, shortened, never refused."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from connectors.base import RemoteLineItem, RemoteOrder
from models import Order
from sync.orders import upsert_order
from sync.service import save_or_record
from tests.helpers import make_store, wait_for

LONG_NAME = "Á" * 300
LONG_EMAIL = "x" * 300 + "@example.com"


def _order(app, external_id):
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Order).where(Order.external_id == str(external_id)))


def test_a_shoppers_long_name_is_shortened_and_the_woocommerce_webhook_answers_200(app, woo_connected):
    store = woo_connected.store
    order = store.create_order(customer={"first_name": LONG_NAME, "last_name": "Z", "email": LONG_EMAIL})
    row = wait_for(lambda: _order(app, order["id"]), message="the order.created webhook saved the order")
    assert row.customer_name == LONG_NAME[:255] and row.customer_email == LONG_EMAIL[:255]
    deliveries = [d for d in store.deliveries() if d["kind"] != "ping" and d["kind"] != "auth_callback"]
    assert deliveries and all(d["status"] == 200 for d in deliveries)


def _remote(order_id: str, **fields) -> RemoteOrder:
    return RemoteOrder(id=order_id, name="#" + order_id, line_items=(RemoteLineItem("1", "Mug", 1),),
                       fulfillment_status="unfulfilled", **fields)


def test_store_text_with_nul_or_over_the_column_is_fitted(app):
    store_id = make_store(app)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        upsert_order(session, store_id, _remote("1", customer_name="Ana\x00 Pérez", customer_email=LONG_EMAIL))
    row = _order(app, "1")
    assert row.customer_name == "Ana Pérez" and len(row.customer_email) == 255


def test_a_database_error_on_one_order_is_recorded_and_the_others_are_saved(app, caplog):
    """An import or reconciliation goes on past an order the database refuses."""
    store_id = make_store(app)
    bad = _remote("2", created_at="not a date")  # a value no timestamp column takes, on either database
    good = _remote("3", created_at=datetime(2026, 11, 30))
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        results = [save_or_record(session, store_id, r.id, lambda r=r: upsert_order(session, store_id, r))
                   for r in (bad, good)]
    assert results[0] is None and results[1] is not None
    assert _order(app, "2") is None and _order(app, "3") is not None
    assert "order 2 not saved" in caplog.text


def test_an_order_id_longer_than_any_store_uses_is_refused_in_a_webhook_not_a_500(app, client):
    from tests.fixtures_woocommerce import make_woo_store
    from webhooks.signatures import base64_hmac_sha256

    store_id = make_woo_store(app, webhook_secret="woo-secret")
    body = b'{"id": "' + b"9" * 65 + b'", "status": "processing"}'
    response = client.post(f"/webhooks/woocommerce/{store_id}", data=body, content_type="application/json",
                           headers={"X-WC-Webhook-Signature": base64_hmac_sha256("woo-secret", body),
                                    "X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Delivery-ID": "1"})
    assert response.status_code == 400 and _order(app, "9" * 65) is None
