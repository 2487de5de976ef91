"""The Tiendanube connector against the sandbox store, end to end over real HTTP."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest

from connectors.base import (CONNECTION, INVALID_DATA, RATE_LIMITED, STORE_CONFIGURATION, STORE_SERVER,
                             TOKEN_EXPIRED, ConnectorError, Item, Shipment)
from connectors.tiendanube import WEBHOOK_TOPICS
from connectors.tiendanube import orders as tn_orders
from sandbox.tiendanube.bucket import LeakyBucket

from .conftest import USER_AGENT


def shipment(order: dict, items=None, number="BR123456789", notify=True, package="PKG-1") -> Shipment:
    """A label for a sandbox order; ``items`` are (product index, quantity), default: everything."""
    products = order["products"]
    items = items if items is not None else [(i, int(p["quantity"])) for i, p in enumerate(products)]
    return Shipment(package_id=package, order_id=str(order["id"]), tracking_number=number, carrier="Correios",
                    tracking_url=f"https://rastreamento.example/{number}",
                    items=tuple(Item(str(products[i]["id"]), q) for i, q in items), notify_customer=notify)


def patches(store) -> list[dict]:
    return store.requests("PATCH")


def fos(store, order) -> list[dict]:
    return store.fulfillment_orders(order["id"])


TWO_LOCATIONS = [{"name": "Caneca", "quantity": 2, "location": "São Paulo"},
                 {"name": "Boné", "quantity": 1, "location": "Rio"}]


# --- orders --------------------------------------------------------------------------------------------
def test_fetch_order_reads_ids_quantities_and_dates(tn_store, connect):
    order = tn_store.create_order(TWO_LOCATIONS)
    remote = connect(tn_store).fetch_order(str(order["id"]))
    assert remote.id == str(order["id"]) and remote.name == f"#{order['number']}"
    assert [(li.id, li.quantity) for li in remote.line_items] == [(str(p["id"]), p["quantity"])
                                                                 for p in order["products"]]
    assert remote.fulfillment_status == "unfulfilled" and not remote.cancelled
    assert isinstance(remote.created_at, datetime) and remote.created_at.tzinfo is None
    assert remote.customer_name == "Ana Souza"


def test_every_call_names_the_app_and_a_contact(tn_store, connect):
    order = tn_store.create_order()
    connect(tn_store).fetch_order(str(order["id"]))
    assert {r["user_agent"] for r in tn_store.requests()} == {USER_AGENT}


def test_list_open_orders_follows_pages_and_an_empty_window_is_no_orders(tn_store, connect, monkeypatch):
    monkeypatch.setattr(tn_orders, "PAGE_SIZE", 2)
    made = [tn_store.create_order() for _ in range(5)]
    tn_store.cancel_order(made[0]["id"])
    listed = list(connect(tn_store).list_open_orders(datetime.utcnow() - timedelta(hours=1)))
    assert sorted(o.id for o in listed) == sorted(str(o["id"]) for o in made[1:])
    assert all(li.quantity == 1 for o in listed for li in o.line_items)  # "1" in lists
    assert list(connect(tn_store).list_open_orders(datetime.utcnow() + timedelta(days=1))) == []


def test_list_changed_orders_is_every_status_updated_in_the_window_over_every_page(tn_store, connect, monkeypatch):
    monkeypatch.setattr(tn_orders, "PAGE_SIZE", 2)
    made = [tn_store.create_order() for _ in range(5)]
    tn_store.cancel_order(made[0]["id"])
    with tn_store.lock:  # one order last touched two days ago: outside the window
        tn_store.orders[made[4]["id"]]["updated_at"] -= timedelta(days=2)
    listed = {o.id: o for o in connect(tn_store).list_changed_orders(datetime.utcnow() - timedelta(hours=1))}
    assert sorted(listed) == sorted(str(o["id"]) for o in made[:4])
    assert listed[str(made[0]["id"])].cancelled and not listed[str(made[1]["id"])].cancelled
    assert len(tn_store.requests("GET", "orders")) >= 2  # followed Link: rel=next
    assert {r["query"].get("status") for r in tn_store.requests("GET", "orders")} == {"any"}
    assert list(connect(tn_store).list_changed_orders(datetime.utcnow() + timedelta(days=1))) == []


def test_the_store_read_names_the_owner_and_the_admins_host(tn_store, connect):
    connector = connect(tn_store)
    assert connector.learned_options == {}
    assert connector.contact_email() == f"dono@loja{tn_store.store_id}.example"
    assert connector.learned_options == {"admin_domain": f"loja{tn_store.store_id}.lojavirtualnuvem.com.br"}
    assert tn_store.requests("GET", "store")[-1]["query"] == {"fields": "email,contact_email,original_domain"}


@pytest.mark.parametrize("original_domain,host", [
    ("minhaloja.lojavirtualnuvem.com.br", "minhaloja.lojavirtualnuvem.com.br"),
    ("https://MiTienda.mitiendanube.com/", "mitienda.mitiendanube.com"),
    ("pokeloja.nuvemshop.com.br", "pokeloja.nuvemshop.com.br"),  # the old docs' example
    ("evil.example/x?y", None), ("javascript:alert(1)", None), ("localhost", None), ("", None), (42, None),
])
def test_only_a_host_name_becomes_the_admins_address(original_domain, host):
    from connectors.tiendanube import admin_links

    assert admin_links.admin_domain({"original_domain": original_domain}) == host
    expected = f"https://{host}/admin/v2/orders/123" if host else None
    assert admin_links.order_url(host, "123") == expected


# --- tracking on fulfillment orders ------------------------------------------------------------------
def test_a_label_dispatches_its_fulfillment_order_with_tracking_and_notifies_once(tn_store, connect):
    order = tn_store.create_order()
    label = shipment(order)
    connector = connect(tn_store)
    assert connector.find_fulfillment(label) is None
    result = connector.create_fulfillment(label)
    fo = fos(tn_store, order)[0]
    assert result.fulfillment_id == fo["id"] and result.order_fulfillment_status == "fulfilled"
    assert fo["status"] == "DISPATCHED"
    assert fo["tracking_info"] == {"code": "BR123456789", "url": "https://rastreamento.example/BR123456789",
                                   "carrier": "Correios"}
    assert [n["code"] for n in tn_store.notifications] == ["BR123456789"]
    assert connector.find_fulfillment(label).fulfillment_id == fo["id"]


def test_the_merchants_notify_setting_is_honoured(tn_store, connect):
    order = tn_store.create_order()
    connect(tn_store).create_fulfillment(shipment(order, notify=False))
    assert fos(tn_store, order)[0]["status"] == "DISPATCHED" and tn_store.notifications == []
    assert patches(tn_store)[0]["body"]["tracking_info"]["notify_customer"] is False


def test_a_label_goes_only_to_the_fulfillment_order_holding_its_items(tn_store, connect):
    order = tn_store.create_order(TWO_LOCATIONS)
    result = connect(tn_store).create_fulfillment(shipment(order, items=[(1, 1)]))
    sao_paulo, rio = fos(tn_store, order)
    assert (sao_paulo["status"], rio["status"]) == ("UNPACKED", "DISPATCHED")
    assert result.fulfillment_id == rio["id"] and result.order_fulfillment_status == "partially_fulfilled"
    assert len(patches(tn_store)) == 1


def test_a_package_spanning_two_fulfillment_orders_is_split_into_one_write_each(tn_store, connect):
    order = tn_store.create_order(TWO_LOCATIONS)
    result = connect(tn_store).create_fulfillment(shipment(order))
    assert [fo["status"] for fo in fos(tn_store, order)] == ["DISPATCHED", "DISPATCHED"]
    assert {fo["tracking_info"]["code"] for fo in fos(tn_store, order)} == {"BR123456789"}
    assert len(patches(tn_store)) == 2 and len(tn_store.notifications) == 1
    assert result.order_fulfillment_status == "fulfilled"


def test_a_split_whose_second_write_failed_is_finished_not_repeated(tn_store, connect):
    order = tn_store.create_order(TWO_LOCATIONS)
    second = fos(tn_store, order)[1]["id"]
    tn_store.add_fault("503", method="PATCH", path=second)
    label = shipment(order)
    with pytest.raises(ConnectorError) as failed:
        connect(tn_store).create_fulfillment(label)
    assert failed.value.cause == STORE_SERVER
    assert connect(tn_store).find_fulfillment(label) is None  # half done is not done
    connect(tn_store).create_fulfillment(label)
    assert [fo["status"] for fo in fos(tn_store, order)] == ["DISPATCHED", "DISPATCHED"]
    first_id = fos(tn_store, order)[0]["id"]
    assert len([p for p in patches(tn_store) if first_id in p["resource"]]) == 1
    assert len(tn_store.notifications) == 1  # the customer is not told twice


@pytest.mark.parametrize("products, items", [
    ([{"name": "Caneca", "quantity": 2}], [(0, 1)]),  # one unit of two
    ([{"name": "Caneca", "quantity": 1}, {"name": "Boné", "quantity": 1}], [(0, 1)]),  # one line of two
    (TWO_LOCATIONS + [{"name": "Meia", "quantity": 1, "location": "Rio"}], [(0, 2), (1, 1)]),  # all of one, part of another
])
def test_a_package_covering_part_of_a_fulfillment_order_writes_nothing_and_says_why(tn_store, connect, products, items):
    order = tn_store.create_order(products)
    with pytest.raises(ConnectorError) as refused:
        connect(tn_store).create_fulfillment(shipment(order, items=items))
    assert refused.value.cause == STORE_CONFIGURATION
    assert "only part of Tiendanube shipment" in refused.value.message
    assert patches(tn_store) == []
    assert {fo["status"] for fo in fos(tn_store, order)} == {"UNPACKED"}


def test_a_lost_answer_is_read_back_and_never_written_twice(tn_store, connect):
    order = tn_store.create_order()
    tn_store.add_fault("lost_response", method="PATCH", seconds=1.5)  # past the 1 s timeout
    label = shipment(order)
    result = connect(tn_store).create_fulfillment(label)
    assert result.fulfillment_id == fos(tn_store, order)[0]["id"]
    assert connect(tn_store).find_fulfillment(label) is not None
    connect(tn_store).create_fulfillment(label)  # a retry by the engine
    assert len(patches(tn_store)) == 1 and len(tn_store.notifications) == 1


def test_a_timeout_that_did_not_write_stays_a_connection_failure(tn_store, connect):
    order = tn_store.create_order()
    tn_store.add_fault("timeout", method="PATCH", seconds=1.5)
    with pytest.raises(ConnectorError) as failed:
        connect(tn_store).create_fulfillment(shipment(order))
    assert failed.value.cause == CONNECTION and failed.value.transient
    assert fos(tn_store, order)[0]["status"] == "UNPACKED"
    assert tn_store.requests("GET")[-1]["resource"].endswith(fos(tn_store, order)[0]["id"])  # it looked first


def test_items_not_yet_in_fulfillment_orders_are_a_passing_failure(tn_store, connect):
    order = tn_store.create_order(route=False)
    with pytest.raises(ConnectorError) as early:
        connect(tn_store).create_fulfillment(shipment(order))
    assert early.value.cause == STORE_SERVER
    tn_store.route_order(order["id"])
    connect(tn_store).create_fulfillment(shipment(order))
    assert fos(tn_store, order)[0]["status"] == "DISPATCHED"


# --- causes ----------------------------------------------------------------------------------------
def test_unknown_and_cancelled_orders_and_foreign_items_map_onto_causes(tn_store, connect):
    connector = connect(tn_store)
    order = tn_store.create_order()
    with pytest.raises(ConnectorError) as unknown:
        connector.create_fulfillment(Shipment("P", "1234567890", "X1", "Correios", None, (Item("1", 1),)))
    assert unknown.value.cause == INVALID_DATA and "no order 1234567890" in unknown.value.message
    with pytest.raises(ConnectorError) as foreign:
        connector.create_fulfillment(Shipment("P", str(order["id"]), "X1", "Correios", None, (Item("42", 1),)))
    assert foreign.value.cause == INVALID_DATA and "not on this Tiendanube order" in foreign.value.message
    with pytest.raises(ConnectorError) as too_many:
        connector.create_fulfillment(shipment(order, items=[(0, 3)]))
    assert too_many.value.cause == INVALID_DATA and "holds 1" in too_many.value.message
    tn_store.cancel_order(order["id"])
    assert connector.fetch_order(str(order["id"])).cancelled
    with pytest.raises(ConnectorError) as cancelled:
        connector.create_fulfillment(shipment(order))
    assert cancelled.value.cause == STORE_CONFIGURATION and "cancelled" in cancelled.value.message
    assert patches(tn_store) == []


def test_a_fulfillment_order_the_merchant_dispatched_with_another_code(tn_store, connect):
    order = tn_store.create_order()
    tn_store.dispatch_in_admin(order["id"], code="MERCHANT-77")
    label = shipment(order)
    assert connect(tn_store).find_fulfillment(label) is None
    with pytest.raises(ConnectorError) as taken:
        connect(tn_store).create_fulfillment(label)
    assert taken.value.cause == STORE_CONFIGURATION
    assert "MERCHANT-77" in taken.value.message and "correct the tracking code" in taken.value.message
    assert fos(tn_store, order)[0]["tracking_info"]["code"] == "MERCHANT-77"


def test_a_pickup_order_takes_no_tracking(tn_store, connect):
    order = tn_store.create_order(shipping_type="pickup")
    with pytest.raises(ConnectorError) as pickup:
        connect(tn_store).create_fulfillment(shipment(order))
    assert pickup.value.cause == STORE_CONFIGURATION and "pickup" in pickup.value.message
    assert patches(tn_store) == []


# --- tokens ----------------------------------------------------------------------------------------
def test_a_replaced_token_means_reauthorization(tn_sandbox, tn_store, connect):
    order = tn_store.create_order()
    old = connect(tn_store)
    tn_sandbox.install(tn_store)  # re-install: a new token, the old one dies
    with pytest.raises(ConnectorError) as refused:
        old.fetch_order(str(order["id"]))
    assert refused.value.cause == TOKEN_EXPIRED and refused.value.http_status == 401
    assert tn_store.token not in refused.value.message + (refused.value.detail or "")
    with pytest.raises(ConnectorError) as refresh:
        old.refresh_credentials()
    assert refresh.value.cause == TOKEN_EXPIRED
    assert connect(tn_store).fetch_order(str(order["id"])).id == str(order["id"])


def test_the_2026_header_reading_is_found_and_remembered(tn_sandbox, connect):
    store = tn_sandbox.create_store(auth_styles=("authorization",))
    tn_sandbox.install(store)
    order = store.create_order()
    first = connect(store)
    first.fetch_order(str(order["id"]))
    assert first.learned_options == {"auth_style": "authorization"}
    assert [r["status"] for r in store.requests()] == [401, 200]
    connect(store, options=first.learned_options).fetch_order(str(order["id"]))
    assert [r["status"] for r in store.requests()][2:] == [200]  # straight to the header that works


# --- the bucket ------------------------------------------------------------------------------------
def test_rate_status_comes_from_the_headers(tn_store, connect):
    connector = connect(tn_store)
    assert connector.rate_status is None
    connector.fetch_order(str(tn_store.create_order()["id"]))
    status = connector.rate_status
    assert (status.available, status.maximum, status.spent) == (39.0, 40.0, 1.0)
    assert status.restore_rate == pytest.approx(2.0, rel=0.2)


def test_the_shared_budget_reserves_a_syncs_requests_and_settles_on_the_headers(tn_store, connect):
    """Issue 11's per-store budget, in requests: a sync reserves what it may spend, gets back
    what it did not, and the store's x-rate-limit-remaining caps what the budget believes."""
    from connectors.base import Item, Shipment
    from sync.rate_budget import RateBudget

    order = tn_store.create_order([{"name": "Caneca", "quantity": 1}])
    shipment = Shipment("PKG-1", str(order["id"]), "BR1", "Correios", None,
                        (Item(str(order["products"][0]["id"]), 1),))
    connector, budget = connect(tn_store), RateBudget()
    cost = connector.requested_cost(shipment)
    assert cost == 3.0  # the order read, one dispatch, one possible read-back

    assert budget.reserve(1, cost) == 0.0  # nothing known yet: the first answer tells
    connector.create_fulfillment(shipment)
    budget.settle(1, cost, connector.rate_status)

    assert connector.rate_status.spent == 2.0  # read + dispatch: the read-back was not needed
    bucket = budget.buckets._buckets[1]
    assert bucket.maximum == 40.0 and bucket.available <= connector.rate_status.available
    assert budget.reserve(1, 45.0) > 0  # more than the bucket holds: wait, never a 429


