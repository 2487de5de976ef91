"""The Tiendanube sandbox enforces the platform facts (shared/tiendanube/README.md) over real HTTP."""
from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.tiendanube import APP_ID, CLIENT_SECRET
from sandbox.tiendanube.bucket import LeakyBucket
from sandbox.tiendanube.delivery import retry_gaps
from tests.helpers import wait_for

from .conftest import USER_AGENT


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


# --- calling the API ----------------------------------------------------------------------------------
def test_a_call_without_user_agent_is_refused(tn_store, api):
    answer = api(tn_store).request("GET", "orders", headers=api(tn_store).headers(**{"User-Agent": ""}))
    assert answer.status_code == 400
    assert "User-Agent" in answer.json()["description"]


@pytest.mark.parametrize("name, value", [
    ("Authorization", "Bearer {t}"), ("Authorization", "bearer {t}"), ("Authentication", "Bearer {t}"),
    ("Authentication", "{t}"), ("Authentication", "bearer wrong-token")])
def test_only_the_documented_credentials_header_is_accepted(tn_store, api, name, value):
    headers = {"User-Agent": USER_AGENT, name: value.format(t=tn_store.token)}
    answer = api(tn_store).request("GET", "orders", headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"code": 401, "message": "Unauthorized", "description": "Invalid access token"}
    assert "x-rate-limit-remaining" not in answer.headers


def test_the_documented_header_works_and_the_2026_reading_can_be_switched_on(tn_sandbox, tn_store, api):
    assert api(tn_store).request("GET", "orders").status_code in (200, 404)
    newer = tn_sandbox.create_store(auth_styles=("authentication", "authorization"))
    tn_sandbox.install(newer)
    headers = {"User-Agent": USER_AGENT, "Authorization": f"Bearer {newer.token}"}
    assert api(newer).request("GET", "webhooks", headers=headers).status_code == 200


def test_another_stores_token_is_refused(tn_sandbox, tn_store, api):
    other = tn_sandbox.create_store()
    tn_sandbox.install(other)
    headers = api(tn_store).headers(Authentication=f"bearer {other.token}")
    assert api(tn_store).request("GET", "webhooks", headers=headers).status_code == 401


def test_bodies_need_json_content_type_and_valid_json(tn_store, api):
    order = tn_store.create_order()
    fo_id = order["fulfillments"][0]
    resource = f"orders/{order['id']}/fulfillment-orders/{fo_id}"
    no_type = api(tn_store).request("PATCH", resource, data=b'{"status": "PACKED"}')
    assert no_type.status_code == 415
    bad = api(tn_store).request("PATCH", resource, data=b"{nope",
                                headers=api(tn_store).headers(**{"Content-Type": "application/json"}))
    assert (bad.status_code, bad.json()) == (400, {"error": "Problems parsing JSON"})
    assert tn_store.fulfillment_orders(order["id"])[0]["status"] == "UNPACKED"


def test_unknown_version_store_and_order(tn_store, api):
    assert api(tn_store, version="v9").request("GET", "orders").status_code == 404
    missing = api(tn_store).request("GET", "orders/1234567890")
    assert missing.status_code == 404
    assert missing.json()["description"] == "Order with such id does not exist"


# --- the leaky bucket -----------------------------------------------------------------------------------
def test_bucket_admits_40_then_429_and_drains_2_per_second(tn_sandbox, api):
    clock = FakeClock()
    store = tn_sandbox.create_store(bucket=LeakyBucket(40, 2.0, clock=clock))
    tn_sandbox.install(store)
    answers = [api(store).request("GET", "webhooks") for _ in range(41)]
    assert [a.status_code for a in answers[:40]] == [200] * 40
    assert answers[0].headers["x-rate-limit-limit"] == "40"
    assert answers[0].headers["x-rate-limit-remaining"] == "39"
    assert answers[39].headers["x-rate-limit-remaining"] == "0"
    assert answers[39].headers["x-rate-limit-reset"] == "20000"  # ms until the bucket is empty
    assert answers[40].status_code == 429
    clock.now += 0.5  # one drop leaks
    assert api(store).request("GET", "webhooks").status_code == 200
    assert api(store).request("GET", "webhooks").status_code == 429


