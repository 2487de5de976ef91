"""The sandbox store keeps the real store's rules (shared/woocommerce samples), over real HTTP."""
from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from connectors.base import Credentials, StoreAccess
from connectors.woocommerce import WooCommerceConnector, signing
from sandbox.woocommerce.delivery import sign
from tests.helpers import wait_for


def call(store, key, method, route, params=(), body=None, *, url=None, timestamp=None, nonce=None):
    """A request signed the way the connector signs (OAuth 1.0a over http), for the URL it goes to."""
    target = url or f"{store.url}/wp-json/{route}"
    oauth = signing.oauth_parameters(method, target, list(params), key["consumer_key"],
                                     key["consumer_secret"], timestamp=timestamp, nonce=nonce)
    return requests.request(method, target, params=list(params) + oauth, json=body, timeout=10)


@pytest.fixture
def store(woo_sandbox):
    store = woo_sandbox.create_store(backend="shipment_tracking")
    yield store
    woo_sandbox.remove_store(store.name)


@pytest.fixture
def key(store):
    return store.issue_key()


class Receiver:
    """A tiny webhook receiver that records what it gets and answers ``status``."""

    def __init__(self):
        self.received, self.status = [], 200

        @Request.application
        def app(request):
            self.received.append({"t": time.monotonic(), "headers": dict(request.headers), "body": request.get_data()})
            return Response("ok", self.status)

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):
                pass

        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


# --- authentication --------------------------------------------------------------------------

def test_a_signed_request_is_served(store, key):
    order = store.create_order()
    response = call(store, key, "GET", f"wc/v3/orders/{order['id']}")
    assert response.status_code == 200 and response.json()["id"] == order["id"]


@pytest.mark.parametrize("how", ["basic", "query"])
def test_keys_sent_as_basic_or_query_are_ignored_over_http(store, key, how):
    order = store.create_order()
    url = f"{store.url}/wp-json/wc/v3/orders/{order['id']}"
    if how == "basic":
        response = requests.get(url, auth=(key["consumer_key"], key["consumer_secret"]), timeout=5)
    else:
        response = requests.get(url, params={"consumer_key": key["consumer_key"],
                                             "consumer_secret": key["consumer_secret"]}, timeout=5)
    assert (response.status_code, response.json()["code"]) == (401, "woocommerce_rest_cannot_view")
    posted = requests.post(f"{url}/notes", json={"note": "x"}, auth=(key["consumer_key"], key["consumer_secret"]),
                           timeout=5)
    assert (posted.status_code, posted.json()["code"]) == (401, "woocommerce_rest_cannot_create")


def test_oauth_refusals_carry_the_real_stores_codes(store, key):
    order = store.create_order()
    route = f"wc/v3/orders/{order['id']}"
    assert call(store, key, "GET", route, nonce="n-1").status_code == 200
    replay = call(store, key, "GET", route, nonce="n-1")
    assert replay.json()["message"] == "Invalid nonce - nonce has already been used."
    stale = call(store, key, "GET", route, timestamp=int(time.time()) - 20 * 60)
    assert (stale.status_code, stale.json()["message"]) == (401, "Invalid timestamp.")
    wrong = call(store, dict(key, consumer_secret="cs_wrong"), "GET", route)
    assert wrong.json() == {"code": "woocommerce_rest_authentication_error",
                            "message": "Invalid signature - provided signature does not match.",
                            "data": {"status": 401}}
    missing = requests.get(f"{store.url}/wp-json/{route}", params={"oauth_consumer_key": key["consumer_key"],
                                                                  "oauth_signature": "abc"}, timeout=5)
    assert missing.json()["code"] == "woocommerce_rest_authentication_missing_parameter"
    other_host = call(store, key, "GET", route, url=store.url.replace("127.0.0.1", "localhost") + "/wp-json/" + route)
    assert other_host.json()["message"] == "Invalid signature - provided signature does not match."


def test_a_read_only_key_cannot_write_and_a_revoked_key_is_unknown(store, key):
    order = store.create_order()
    reader = store.issue_key("read")
    assert call(store, reader, "GET", f"wc/v3/orders/{order['id']}").status_code == 200
    refused = call(store, reader, "PUT", f"wc/v3/orders/{order['id']}", body={"status": "completed"})
    assert (refused.status_code, refused.json()["message"]) == (
        401, "The API key provided does not have write permissions.")
    assert store.order_status(order["id"]) == "processing"
    store.revoke_key(key["consumer_key"])
    gone = call(store, key, "GET", f"wc/v3/orders/{order['id']}")
    assert (gone.status_code, gone.json()["message"]) == (401, "Consumer key is invalid.")