def test_a_short_429_is_waited_out_as_the_store_says(tn_store, connect):
    order = tn_store.create_order()
    tn_store.add_fault("429", seconds=0.4)
    connect(tn_store).fetch_order(str(order["id"]))
    log = tn_store.requests()
    assert [r["status"] for r in log] == [429, 200]
    assert log[1]["monotonic"] - log[0]["monotonic"] >= 0.4


def test_a_long_429_goes_back_to_the_engine_with_the_stores_wait(tn_store, connect):
    order = tn_store.create_order()
    tn_store.add_fault("429", seconds=5)
    with pytest.raises(ConnectorError) as limited:
        connect(tn_store).fetch_order(str(order["id"]))
    assert limited.value.cause == RATE_LIMITED
    assert limited.value.retry_after == pytest.approx(5, abs=0.2)
    assert len(tn_store.requests()) == 1


def test_a_burst_past_the_bucket_is_paced_instead_of_refused(tn_sandbox, connect):
    store = tn_sandbox.create_store(bucket=LeakyBucket(5, 20.0))
    tn_sandbox.install(store)
    order = store.create_order()
    connector = connect(store)
    started = time.monotonic()
    for _ in range(15):
        connector.fetch_order(str(order["id"]))
    assert [r["status"] for r in store.requests()] == [200] * 15
    assert time.monotonic() - started >= (15 - 5) / 20.0 * 0.8  # it did wait for the bucket