def test_next_and_evolution_plans_get_ten_times_the_bucket():
    assert (LeakyBucket.for_plan("next").size, LeakyBucket.for_plan("next").leak) == (400, 20.0)
    assert LeakyBucket.for_plan("evolution").size == 400
    assert LeakyBucket.for_plan("basic").size == 40


def test_scripted_429_holds_the_bucket_and_announces_the_wait(tn_store, api):
    tn_store.add_fault("429", seconds=30)
    first = api(tn_store).request("GET", "webhooks")
    assert first.status_code == 429
    assert int(first.headers["x-rate-limit-reset"]) >= 29000
    assert first.headers["x-rate-limit-remaining"] == "0"
    assert api(tn_store).request("GET", "webhooks").status_code == 429  # still held, no fault left


# --- orders and fulfillment orders ----------------------------------------------------------------------
def test_orders_carry_both_date_formats_string_quantities_in_lists_and_ulid_fulfillment_orders(tn_store, api):
    order = tn_store.create_order([{"name": "Caneca", "quantity": 2, "location": "SP"},
                                   {"name": "Boné", "quantity": 1, "location": "RJ"}])
    single = api(tn_store).request("GET", f"orders/{order['id']}", params={"aggregates": "fulfillment_orders"}).json()
    assert single["created_at"].endswith("+0000")
    assert single["products"][0]["id"] > 2**32
    assert len(single["fulfillments"]) == 2 and all(len(i) == 26 for i in single["fulfillments"])
    assert single["fulfillment_orders"][0]["created_at"].endswith("+00:00")
    listed = api(tn_store).request("GET", "orders").json()
    assert listed[0]["products"][0]["quantity"] == "2"


def test_order_list_pages_with_link_and_an_empty_page_is_404(tn_store, api):
    for _ in range(3):
        tn_store.create_order()
    first = api(tn_store).request("GET", "orders", params={"per_page": 2})
    assert first.headers["x-total-count"] == "3"
    assert 'rel="next"' in first.headers["Link"]
    assert api(tn_store).request("GET", "orders", params={"per_page": 201}).status_code == 422
    empty = api(tn_store).request("GET", "orders", params={"created_at_min": "2099-01-01T00:00:00+00:00"})
    assert (empty.status_code, empty.json()["description"]) == (404, "Last page is 0")


def _patch(api, store, order, body, index=0):
    fo_id = store.fulfillment_orders(order["id"])[index]["id"]
    return api(store).request("PATCH", f"orders/{order['id']}/fulfillment-orders/{fo_id}", json=body)


@pytest.mark.parametrize("path, allowed", [
    (["DISPATCHED"], True), (["PACKED", "DISPATCHED"], True), (["PACKED", "UNPACKED"], True),
    (["DISPATCHED", "UNPACKED"], False), (["DISPATCHED", "PACKED"], False), (["READY_FOR_PICKUP"], False),
    (["DISPATCHED", "DELIVERED", "DISPATCHED"], False)])
def test_fulfillment_order_state_rules_for_shipping(tn_store, api, path, allowed):
    order = tn_store.create_order()
    answers = [_patch(api, tn_store, order, {"status": status}) for status in path]
    assert all(a.status_code == 200 for a in answers[:-1])
    assert (answers[-1].status_code == 200) is allowed
    if not allowed:
        assert answers[-1].json()["description"] == "Bad Request"
        assert tn_store.fulfillment_orders(order["id"])[0]["status"] == (path[-2] if len(path) > 1 else "UNPACKED")


def test_pickup_and_non_shippable_follow_their_own_flows(tn_store, api):
    pickup = tn_store.create_order(shipping_type="pickup")
    assert _patch(api, tn_store, pickup, {"status": "DISPATCHED"}).status_code == 400
    assert _patch(api, tn_store, pickup, {"status": "READY_FOR_PICKUP"}).status_code == 200
    digital = tn_store.create_order(shipping_type="non-shippable")
    assert _patch(api, tn_store, digital, {"status": "PACKED"}).status_code == 400
    assert _patch(api, tn_store, digital, {"status": "DELIVERED"}).status_code == 200