def test_a_customer_users_key_is_403(store):
    order = store.create_order()
    customer = store.issue_key(role="customer", user_id=2)
    response = call(store, customer, "GET", f"wc/v3/orders/{order['id']}")
    assert (response.status_code, response.json()["code"]) == (403, "woocommerce_rest_cannot_view")


# --- resources -------------------------------------------------------------------------------

def test_orders_are_paginated_with_the_wp_headers(store, key):
    ids = [store.create_order()["id"] for _ in range(5)]
    page = call(store, key, "GET", "wc/v3/orders", [("per_page", "2"), ("page", "3"), ("order", "asc")])
    assert page.headers["X-WP-Total"] == "5" and page.headers["X-WP-TotalPages"] == "3"
    assert [o["id"] for o in page.json()] == ids[4:]
    assert call(store, key, "GET", "wc/v3/orders", [("per_page", "101")]).status_code == 400


def test_shipment_tracking_duplicates_on_repost_and_ignores_date_shipped(store, key):
    order = store.create_order()
    route = f"wc-shipment-tracking/v3/orders/{order['id']}/shipment-trackings"
    body = {"tracking_provider": "UPS", "tracking_number": "1Z1", "date_shipped": "2020-01-01"}
    first, second = call(store, key, "POST", route, body=body), call(store, key, "POST", route, body=body)
    assert first.status_code == second.status_code == 201
    assert first.json()["tracking_id"] != second.json()["tracking_id"]
    assert first.json()["date_shipped"] == time.strftime("%Y-%m-%d", time.gmtime())
    assert first.json()["tracking_link"].startswith("https://www.ups.com/")
    assert len(call(store, key, "GET", route).json()) == 2
    unknown = call(store, key, "POST", route, body={"tracking_provider": "Nobody", "tracking_number": "X"}).json()
    assert (unknown["tracking_provider"], unknown["tracking_link"]) == ("", "")
    missing = call(store, key, "POST", route, body={"tracking_provider": "UPS"})
    assert (missing.status_code, missing.json()["code"]) == (400, "rest_missing_callback_param")
    bad_order = call(store, key, "POST", "wc-shipment-tracking/v3/orders/999/shipment-trackings", body=body)
    assert (bad_order.status_code, bad_order.json()["code"]) == (404, "woocommerce_rest_order_invalid_id")


def test_backends_are_switchable_and_absent_routes_are_rest_no_route(woo_sandbox, store, key):
    order = store.create_order()
    assert call(store, key, "GET", f"wc/v3/orders/{order['id']}/fulfillments").json()["code"] == "rest_no_route"
    index = requests.get(f"{store.url}/wp-json/", timeout=5).json()
    assert "wc-shipment-tracking/v3" in index["namespaces"] and index["home"] == store.url
    native = woo_sandbox.create_store(backend="native")
    try:
        nkey, norder = native.issue_key(), native.create_order([{"name": "A", "quantity": 2}])
        route = f"wc/v3/orders/{norder['id']}/fulfillments"
        item = norder["line_items"][0]["id"]
        made = call(native, nkey, "POST", route, body={"status": "fulfilled", "meta_data": [
            {"key": "_items", "value": [{"item_id": item, "qty": 2}]}, {"key": "_tracking_number", "value": "T"}]})
        assert made.status_code == 201 and made.json()["is_fulfilled"]
        meta = {m["key"]: m["value"] for m in native.order_json(norder["id"])["meta_data"]}
        assert meta["_fulfillment_status"] == "fulfilled"
        bad = call(native, nkey, "POST", route, body={"meta_data": [{"key": "_items", "value": [
            {"item_id": str(item), "qty": 1}]}]})
        assert (bad.status_code, bad.json()["message"]) == (400, "Invalid item.")
        assert "wc-shipment-tracking/v3" not in requests.get(f"{native.url}/wp-json/", timeout=5).json()["namespaces"]
    finally:
        woo_sandbox.remove_store(native.name)