# --- corrections, voids, webhooks ------------------------------------------------------------------
def test_update_tracking_corrects_every_fulfillment_order_of_the_package(tn_store, connect):
    order = tn_store.create_order(TWO_LOCATIONS)
    first = connect(tn_store).create_fulfillment(shipment(order))
    corrected = shipment(order, number="BR999")
    result = connect(tn_store).update_tracking(first.fulfillment_id, corrected)
    assert result.fulfillment_id == first.fulfillment_id
    assert [fo["tracking_info"]["code"] for fo in fos(tn_store, order)] == ["BR999", "BR999"]
    assert [fo["tracking_info_history"][0]["code"] for fo in fos(tn_store, order)] == ["BR123456789"] * 2
    assert all(fo["status"] == "DISPATCHED" for fo in fos(tn_store, order))
    count = len(patches(tn_store))
    connect(tn_store).update_tracking(first.fulfillment_id, corrected)  # again: nothing to do
    assert len(patches(tn_store)) == count


def test_a_dispatched_fulfillment_order_cannot_be_voided_and_says_so(tn_store, connect):
    order = tn_store.create_order()
    result = connect(tn_store).create_fulfillment(shipment(order))
    with pytest.raises(ConnectorError) as refused:
        connect(tn_store).cancel_fulfillment(str(order["id"]), result.fulfillment_id)
    assert refused.value.cause == STORE_CONFIGURATION and "cannot undo" in refused.value.message
    other = tn_store.create_order()
    connect(tn_store).cancel_fulfillment(str(other["id"]), fos(tn_store, other)[0]["id"])  # never dispatched: fine