def test_dispatch_with_tracking_notifies_only_when_asked_and_corrections_keep_history(tn_store, api):
    order = tn_store.create_order()
    quiet = _patch(api, tn_store, order, {"status": "DISPATCHED", "tracking_info": {"code": "AA1", "url": "https://t.example/AA1"}})
    assert quiet.json()["tracking_info"]["code"] == "AA1" and tn_store.notifications == []
    fix = _patch(api, tn_store, order, {"tracking_info": {"code": "BB2", "notify_customer": True}})
    assert fix.status_code == 200
    fo = tn_store.fulfillment_orders(order["id"])[0]
    assert (fo["tracking_info"]["code"], fo["tracking_info_history"][0]["code"]) == ("BB2", "AA1")
    assert [n["code"] for n in tn_store.notifications] == ["BB2"]


def test_validation_and_cancelled_orders_and_unknown_fulfillment_orders(tn_store, api):
    order = tn_store.create_order()
    bad = _patch(api, tn_store, order, {"status": "SHIPPED", "tracking_info": {"code": "X", "url": "not a url"}})
    assert bad.status_code == 400 and set(bad.json()["messages"]) == {"status", "tracking_info.url"}
    tn_store.cancel_order(order["id"])
    cancelled = _patch(api, tn_store, order, {"status": "DISPATCHED"})
    assert cancelled.status_code == 400 and "cancelled" in cancelled.json()["message"]
    unknown = api(tn_store).request("PATCH", f"orders/{order['id']}/fulfillment-orders/01ZZZZZZZZZZZZZZZZZZZZZZZZ",
                                    json={"status": "DISPATCHED"})
    assert unknown.status_code == 404


def test_lost_response_applies_the_write(tn_store, api):
    order = tn_store.create_order()
    tn_store.add_fault("lost_response", method="PATCH", seconds=1.5)
    with pytest.raises(requests.Timeout):
        fo_id = tn_store.fulfillment_orders(order["id"])[0]["id"]
        requests.patch(f"{api(tn_store).base}/orders/{order['id']}/fulfillment-orders/{fo_id}",
                       json={"status": "DISPATCHED"}, headers=api(tn_store).headers(), timeout=0.5)
    assert tn_store.fulfillment_orders(order["id"])[0]["status"] == "DISPATCHED"


# --- webhooks -------------------------------------------------------------------------------------------
def test_webhook_crud_and_validation(tn_sandbox, api):
    strict = tn_sandbox.create_store()
    tn_sandbox.install(strict)
    bad = api(strict).request("POST", "webhooks", json={"event": "order/exploded", "url": "http://127.0.0.1/x"})
    assert bad.status_code == 422 and set(bad.json()) == {"event", "url"}
    own = api(strict).request("POST", "webhooks", json={"event": "order/paid", "url": "https://x.tiendanube.com/h"})
    assert own.status_code == 422
    created = api(strict).request("POST", "webhooks", json={"event": "order/paid", "url": "https://app.example/h"})
    assert created.status_code == 201
    webhook_id = created.json()["id"]
    moved = api(strict).request("PUT", f"webhooks/{webhook_id}", json={"url": "https://app.example/h2"})
    assert moved.json()["url"] == "https://app.example/h2"
    assert api(strict).request("DELETE", f"webhooks/{webhook_id}").json() == {}
    assert api(strict).request("GET", "webhooks").json() == []


def test_deliveries_are_signed_hex_hmac_of_the_raw_body(tn_sandbox, tn_store, api, receiver):
    api(tn_store).request("POST", "webhooks", json={"event": "order/created", "url": receiver.url})
    order = tn_store.create_order()
    hit = receiver.wait_for(1)[0]
    assert json.loads(hit["body"]) == {"store_id": tn_store.store_id, "event": "order/created", "id": order["id"]}
    expected = hmac.new(CLIENT_SECRET.encode(), hit["body"], hashlib.sha256).hexdigest()
    assert hit["headers"]["X-Linkedstore-Hmac-Sha256"] == expected