# --- webhooks ----------------------------------------------------------------------------------

def test_creating_a_webhook_pings_before_answering_then_deliveries_are_signed(store, key, receiver):
    created = call(store, key, "POST", "wc/v3/webhooks", body={"name": "t", "topic": "order.updated",
                                                              "delivery_url": receiver.url, "secret": "s3cret"})
    assert created.status_code == 201 and "secret" not in created.json()
    assert [r["body"] for r in receiver.received] == [f"webhook_id={created.json()['id']}".encode()]
    assert "X-Wc-Webhook-Signature" not in receiver.received[0]["headers"]

    order = store.create_order()
    call(store, key, "PUT", f"wc/v3/orders/{order['id']}", body={"status": "completed"})
    delivery = wait_for(lambda: len(receiver.received) == 2 and receiver.received[1], message="delivery")
    headers = delivery["headers"]
    assert headers["X-Wc-Webhook-Signature"] == sign("s3cret", delivery["body"])
    assert (headers["X-Wc-Webhook-Topic"], headers["X-Wc-Webhook-Event"]) == ("order.updated", "updated")
    assert headers["X-Wc-Webhook-Source"] == store.url + "/" and headers["X-Wc-Webhook-Delivery-Id"]
    assert b"\\/" in delivery["body"] and json.loads(delivery["body"])["status"] == "completed"


def test_deliveries_are_built_at_delivery_time_and_coalesced(woo_sandbox, receiver):
    store = woo_sandbox.create_store(webhook_delay=0.5)
    try:
        key = store.issue_key()
        call(store, key, "POST", "wc/v3/webhooks", body={"topic": "order.updated", "delivery_url": receiver.url})
        order = store.create_order()
        store.update_order(order["id"], {"status": "on-hold"})
        store.update_order(order["id"], {"status": "completed"})
        woo_sandbox.wait_for_deliveries()
        bodies = [json.loads(r["body"]) for r in receiver.received[1:]]
        assert [b["status"] for b in bodies] == ["completed"]
    finally:
        woo_sandbox.remove_store(store.name)


def test_a_failing_webhook_is_disabled_and_register_webhooks_re_enables_it(woo_sandbox, receiver):
    store = woo_sandbox.create_store(max_webhook_failures=2)
    try:
        key = store.issue_key()
        access = StoreAccess("woocommerce", store.url, Credentials(key["consumer_key"], consumer_secret=key[
            "consumer_secret"], webhook_secret="whs"))
        connector = WooCommerceConnector(access, type("S", (), {"store_timeout_seconds": 5, "allow_http_stores": True})())
        connector.register_webhooks(receiver.url)
        receiver.status = 500
        order = store.create_order(notify=False)
        for attempt in range(4):
            assert [w["status"] for w in store.webhook_list() if w["topic"] == "order.updated"] == ["active"]
            store.update_order(order["id"], {"customer_note": str(attempt)})
            woo_sandbox.wait_for_deliveries()
        assert [w["status"] for w in store.webhook_list() if w["topic"] == "order.updated"] == ["disabled"]

        receiver.status = 200
        WooCommerceConnector(access, type("S", (), {"store_timeout_seconds": 5, "allow_http_stores": True})()).register_webhooks(receiver.url)
        assert sorted((w["topic"], w["status"]) for w in store.webhook_list()) == [
            ("order.created", "active"), ("order.deleted", "active"), ("order.updated", "active")]
        assert len(store.webhook_list()) == 3
    finally:
        woo_sandbox.remove_store(store.name)


# --- faults ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,status,content_type", [("503", 503, "text/html"), ("429", 429, "text/html"),
                                                      ("html", 200, "text/html"), ("403", 403, "text/html")])
def test_faults_answer_like_a_host_in_front_of_the_store(store, key, kind, status, content_type):
    order = store.create_order()
    store.add_fault(kind, retry_after=7)
    response = call(store, key, "GET", f"wc/v3/orders/{order['id']}")
    assert response.status_code == status and response.headers["Content-Type"].startswith(content_type)
    if kind in ("503", "429"):
        assert response.headers["Retry-After"] == "7"
    assert call(store, key, "GET", f"wc/v3/orders/{order['id']}").status_code == 200  # FIFO: used up


