"""POST /webhooks/labels: every answer of DESIGN §4, and bad input changes nothing."""
import json

import pytest
from sqlalchemy import func, select

from models import Order, Package, WebhookReceipt
from sync import queue
from tests.helpers import label_payload, make_store, post_label


@pytest.fixture
def store_id(app):
    return make_store(app)


def counts(db_session):
    return tuple(db_session.scalar(select(func.count()).select_from(model)) for model in (Package, Order, WebhookReceipt))


def test_a_label_is_accepted_recorded_and_queued(client, store_id, db_session):
    response = post_label(client, label_payload())
    assert response.status_code == 202
    assert response.json == {"package_id": "PKG-1", "status": "pending"}
    package = db_session.scalar(select(Package))
    assert (package.tracking_number, package.carrier, package.items) == (
        "1Z999AA10123456784", "UPS", [{"line_item_id": "13001", "quantity": 1}])
    assert package.order.external_id == "5001"
    # One task: the import of the order we had not seen, then the sync.
    (task,) = queue.huey.pending()
    assert task.name.endswith("label_accepted") and task.args == (store_id, package.id, "5001")


def test_the_same_event_again_answers_the_same_and_adds_no_work(client, store_id, db_session):
    first = post_label(client, label_payload())
    pending = queue.huey.pending_count()
    again = post_label(client, label_payload())
    assert again.status_code == 200 and again.json == first.json
    assert counts(db_session) == (1, 1, 1)
    assert queue.huey.pending_count() == pending


def test_gids_are_stored_as_the_numeric_ids(client, store_id, db_session):
    payload = label_payload(order_id="gid://shopify/Order/5001",
                            items=[{"line_item_id": "gid://shopify/LineItem/13001", "quantity": 2}])
    assert post_label(client, payload).status_code == 202
    package = db_session.scalar(select(Package))
    assert package.order.external_id == "5001" and package.items == [{"line_item_id": "13001", "quantity": 2}]


BAD_PAYLOADS = [
    ("no tracking number", lambda p: p["package"].update(tracking_number=""), "only packages with a label"),
    ("tracking missing", lambda p: p["package"].pop("tracking_number"), "only packages with a label"),
    ("no items", lambda p: p["package"].update(items=[]), "must contain products"),
    ("only empty items", lambda p: p["package"].update(items=[{"line_item_id": "1", "quantity": 0}]),
     "must contain products"),
    ("negative quantity", lambda p: p["package"].update(items=[{"line_item_id": "1", "quantity": -1}]), "quantity"),
    ("item without id", lambda p: p["package"].update(items=[{"quantity": 1}]), "line_item_id"),
    ("unknown event", lambda p: p.update(event="label.printed"), "event must be"),
    ("unknown platform", lambda p: p.update(platform="magento"), "platform must be"),
    ("no order", lambda p: p.pop("order_id"), "order_id is required"),
    ("package not an object", lambda p: p.update(package=[1]), "package must be an object"),
    ("bad tracking url", lambda p: p["package"].update(tracking_url="javascript:alert(1)"), "tracking_url"),
    ("NUL in the package id", lambda p: p["package"].update(id="PKG\x001"), "package.id must not contain NUL"),
    ("NUL in the tracking number", lambda p: p["package"].update(tracking_number="1Z\x00"), "NUL"),
    ("NUL in the order id", lambda p: p.update(order_id="50\x0001"), "order_id must not contain NUL"),
    ("NUL in the store", lambda p: p.update(store="acme\x00.myshopify.com"), "store must not contain NUL"),
    ("NUL in an item", lambda p: p["package"].update(items=[{"line_item_id": "1\x00", "quantity": 1}]), "NUL"),
]


@pytest.mark.parametrize("case,mutate,message", BAD_PAYLOADS, ids=[c[0] for c in BAD_PAYLOADS])
def test_bad_payloads_get_400_naming_the_rule_and_change_nothing(client, store_id, db_session, case, mutate, message):
    payload = label_payload()
    mutate(payload)
    response = post_label(client, payload)
    assert response.status_code == 400
    assert message in response.json["error"]
    assert counts(db_session) == (0, 0, 0)
    assert queue.huey.pending_count() == 0


def test_malformed_json_is_a_400(client, store_id, db_session):
    response = post_label(client, None, raw=b'{"event": "label.created",')
    assert response.status_code == 400 and "not valid JSON" in response.json["error"]
    assert counts(db_session) == (0, 0, 0)


def test_a_json_array_is_a_400(client, store_id):
    response = post_label(client, None, raw=b"[]")
    assert response.status_code == 400 and "JSON object" in response.json["error"]