def test_failed_deliveries_are_retried_at_once_then_after_growing_gaps(tn_sandbox, tn_store, api, receiver):
    api(tn_store).request("POST", "webhooks", json={"event": "order/created", "url": receiver.url})
    receiver.fail_next(3)
    tn_store.create_order()
    hits = receiver.wait_for(4)
    assert [h["answered"] for h in hits] == [500, 500, 500, 200]
    assert len({h["body"] for h in hits}) == 1  # the same body every time
    gaps = [b["at"] - a["at"] for a, b in zip(hits, hits[1:])]
    scale = tn_sandbox.deliverer.time_scale
    assert gaps[1] >= 300 * scale * 0.9 and gaps[2] >= 600 * scale * 0.9  # never early (late is load)
    # The sandbox logs an attempt once its answer is back, a moment after the receiver saw it.
    wait_for(lambda: [d["attempt"] for d in tn_store.deliveries("order/created")] == [1, 2, 3, 4],
             message="the fourth attempt logged")


def test_retry_schedule_covers_48_hours_in_at_most_18_attempts():
    gaps = retry_gaps()
    assert gaps[:4] == [0.0, 300.0, 600.0, 900.0]
    assert gaps[4] == pytest.approx(900 * 1.4)
    assert len(gaps) + 1 <= 18
    assert sum(gaps) == pytest.approx(48 * 3600)


def test_uninstall_sends_app_uninstalled_then_drops_token_and_webhooks(tn_sandbox, tn_store, api, receiver):
    api(tn_store).request("POST", "webhooks", json={"event": "app/uninstalled", "url": receiver.url})
    tn_store.uninstall()
    body = json.loads(receiver.wait_for(1)[0]["body"])
    assert body == {"store_id": tn_store.store_id, "event": "app/uninstalled", "id": int(APP_ID)}
    assert tn_store.webhook_list() == []
    assert api(tn_store).request("GET", "webhooks").status_code == 401