def test_webhooks_are_registered_once_each_also_after_a_reinstall(tn_sandbox, tn_store, connect, receiver):
    connect(tn_store).register_webhooks(receiver.url)
    connect(tn_store).register_webhooks(receiver.url)
    assert sorted(w["event"] for w in tn_store.webhook_list()) == sorted(WEBHOOK_TOPICS)
    assert {w["url"] for w in tn_store.webhook_list()} == {receiver.url}
    tn_store.add_webhook("order/created", receiver.url)  # a duplicate left by an older install
    tn_store.add_webhook("order/updated", "http://127.0.0.1:1/old-app-url")
    connect(tn_store).register_webhooks(receiver.url)
    assert sorted((w["event"], w["url"]) for w in tn_store.webhook_list()) == sorted(
        (t, receiver.url) for t in WEBHOOK_TOPICS)
    tn_store.uninstall()
    tn_sandbox.install(tn_store)
    connect(tn_store).register_webhooks(receiver.url)
    assert sorted(w["event"] for w in tn_store.webhook_list()) == sorted(WEBHOOK_TOPICS)


def test_registration_refused_by_the_store_is_invalid_data(tn_sandbox, connect):
    strict = tn_sandbox.create_store()
    tn_sandbox.install(strict)
    with pytest.raises(ConnectorError) as refused:
        connect(strict).register_webhooks("http://127.0.0.1:9/webhooks/tiendanube")
    assert refused.value.cause == INVALID_DATA and refused.value.http_status == 422
    assert "invalid url" in refused.value.message