def test_a_lost_response_applies_the_request_and_a_timeout_does_not(store, key):
    order = store.create_order()
    route = f"wc-shipment-tracking/v3/orders/{order['id']}/shipment-trackings"
    store.add_fault("lost_response", method="POST", path="shipment-trackings", seconds=1.5)
    store.add_fault("timeout", method="POST", path="shipment-trackings", seconds=1.5)
    for _ in range(2):
        with pytest.raises(requests.Timeout):
            oauth = signing.oauth_parameters("POST", f"{store.url}/wp-json/{route}", [], key["consumer_key"],
                                             key["consumer_secret"])
            requests.post(f"{store.url}/wp-json/{route}", params=oauth, json={"tracking_number": "T"}, timeout=0.5)
    time.sleep(1.2)
    assert len(store.tracking_items(order["id"])) == 1  # the lost one happened, the timed-out one did not
    assert [r["fault"] for r in store.requests("POST")] == ["lost_response", "timeout"]


# --- wc-auth -----------------------------------------------------------------------------------

AUTH = {"app_name": "ShipSync", "scope": "read_write", "user_id": "u1", "return_url": "https://app.test/return",
        "callback_url": "https://app.test/callback"}


@pytest.mark.parametrize("change,message", [
    ({"return_url": None}, "Error: Missing parameter return_url."),
    ({"scope": "admin"}, "Error: Invalid scope admin."),
    ({"callback_url": "http://app.test/callback"}, "Error: The callback_url needs to be over SSL.")])
def test_the_authorize_page_refuses_bad_requests_with_a_401_page(store, change, message):
    params = {k: v for k, v in {**AUTH, **change}.items() if v is not None}
    response = requests.get(f"{store.url}/wc-auth/v1/authorize", params=params, timeout=5)
    assert response.status_code == 401 and message in response.text


def test_approving_posts_the_keys_and_returns_only_if_the_callback_answers_200(store, receiver):
    store.allow_http_callback = True
    params = {**AUTH, "callback_url": receiver.url}
    page = requests.get(f"{store.url}/wc-auth/v1/authorize", params=params, timeout=5)
    assert page.status_code == 200 and "Approve" in page.text
    approve = page.text.split('id="approve" href="')[1].split('"')[0].replace("&amp;", "&")
    granted = requests.get(approve, allow_redirects=False, timeout=10)
    assert granted.status_code == 302 and granted.headers["Location"] == "https://app.test/return?success=1&user_id=u1"
    posted = json.loads(receiver.received[-1]["body"])
    assert set(posted) == {"key_id", "user_id", "consumer_key", "consumer_secret", "key_permissions"}
    assert posted["user_id"] == "u1" and posted["consumer_key"] in store.keys

    receiver.status = 201  # not exactly 200: the store deletes the key it made
    refused = requests.get(f"{store.url}/wc-auth/v1/authorize", params={**params, "auto": "1"},
                           allow_redirects=False, timeout=10)
    assert refused.status_code == 401 and "unable to send the consumer data" in refused.text
    assert len(store.keys) == 1


# --- control API -------------------------------------------------------------------------------

def test_the_http_control_api(woo_sandbox):
    base = f"{woo_sandbox.url}/_sandbox"
    made = requests.post(f"{base}/stores", json={"backend": "none"}, timeout=5).json()
    name = made["name"]
    try:
        assert made["url"] == f"{woo_sandbox.url}/stores/{name}" and made["backend"] == "none"
        order = requests.post(f"{base}/stores/{name}/orders", json={"line_items": [{"name": "A", "quantity": 1}]},
                              timeout=5).json()
        requests.post(f"{base}/stores/{name}/faults", json={"kind": "503", "count": 2}, timeout=5)
        assert len(requests.get(f"{base}/stores/{name}", timeout=5).json()["faults"]) == 2
        key = requests.post(f"{base}/stores/{name}/keys", json={}, timeout=5).json()
        assert requests.post(f"{base}/stores/{name}/revoke", json={"consumer_key": key["consumer_key"]},
                             timeout=5).json() == {"revoked": 1}
        requests.put(f"{base}/stores/{name}/orders/{order['id']}", json={"status": "completed"}, timeout=5)
        seen = requests.get(f"{base}/stores/{name}/orders/{order['id']}", timeout=5).json()
        assert seen["order"]["status"] == "completed" and seen["trackings"] == [] and len(seen["notes"]) == 1
        assert requests.post(f"{base}/stores", json={"backend": "bogus"}, timeout=5).status_code == 400
    finally:
        woo_sandbox.remove_store(name)


