"""Labels → tracking on WooCommerce orders, end to end: the app (test client + a live server for the
store's callbacks), a real worker, and a sandbox store over HTTP, for each tracking backend."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import REAUTH_REQUIRED, REQUIRES_SYNC, SYNCED, Package, Store
from tests.fixtures_woocommerce import connect_woocommerce, create_woo_order, woo_label
from tests.helpers import post_label, wait_for

BACKENDS = ["native", "shipment_tracking", "none"]
# Where each backend writes its tracking record.
WRITE_ROUTE = {"native": "fulfillments", "shipment_tracking": "shipment-trackings", "none": "notes"}
LINES = [{"name": "Blue Mug", "quantity": 2, "sku": "MUG-BLUE"}, {"name": "Canvas Tote", "quantity": 1}]


def package(app, external_id="PKG-1") -> Package:
    with app.extensions["db_sessionmaker"]() as session:  # a fresh session: never hold SQLite's write lock
        row = session.scalar(select(Package).where(Package.external_id == external_id))
        if row is not None:
            row.attempt_log  # load before the session closes
            row.order
        return row


def new_order(app, store, **fields) -> dict:
    return create_woo_order(app, store, LINES, **fields)


def synced(app, external_id="PKG-1"):
    row = package(app, external_id)
    return row if row is not None and row.status == SYNCED else None


def held(app, external_id="PKG-1"):
    row = package(app, external_id)
    return row if row is not None and row.status == REQUIRES_SYNC else None


def records(store, order_id) -> list:
    """The tracking records the store holds for an order, whatever the backend."""
    if store.backend == "native":
        return [f for f in store.fulfillment_list(order_id)]
    if store.backend == "shipment_tracking":
        return store.tracking_items(order_id)
    return [n for n in store.note_list(order_id) if n["customer_note"]]


def tracking_numbers(store, order_id) -> list[str]:
    found = []
    for record in records(store, order_id):
        if store.backend == "native":
            found += [m["value"] for m in record["meta_data"] if m["key"] == "_tracking_number"]
        elif store.backend == "shipment_tracking":
            found.append(record["tracking_number"])
        else:
            found.append(re.search(r"Tracking number: (\S+?)\.(?:\n|$)", record["note"]).group(1))
    return found


@pytest.mark.parametrize("woo_store", BACKENDS, indirect=True)
def test_each_backend_writes_tracking_once_and_completes_only_when_everything_shipped(client, app, woo_connected,
                                                                                      worker):
    store = woo_connected.store
    order = new_order(app, store)
    assert post_label(client, woo_label(store, order, items=[(0, 2)], package_id="PKG-1", tracking="1ZAAA")
                      ).status_code == 202
    first = wait_for(lambda: synced(app, "PKG-1"), message="first package synced")
    assert tracking_numbers(store, order["id"]) == ["1ZAAA"]
    assert store.order_status(order["id"]) == "processing"  # the tote has not shipped
    api_order = client.get(f"/api/orders/{first.order_id}").json
    assert api_order["fulfillment_status"] == "partially_fulfilled"

    assert post_label(client, woo_label(store, order, items=[(1, 1)], package_id="PKG-2", tracking="1ZBBB")
                      ).status_code == 202
    second = wait_for(lambda: synced(app, "PKG-2"), message="second package synced")
    assert sorted(tracking_numbers(store, order["id"])) == ["1ZAAA", "1ZBBB"]
    assert store.order_status(order["id"]) == "completed"
    assert client.get(f"/api/orders/{second.order_id}").json["fulfillment_status"] == "fulfilled"
    assert first.fulfillment_id != second.fulfillment_id

    # Tracking is written before the status changes (completing emails the customer).
    writes = [(r["method"], r["route"]) for r in store.requests() if r["method"] in ("POST", "PUT")]
    status_change = writes.index(("PUT", f"wc/v3/orders/{order['id']}"))
    assert [w for w in writes[:status_change] if WRITE_ROUTE[store.backend] in w[1]]
    assert writes.count(("PUT", f"wc/v3/orders/{order['id']}")) == 1


@pytest.mark.parametrize("woo_store", BACKENDS, indirect=True)
def test_a_lost_response_does_not_duplicate_the_tracking(client, app, woo_connected, worker):
    store = woo_connected.store
    order = new_order(app, store)
    store.add_fault("lost_response", method="POST", path=WRITE_ROUTE[store.backend], seconds=2.5)
    post_label(client, woo_label(store, order))
    row = wait_for(lambda: synced(app), timeout=30, message="package synced after the lost response")
    assert tracking_numbers(store, order["id"]) == ["1Z999AA10123456784"]
    assert row.attempts == 2 and row.attempt_log[0].cause == "connection"
    assert store.order_status(order["id"]) == "completed"
    # One write, the one whose answer was lost: the retry found it instead of writing again.
    writes = [r for r in store.requests("POST") if WRITE_ROUTE[store.backend] in r["route"]
              and "[shipsync" not in str(r["body"])]  # the private ledger note is not the tracking
    assert [w["fault"] for w in writes] == ["lost_response"]




@pytest.mark.parametrize("fault,cause", [("html", "store_server"), ("403", "store_server"),
                                         ("timeout", "connection")])
def test_a_host_in_the_way_is_classified_and_retried(client, app, woo_connected, worker, fault, cause):
    store = woo_connected.store
    order = new_order(app, store)
    store.add_fault(fault, seconds=2.5)
    post_label(client, woo_label(store, order))
    row = wait_for(lambda: synced(app), timeout=30, message=f"synced after {fault}")
    assert row.attempt_log[0].cause == cause and row.attempt_log[0].outcome == "retry"
    assert len(store.tracking_items(order["id"])) == 1


def test_a_revoked_key_holds_the_package_until_the_merchant_reconnects(client, app, woo_connected, worker):
    store = woo_connected.store
    order = new_order(app, store)
    store.revoke_key()
    post_label(client, woo_label(store, order))
    row = wait_for(lambda: held(app), message="package held for the key")
    assert row.last_cause == "token_expired" and row.attempts == 0
    with app.extensions["db_sessionmaker"]() as session:
        assert session.get(Store, woo_connected.store_id).status == REAUTH_REQUIRED
    assert client.get(f"/api/orders/{row.order_id}").json["packages"][0]["error"]["cause"] == "token_expired"
    assert store.tracking_items(order["id"]) == []

    assert connect_woocommerce(client, store.url) == woo_connected.store_id  # the merchant reconnects
    row = wait_for(lambda: synced(app), message="held package synced after reconnecting")
    assert tracking_numbers(store, order["id"]) == ["1Z999AA10123456784"]
    assert store.order_status(order["id"]) == "completed"


def test_a_cancelled_order_is_a_store_configuration_problem(client, app, woo_connected, worker):
    store = woo_connected.store
    order = new_order(app, store, status="cancelled")
    post_label(client, woo_label(store, order))
    row = wait_for(lambda: held(app), message="package requires sync")
    assert (row.last_cause, row.attempts) == ("store_configuration", 1)
    assert "cancelled" in row.last_message
    assert store.tracking_items(order["id"]) == []


def test_an_unknown_order_is_invalid_data_and_not_retried(client, app, woo_connected, worker):
    store = woo_connected.store
    order = new_order(app, store)
    label = woo_label(store, order)
    label["order_id"] = "999999"
    post_label(client, label)
    row = wait_for(lambda: held(app), message="package requires sync")
    assert (row.last_cause, row.last_http_status, row.attempts) == ("invalid_data", 404, 1)


def test_voiding_a_label_removes_its_tracking(client, app, woo_connected, worker):
    store = woo_connected.store
    order = new_order(app, store)
    post_label(client, woo_label(store, order, items=[(0, 2)]))
    wait_for(lambda: synced(app), message="synced")
    notes_before = [n for n in store.note_list(order["id"]) if "[shipsync" in n["note"]]
    assert len(store.tracking_items(order["id"])) == 1 and len(notes_before) == 1
    post_label(client, woo_label(store, order, items=[(0, 2)], event="label.voided"))
    wait_for(lambda: store.tracking_items(order["id"]) == [], message="tracking removed")
    wait_for(lambda: not [n for n in store.note_list(order["id"]) if "[shipsync" in n["note"]],
             message="ledger note removed")
    row = wait_for(lambda: (p := package(app)) is not None and p.voided and p, message="package voided")
    assert row.fulfillment_id is None


def test_the_detected_tracking_backend_is_kept_so_later_syncs_skip_detection(client, app, woo_connected, worker):
    store = woo_connected.store
    first = new_order(app, store)
    post_label(client, woo_label(store, first))
    wait_for(lambda: synced(app), message="first package synced")
    with app.extensions["db_sessionmaker"]() as session:
        assert session.get(Store, woo_connected.store_id).options["tracking_backend"] == "shipment_tracking"
    second = new_order(app, store)
    before = len([r for r in store.requests("GET") if r["route"] == ""])
    post_label(client, woo_label(store, second, package_id="PKG-2", tracking="1ZSECOND"))
    wait_for(lambda: synced(app, "PKG-2"), message="second package synced")
    assert len([r for r in store.requests("GET") if r["route"] == ""]) == before  # no index read again