def test_parallel_workers_share_one_bucket_and_meet_almost_no_429s(tn_sandbox, connect):
    """A mass sync: a connector per package (as the engine makes them), four threads, one
    store bucket (scaled: 10 deep, 20/s). Every package lands once; ≤ 1 % of calls meet a 429."""
    store = tn_sandbox.create_store(bucket=LeakyBucket(10, 20.0))
    tn_sandbox.install(store)
    orders = [store.create_order() for _ in range(40)]
    failures = []

    def work(chunk):
        for order in chunk:
            label = shipment(order, package=f"PKG-{order['id']}")
            try:  # a roomy timeout: on a loaded machine a 1 s one failed calls that were not late to the bucket
                if connect(store, timeout=10.0).find_fulfillment(label) is None:
                    connect(store, timeout=10.0).create_fulfillment(label)
            except ConnectorError as exc:  # pragma: no cover - reported below
                failures.append(exc)

    threads = [threading.Thread(target=work, args=(orders[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    log = store.requests()
    assert failures == []
    assert all(fos(store, o)[0]["status"] == "DISPATCHED" for o in orders)
    assert len(patches(store)) == 40
    assert sum(r["status"] == 429 for r in log) <= len(log) // 100


def test_a_turn_too_far_off_goes_back_to_the_engine_without_calling(tn_sandbox, connect):
    store = tn_sandbox.create_store(bucket=LeakyBucket(2, 0.1))
    tn_sandbox.install(store)
    order = store.create_order()
    connector = connect(store, max_pause=0.5)
    connector.fetch_order(str(order["id"]))
    connector.fetch_order(str(order["id"]))
    with pytest.raises(ConnectorError) as paced:
        connect(store, max_pause=0.5).fetch_order(str(order["id"]))  # a new connector knows too
    assert paced.value.cause == RATE_LIMITED and paced.value.retry_after > 0.5
    assert len(store.requests()) == 2


def test_an_unpaid_store_is_a_configuration_cause(tn_store, connect):
    order = tn_store.create_order()
    tn_store.suspended = True
    with pytest.raises(ConnectorError) as unpaid:
        connect(tn_store).fetch_order(str(order["id"]))
    assert unpaid.value.cause == STORE_CONFIGURATION and unpaid.value.http_status == 402
    assert "bill" in unpaid.value.message