def test_it_runs_standalone():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "sandbox.woocommerce", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        def demo():
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/_sandbox/stores/demo", timeout=1)
                return answer.json() if answer.status_code == 200 else None  # 404 until the demo store exists
            except requests.RequestException:
                return None
        store = wait_for(demo, timeout=15, message="standalone sandbox")
        assert len(store["orders"]) == 3
        index = requests.get(f"{store['url']}/wp-json/", timeout=5).json()
        assert index["home"] == store["url"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_basic_header_decodes_to_the_keys():
    assert base64.b64decode(signing.basic_auth_header("ck", "cs")[6:]) == b"ck:cs"


# --- what the real store did later (issue 9) -------------------------------------------------

def test_delivery_ids_are_shared_by_one_webhook_within_one_second(woo_sandbox, store):
    store.frozen_time = 1_800_000_000.0
    same = store.delivery_id(3)
    assert store.delivery_id(3) == same and store.delivery_id(4) != same and len(same) == 32
    store.frozen_time += 1
    assert store.delivery_id(3) != same


def test_the_tracking_plugin_can_be_switched_off_and_on_at_run_time(woo_sandbox, store, key):
    order = store.create_order(notify=False)
    route = f"wc-shipment-tracking/v3/orders/{order['id']}/shipment-trackings"
    control = f"{woo_sandbox.url}/_sandbox/stores/{store.name}/plugins"
    assert requests.post(control, json={"shipment_tracking": False}, timeout=5).status_code == 200
    gone = call(store, key, "GET", route)
    assert (gone.status_code, gone.json()["code"]) == (404, "rest_no_route")
    assert "wc-shipment-tracking/v3" not in requests.get(f"{store.url}/wp-json/", timeout=5).json()["namespaces"]
    assert requests.post(control, json={"shipment_tracking": True}, timeout=5).status_code == 200
    assert call(store, key, "GET", route).status_code == 200
    assert requests.post(control, json={"shipment_tracking": "off"}, timeout=5).status_code == 400


def test_ast_maps_a_known_custom_provider_to_its_own_and_lists_its_providers(store, key):
    order = store.create_order(notify=False)
    route = f"wc-shipment-tracking/v3/orders/{order['id']}/shipment-trackings"
    known = call(store, key, "POST", route, body={"custom_tracking_provider": "USPS", "tracking_number": "94001",
                                                  "custom_tracking_link": "https://label.example/94001"}).json()
    assert known["tracking_provider"] == "USPS" and known["tracking_link"].startswith("https://tools.usps.com/")
    unknown = call(store, key, "POST", route, body={"custom_tracking_provider": "Local Courier",
                                                    "tracking_number": "LC1",
                                                    "custom_tracking_link": "https://lc.example/LC1"}).json()
    assert (unknown["tracking_provider"], unknown["tracking_link"]) == ("", "https://lc.example/LC1")
    assert any(n["note"] == "Order was shipped with  and tracking number is: LC1" for n in store.note_list(order["id"]))
    providers = call(store, key, "GET", f"{route}/providers").json()
    assert "USPS" in providers["Global"]


def test_customer_notes_are_emailed_as_wordpress_renders_them(store, key):
    order = store.create_order([{"name": "Mug", "quantity": 13}], notify=False)
    call(store, key, "POST", f"wc/v3/orders/{order['id']}/notes", body={"note": "Sent 13x1", "customer_note": True})
    call(store, key, "POST", f"wc/v3/orders/{order['id']}/notes", body={"note": "private 2x2"})
    seen = store.customer_view(order["id"])
    assert "Sent 13×1" in seen and not any("2x2" in text or "2×2" in text for text in seen)
    assert any(text.startswith("A note has been added to your order\nSent 13×1") for text in seen)


def test_system_status_names_the_sites_language(woo_sandbox, key, store):
    store.language = "es_ES"
    answer = call(store, key, "GET", "wc/v3/system_status", params=[("_fields", "environment.language")])
    assert answer.json() == {"environment": {"language": "es_ES"}}