def test_wrong_signature_is_401_and_stores_nothing(client, store_id, db_session):
    response = post_label(client, label_payload(), secret="not-the-secret")
    assert response.status_code == 401
    missing = client.post("/webhooks/labels", data=json.dumps(label_payload()), content_type="application/json")
    assert missing.status_code == 401
    assert counts(db_session) == (0, 0, 0)
    assert queue.huey.pending_count() == 0


def test_unknown_store_is_404(client, store_id, db_session):
    response = post_label(client, label_payload(store="other.myshopify.com"))
    assert response.status_code == 404 and "unknown store" in response.json["error"]
    assert counts(db_session) == (0, 0, 0)


def test_uninstalled_store_is_404(client, app, db_session):
    make_store(app, status="uninstalled")
    assert post_label(client, label_payload()).status_code == 404
    assert counts(db_session) == (0, 0, 0)


def test_oversized_body_is_413(client, store_id, db_session):
    payload = label_payload()
    payload["padding"] = "x" * (client.application.config["MAX_CONTENT_LENGTH"] + 1)
    response = post_label(client, payload)
    assert response.status_code == 413
    assert counts(db_session) == (0, 0, 0)


def test_a_new_tracking_number_for_a_synced_package_is_a_correction(client, store_id, db_session):
    post_label(client, label_payload())
    package = db_session.scalar(select(Package))
    package.status, package.fulfillment_id = "synced", "9001"
    db_session.commit()
    response = post_label(client, label_payload(tracking="1ZNEWTRACKING"))
    assert response.status_code == 202 and response.json["status"] == "pending"
    db_session.expire_all()
    package = db_session.scalar(select(Package))
    assert (package.tracking_number, package.corrected_from, package.fulfillment_id) == (
        "1ZNEWTRACKING", "1Z999AA10123456784", "9001")
    db_session.rollback()  # SQLite: let the request write
    again = post_label(client, label_payload(tracking="1ZNEWER"))  # before the first was written
    assert again.status_code == 202
    db_session.expire_all()
    assert db_session.scalar(select(Package)).corrected_from == "1Z999AA10123456784"  # what the store shows


def test_automatic_sync_off_keeps_the_package_for_a_manual_sync(client, app, db_session):
    make_store(app, settings={"auto_sync": False})
    response = post_label(client, label_payload())
    assert response.status_code == 202 and response.json["status"] == "requires_sync"
    package = db_session.scalar(select(Package))
    assert package.last_cause == "manual_sync"
    assert queue.huey.pending_count() == 1  # only the order import; no sync


def test_voiding_an_unknown_package_is_404(client, store_id):
    response = post_label(client, label_payload(event="label.voided", package_id="NOPE"))
    assert response.status_code == 404


def test_a_label_and_an_import_adding_the_same_order_at_once_end_with_one_row(app, store_id):
    """Two processes may both miss the order and insert it; the loser takes the winner's row.
    (SQLite serialises writers, so the race exists on PostgreSQL only.)"""
    from sqlalchemy import text

    from sync.orders import find_or_add_order

    engine = app.extensions["db_engine"]
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite's BEGIN IMMEDIATE makes the second writer wait: no race to lose")
    with app.extensions["db_sessionmaker"]() as session:
        lookup = session.scalar

        def lookup_while_another_writer_adds_it(statement):
            found = lookup(statement)
            if found is None:
                with engine.begin() as other:
                    other.execute(text("INSERT INTO orders (store_id, external_id, line_items, fulfillment_status, "
                                       "requires_sync, cancelled, placed_at, created_at, updated_at) VALUES "
                                       "(:s, '5001', '[]', 'unfulfilled', false, false, now(), now(), now())"),
                                  {"s": store_id})
                session.scalar = lookup  # only the first lookup races
            return found
        session.scalar = lookup_while_another_writer_adds_it
        order, added = find_or_add_order(session, store_id, "5001")
        session.commit()
        assert added is False and order.external_id == "5001"
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 1


def test_turning_automatic_sync_on_releases_the_packages_waiting_for_it(client, app):
    from tests.helpers import api_headers

    make_store(app, settings={"auto_sync": False})
    post_label(client, label_payload())
    headers = api_headers(app.config["SETTINGS"], "acme.myshopify.com")
    queued = queue.huey.pending_count()
    response = client.patch("/api/store/settings", json={"auto_sync": True}, headers=headers)
    assert response.status_code == 200 and response.json["settings"]["auto_sync"] is True
    with app.extensions["db_sessionmaker"]() as session:
        package = session.scalar(select(Package))
        assert (package.status, package.attempts) == ("pending", 0)
    assert queue.huey.pending_count() == queued + 1
    # Turning it on again (already on) releases nothing more.
    client.patch("/api/store/settings", json={"auto_sync": True}, headers=headers)
    assert queue.huey.pending_count() == queued + 1
