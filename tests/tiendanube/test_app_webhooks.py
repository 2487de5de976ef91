"""POST /webhooks/tiendanube (issue 13 §5): signed deliveries only, ids read back by the
worker, repeats (Tiendanube retries for 48 hours) answered from the receipts, and the
privacy topics handled as Shopify's compliance topics are."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from connectors.tiendanube.webhooks import READ_BACK_WINDOW_SECONDS, delivery_key
from models import PENDING, UNINSTALLED, Order, Package, Store, WebhookReceipt
from tests.helpers import make_store
from tests.tiendanube.app_helpers import pending_tasks, post_tiendanube_webhook

STORE_ID = "2093261"


def _order(app, store_id: int, external_id: str, **fields) -> int:
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        order = Order(store_id=store_id, external_id=external_id, name="#101", line_items=[], **fields)
        session.add(order)
        session.flush()
        session.add(Package(store_id=store_id, order_id=order.id, external_id="PKG-1", tracking_number="TN1",
                            carrier="Correios", items=[{"line_item_id": "1", "quantity": 1}], status=PENDING))
        return order.id


def _receipts(app) -> int:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(func.count()).select_from(WebhookReceipt))


@pytest.fixture
def store(app):
    return make_store(app, "tiendanube", STORE_ID, access_token="tn-token")


def test_an_order_event_is_read_back_by_the_worker(app, client, store):
    answer = post_tiendanube_webhook(client, {"store_id": int(STORE_ID), "event": "order/created", "id": 1234567890})

    assert answer.status_code == 200 and answer.json == {"status": "read_back", "order_id": "1234567890"}
    assert [(name, args[:2]) for name, args in pending_tasks()] == [("import_order", (store, "1234567890"))]


def test_a_forged_delivery_changes_nothing(app, client, store):
    from connectors.tiendanube.webhooks import sign

    genuine = json.dumps({"store_id": STORE_ID, "event": "app/uninstalled", "id": "4242"}).encode()
    tampered = genuine.replace(b"4242", b"4243")

    assert post_tiendanube_webhook(client, genuine, secret="not-the-app-secret").status_code == 401
    assert post_tiendanube_webhook(client, genuine, signature="0" * 64).status_code == 401
    assert post_tiendanube_webhook(client, tampered, signature=sign(app.config["SETTINGS"].tiendanube_client_secret,
                                                                    genuine)).status_code == 401
    assert _receipts(app) == 0
    with app.extensions["db_sessionmaker"]() as session:
        assert session.get(Store, store).status != UNINSTALLED


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"event": "order/created", "id": 1}',
                                  b'{"store_id": 2093261, "event": "order/created"}',
                                  b'{"store_id": "abc", "event": "order/created", "id": 1}'])
def test_a_signed_body_that_is_not_a_delivery_is_a_400(app, client, store, body):
    assert post_tiendanube_webhook(client, body).status_code == 400
    assert pending_tasks() == [] and _receipts(app) == 0


def test_a_repeated_delivery_is_answered_without_new_work(app, client, store):
    payload = {"store_id": STORE_ID, "event": "order/updated", "id": "1234567890"}

    first = post_tiendanube_webhook(client, payload)
    again = post_tiendanube_webhook(client, {"id": 1234567890, "event": "order/updated", "store_id": int(STORE_ID)})

    assert first.status_code == again.status_code == 200 and again.json == {"duplicate": True}
    assert len(pending_tasks()) == 1 and _receipts(app) == 1


def test_order_updates_are_deduplicated_only_for_a_short_window():
    """The same body later is a new change of the order (Tiendanube sends only ids)."""
    payload = {"store_id": STORE_ID, "event": "order/updated", "id": "1"}
    now = 1_000_000 * READ_BACK_WINDOW_SECONDS

    assert delivery_key(payload, "order/updated", now) == delivery_key(payload, "order/updated", now + 1)
    assert delivery_key(payload, "order/updated", now) != delivery_key(payload, "order/updated",
                                                                       now + READ_BACK_WINDOW_SECONDS)
    cancelled = {**payload, "event": "order/cancelled"}
    assert delivery_key(cancelled, "order/cancelled", now) == delivery_key(cancelled, "order/cancelled", now + 86400)


def test_a_cancelled_order_holds_its_waiting_packages(app, client, store):
    order_id = _order(app, store, "1234567890")

    answer = post_tiendanube_webhook(client, {"store_id": STORE_ID, "event": "order/cancelled", "id": 1234567890})

    assert answer.status_code == 200 and answer.json == {"status": "cancelled", "order_id": "1234567890"}
    with app.extensions["db_sessionmaker"]() as session:
        order = session.get(Order, order_id)
        assert order.cancelled and order.packages[0].last_cause == "order_cancelled"


def test_app_uninstalled_stops_the_store_and_a_late_retry_after_reinstall_does_not(app, client, store):
    payload = {"store_id": STORE_ID, "event": "app/uninstalled", "id": "4242"}
    assert post_tiendanube_webhook(client, payload).json == {"uninstalled": STORE_ID}
    with app.extensions["db_sessionmaker"]() as session:
        stored = session.get(Store, store)
        assert stored.status == UNINSTALLED and stored.credentials_encrypted is None
    with app.extensions["db_sessionmaker"]() as session, session.begin():  # the merchant installs again
        session.get(Store, store).status = "active"

    retried = post_tiendanube_webhook(client, payload)  # the platform retries the old delivery for days

    assert retried.json == {"duplicate": True}
    with app.extensions["db_sessionmaker"]() as session:
        assert session.get(Store, store).status == "active"


def test_an_unknown_store_or_topic_is_acknowledged_and_ignored(app, client, store):
    assert post_tiendanube_webhook(client, {"store_id": "999", "event": "order/created", "id": 1}).json == {
        "ignored": "store not installed"}
    assert post_tiendanube_webhook(client, {"store_id": STORE_ID, "event": "product/created", "id": 1}).json == {
        "ignored": "product/created"}
    assert pending_tasks() == []


def test_customers_redact_erases_the_customers_personal_data(app, client, store):
    order_id = _order(app, store, "1234567890", customer_name="Ana Souza", customer_email="ana@example.com")
    payload = {"store_id": int(STORE_ID), "event": "customers/redact",
               "customer": {"id": 1, "email": "ana@example.com", "phone": "", "identification": ""},
               "orders_to_redact": [1234567890]}

    assert post_tiendanube_webhook(client, payload).json == {"redacted_orders": 1}
    with app.extensions["db_sessionmaker"]() as session:
        order = session.get(Order, order_id)
        assert (order.customer_name, order.customer_email) == (None, None)
        assert order.packages[0].tracking_number == "TN1"  # shipments stay


def test_customers_data_request_reports_what_shipsync_holds(app, client, store):
    _order(app, store, "1234567890", customer_name="Ana Souza", customer_email="ana@example.com")
    payload = {"store_id": STORE_ID, "event": "customers/data_request", "customer": {"id": 1, "email": "x@example.com"},
               "orders_requested": ["1234567890"], "checkouts_requested": [], "drafts_orders_requested": [],
               "data_request": {"id": 77}}

    report = post_tiendanube_webhook(client, payload).json["data_request"]

    assert report == [{"order": "#101", "customer_name": "Ana Souza", "customer_email": "ana@example.com",
                       "tracking_numbers": ["TN1"]}]


def test_store_redact_erases_only_an_uninstalled_store(app, client, store):
    payload = {"store_id": STORE_ID, "event": "store/redact"}

    assert post_tiendanube_webhook(client, payload).json == {"ignored": "store is installed"}
    post_tiendanube_webhook(client, {"store_id": STORE_ID, "event": "app/uninstalled", "id": "4242"})
    assert post_tiendanube_webhook(client, payload).json == {"redacting": True}
    assert ("redact_store", (store,)) in pending_tasks()