# --- install --------------------------------------------------------------------------------------------
def _authorize(sandbox, store, state="s1") -> str:
    answer = requests.post(f"{sandbox.url}/apps/{APP_ID}/authorize", data={"store_id": store.store_id, "state": state},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == [state]
    return query["code"][0]


def _exchange(sandbox, **params) -> requests.Response:
    body = {"client_id": APP_ID, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code", **params}
    return requests.post(f"{sandbox.url}/apps/authorize/token", data={k: v for k, v in body.items() if v is not None},
                         timeout=10)


@pytest.fixture
def redirecting(tn_sandbox):
    tn_sandbox.redirect_url = "https://app.example/auth/tiendanube/callback"
    yield tn_sandbox
    tn_sandbox.redirect_url = ""


def test_reinstall_replaces_the_token(redirecting, api):
    store = redirecting.create_store()
    first = _exchange(redirecting, code=_authorize(redirecting, store)).json()
    assert first["token_type"] == "bearer" and first["user_id"] == store.store_id
    second = _exchange(redirecting, code=_authorize(redirecting, store), grant_type=None).json()  # no grant_type: ok
    assert second["access_token"] != first["access_token"]
    old = api(store).headers(Authentication=f"bearer {first['access_token']}")
    assert api(store).request("GET", "webhooks", headers=old).status_code == 401
    new = api(store).headers(Authentication=f"bearer {second['access_token']}")
    assert api(store).request("GET", "webhooks", headers=new).status_code == 200


def test_token_errors_come_in_a_200_body(redirecting):
    store = redirecting.create_store()
    code = _authorize(redirecting, store)
    wrong = _exchange(redirecting, code=code, client_secret="nope")
    assert (wrong.status_code, wrong.json()["error"]) == (200, "invalid_client")
    assert _exchange(redirecting, code=code).json()["access_token"]
    reused = _exchange(redirecting, code=code)
    assert (reused.status_code, reused.json()["error"]) == (200, "invalid_grant")
    in_query = requests.post(f"{redirecting.url}/apps/authorize/token", params={"code": code}, timeout=10)
    assert in_query.json()["error"] == "invalid_request"
    assert requests.get(f"{redirecting.url}/apps/authorize/token", timeout=10).status_code == 404


def test_codes_expire(redirecting):
    store = redirecting.create_store()
    redirecting.code_ttl = -1
    try:
        expired = _exchange(redirecting, code=_authorize(redirecting, store)).json()
    finally:
        redirecting.code_ttl = 300.0
    assert expired == {"error": "invalid_grant", "error_description": "The authorization code has expired"}


def test_a_merchant_who_accepted_once_skips_the_page(redirecting):
    store = redirecting.create_store()
    session = requests.Session()
    page = session.get(f"{redirecting.url}/apps/{APP_ID}/authorize", params={"state": "a"}, timeout=10)
    assert page.status_code == 200 and "Accept" in page.text
    session.post(f"{redirecting.url}/apps/{APP_ID}/authorize", data={"store_id": store.store_id, "state": "a"},
                 allow_redirects=False, timeout=10)
    again = session.get(f"{redirecting.url}/apps/{APP_ID}/authorize", params={"state": "b"}, allow_redirects=False,
                        timeout=10)
    assert again.status_code == 302 and "state=b" in again.headers["Location"]


def test_sandbox_deliveries_pass_the_connectors_own_checks(tn_store, api, receiver):
    from connectors.tiendanube import parse_webhook, verify_signature

    api(tn_store).request("POST", "webhooks", json={"event": "order/updated", "url": receiver.url})
    order = tn_store.create_order()
    tn_store.dispatch_in_admin(order["id"])
    hit = receiver.wait_for(1)[0]
    assert verify_signature(CLIENT_SECRET, hit["body"], hit["headers"]["X-Linkedstore-Hmac-Sha256"])
    assert parse_webhook(hit["body"]).order_id == str(order["id"])


# --- the control API (the demo and a sandbox run on its own) ------------------------------------------
def test_control_api_scripts_stores_orders_faults_and_readouts(tn_sandbox):
    control = f"{tn_sandbox.url}/_sandbox"
    store = requests.post(f"{control}/stores", json={"name": "Loja", "plan": "next"}, timeout=10).json()
    store_id = store["store_id"]
    try:
        assert store["plan"] == "next" and not store["installed"]
        token = requests.post(f"{control}/stores/{store_id}/token", timeout=10).json()["access_token"]
        order = requests.post(f"{control}/stores/{store_id}/orders",
                              json={"products": [{"name": "Caneca", "quantity": 2}]}, timeout=10).json()
        assert requests.post(f"{control}/stores/{store_id}/orders", json={"products": [{"quantity": 0}]},
                             timeout=10).status_code == 400
        requests.post(f"{control}/stores/{store_id}/faults", json={"kind": "503", "path": "orders"}, timeout=10)
        headers = {"Authentication": f"bearer {token}", "User-Agent": USER_AGENT}
        assert requests.get(f"{tn_sandbox.url}/2025-03/{store_id}/orders/{order['id']}", headers=headers,
                            timeout=10).status_code == 503
        answer = requests.get(f"{tn_sandbox.url}/2025-03/{store_id}/orders/{order['id']}", headers=headers, timeout=10)
        assert answer.headers["x-rate-limit-limit"] == "400"
        dispatched = requests.post(f"{control}/stores/{store_id}/orders/{order['id']}/dispatch", json={"code": "Z9"},
                                   timeout=10).json()
        assert dispatched[0]["tracking_info"]["code"] == "Z9"
        log = requests.get(f"{control}/stores/{store_id}/requests", timeout=10).json()
        assert [(r["status"], r["fault"]) for r in log] == [(503, "503"), (200, None)]
        assert requests.post(f"{control}/stores", json={"auth_styles": ["cookie"]}, timeout=10).status_code == 400
        assert requests.put(f"{control}/app", json={"code_ttl": "soon"}, timeout=10).status_code == 400
    finally:
        tn_sandbox.remove_store(store_id)
