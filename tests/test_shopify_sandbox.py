"""The sandbox Shopify enforces Shopify's rules: auth, schema, cost, fulfillment orders, faults."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.shopify import RemoteStore, SandboxControlError
from sandbox.shopify.oauth import callback_hmac
from tests.fixtures_shopify import SHOP

CREATE = """mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) {
  fulfillment { id status order { displayFulfillmentStatus } } userErrors { field message } } }"""
CANCEL = "mutation($id: ID!) { fulfillmentCancel(id: $id) { fulfillment { id status } userErrors { message } } }"
SHOP_NAME = "query ShopName { shop { name } }"


@pytest.fixture
def token(shopify_store):
    shopify_store.create_shop(SHOP)
    return shopify_store.install(SHOP)["access_token"]


@pytest.fixture
def gql(shopify_sandbox, token):
    def call(query, variables=None, access=token, shop=SHOP, **kwargs):
        url = shopify_sandbox.admin_origin.format(shop=shop) + "/admin/api/2026-07/graphql.json"
        return requests.post(url, json={"query": query, "variables": variables or {}},
                             headers={"X-Shopify-Access-Token": access or ""}, timeout=kwargs.pop("timeout", 5))
    return call


def token_url(sandbox, shop=SHOP):
    return sandbox.admin_origin.format(shop=shop) + "/admin/oauth/access_token"


def fulfill_input(fo, quantity, number="T1"):
    return {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["gid"], "fulfillmentOrderLineItems": [
        {"id": fo["line_items"][0]["gid"], "quantity": quantity}]}], "trackingInfo": {"number": number}}}


# -- auth and schema -----------------------------------------------------------------------------
def test_an_invalid_document_is_refused_like_shopify(gql):
    answer = gql("{ shop { name nonsense } }")
    assert answer.status_code == 200 and "data" not in answer.json()
    [error] = answer.json()["errors"]
    assert "nonsense" in error["message"] and error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert gql("{ shop { name ").json()["errors"][0]["extensions"]["code"] == "PARSE_ERROR"


def test_tokens_are_checked(gql, shopify_store):
    assert gql(SHOP_NAME).json()["data"]["shop"]["name"] == "Acme"
    for bad in (None, "shpat_unknown"):
        answer = gql(SHOP_NAME, access=bad)
        assert answer.status_code == 401
        assert answer.json() == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    shopify_store.create_shop("other.myshopify.com")
    assert gql(SHOP_NAME, shop="other.myshopify.com").status_code == 401  # a token belongs to its shop
    assert gql(SHOP_NAME, shop="nowhere.myshopify.com").status_code == 404


def test_install_page_then_approval_redirects_with_a_valid_hmac(shopify_sandbox, shopify_store):
    url = shopify_sandbox.admin_origin.format(shop=SHOP) + "/admin/oauth/authorize"
    params = {"client_id": shopify_store.api_key, "scope": "read_orders", "redirect_uri": "https://app.example/cb",
              "state": "xyz"}
    page = requests.get(url, params=params, timeout=5)
    assert page.status_code == 200 and "Install app" in page.text and "<form" in page.text
    approved = requests.post(url, data=params, allow_redirects=False, timeout=5)
    query = {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["Location"]).query).items()}
    assert approved.status_code == 302 and query["state"] == "xyz" and query["shop"] == SHOP
    assert query["hmac"] == callback_hmac(query, shopify_store.api_secret)
    assert requests.get(url, params={**params, "client_id": "someone-else"}, timeout=5).status_code == 400


def test_code_grant_rules(shopify_sandbox, shopify_store):
    def code_for(shop):
        url = shopify_sandbox.admin_origin.format(shop=shop) + "/admin/oauth/authorize"
        answer = requests.get(url, params={"client_id": shopify_store.api_key, "redirect_uri": "https://a/cb",
                                           "auto": "1"}, allow_redirects=False, timeout=5)
        return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]

    app = {"client_id": shopify_store.api_key, "client_secret": shopify_store.api_secret}
    code = code_for(SHOP)
    wrong = requests.post(token_url(shopify_sandbox), json={**app, "client_secret": "x", "code": code}, timeout=5)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    elsewhere = requests.post(token_url(shopify_sandbox, "other.myshopify.com"), json={**app, "code": code}, timeout=5)
    assert elsewhere.status_code == 400 and elsewhere.json()["error"] == "invalid_grant"  # and now it is used
    fresh = code_for(SHOP)
    plain = requests.post(token_url(shopify_sandbox), data={**app, "code": fresh}, timeout=5)  # form body
    assert plain.status_code == 200 and "refresh_token" not in plain.json() and "expires_in" not in plain.json()
    again = requests.post(token_url(shopify_sandbox), json={**app, "code": fresh, "expiring": 1}, timeout=5)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_token_exchange_refuses_a_bad_jwt(shopify_sandbox, shopify_store):
    shopify_store.create_shop(SHOP)
    body = {"client_id": shopify_store.api_key, "client_secret": shopify_store.api_secret,
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token", "expiring": "1"}
    good = requests.post(token_url(shopify_sandbox), json={**body, "subject_token": shopify_store.session_token(SHOP)},
                         timeout=5)
    assert good.status_code == 200 and good.json()["expires_in"] == 3600
    forged = shopify_store.session_token(SHOP)[:-4] + "AAAA"
    bad = requests.post(token_url(shopify_sandbox), json={**body, "subject_token": forged}, timeout=5)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_subject_token"
    wrong_type = requests.post(token_url(shopify_sandbox), json={
        **body, "subject_token": shopify_store.session_token(SHOP), "subject_token_type": "x"}, timeout=5)
    assert wrong_type.json()["error"] == "invalid_request"


def test_refresh_rotation_strict_and_retaining(shopify_sandbox, shopify_store, gql):
    def refresh(refresh_token):
        return requests.post(token_url(shopify_sandbox), json={
            "client_id": shopify_store.api_key, "client_secret": shopify_store.api_secret,
            "grant_type": "refresh_token", "refresh_token": refresh_token}, timeout=5)

    first = shopify_store.install(SHOP)
    second = refresh(first["refresh_token"]).json()
    assert second["refresh_token_expires_in"] == 7776000 and second["access_token"] != first["access_token"]
    assert gql(SHOP_NAME, access=first["access_token"]).status_code == 401
    assert gql(SHOP_NAME, access=second["access_token"]).status_code == 200
    assert refresh(first["refresh_token"]).json()["error"] == "invalid_grant"
    shopify_store.configure_shop(SHOP, retain_previous_refresh_token=True)  # Shopify since 2026-08
    third = refresh(second["refresh_token"]).json()
    assert refresh(second["refresh_token"]).status_code == 200  # response lost? the old one still works…
    assert refresh(third["refresh_token"]).status_code == 200   # …until the replacement is used
    assert refresh(second["refresh_token"]).json()["error"] == "invalid_grant"
    assert shopify_store.refresh_count(SHOP) == 4


# -- cost ----------------------------------------------------------------------------------------
def test_cost_bucket_throttles_without_executing_then_restores(gql, shopify_store):
    order = shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 5}])
    fo = order["fulfillment_orders"][0]
    shopify_store.configure_shop(SHOP, restore_rate=10, available=25)
    for _ in range(2):
        assert gql(CREATE, fulfill_input(fo, 1)).json()["data"]["fulfillmentCreate"]["userErrors"] == []
    throttled = gql(CREATE, fulfill_input(fo, 1)).json()
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED" and "data" not in throttled
    cost = throttled["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 10 and cost["actualQueryCost"] is None
    assert cost["throttleStatus"]["restoreRate"] == 10 and cost["throttleStatus"]["maximumAvailable"] == 200
    assert cost["throttleStatus"]["currentlyAvailable"] < 10
    assert len(shopify_store.fulfillments(SHOP, order["id"])) == 2
    time.sleep(0.6)
    assert gql(CREATE, fulfill_input(fo, 1)).json()["data"]["fulfillmentCreate"]["fulfillment"]
    assert len(shopify_store.fulfillments(SHOP, order["id"])) == 3


def test_actual_cost_refunds_what_a_connection_did_not_return(gql, shopify_store):
    order = shopify_store.create_order(SHOP)
    answer = gql("query($id: ID!) { order(id: $id) { id lineItems(first: 100) { nodes { id } } } }",
                 {"id": order["gid"]}).json()["extensions"]["cost"]
    assert (answer["requestedQueryCost"], answer["actualQueryCost"]) == (103, 4)
    assert answer["throttleStatus"]["currentlyAvailable"] >= 2000 - 4 - 1


def test_costly_and_unbounded_queries_are_refused(gql):
    costly = gql("{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }").json()
    assert costly["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    unbounded = gql("{ orders { nodes { id } } }").json()
    assert unbounded["errors"][0]["message"] == "you must provide one of first or last"


# -- fulfillment rules ---------------------------------------------------------------------------
def test_fulfillment_order_rules(gql, shopify_store):
    order = shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 2}, {"title": "Cap", "quantity": 1,
                                                                                 "location": "Warehouse B"}])
    here, there = order["fulfillment_orders"]
    too_many = gql(CREATE, fulfill_input(here, 3)).json()["data"]["fulfillmentCreate"]
    assert too_many["userErrors"][0]["message"] == "Invalid fulfillment order line item quantity requested."
    both = {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": here["gid"]},
                                                  {"fulfillmentOrderId": there["gid"]}]}}
    assert "same location" in gql(CREATE, both).json()["data"]["fulfillmentCreate"]["userErrors"][0]["message"]
    shopify_store.hold(SHOP, order["id"], here["id"])
    held = gql(CREATE, fulfill_input(here, 1)).json()["data"]["fulfillmentCreate"]["userErrors"][0]["message"]
    assert held == f"Fulfillment order {here['gid']} has an unfulfillable status= on_hold."
    shopify_store.release(SHOP, order["id"], here["id"])
    done = gql(CREATE, fulfill_input(here, 2)).json()["data"]["fulfillmentCreate"]
    assert done["fulfillment"]["order"]["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    state = shopify_store.order(SHOP, order["id"])
    assert state["fulfillment_orders"][0]["status"] == "CLOSED"
    assert state["fulfillment_orders"][0]["supported_actions"] == []
    shopify_store.assign_to_fulfillment_service(SHOP, order["id"], there["id"])
    service = gql(CREATE, fulfill_input(there, 1)).json()["data"]["fulfillmentCreate"]["userErrors"][0]["message"]
    assert "fulfillment service" in service


def test_cancel_reopens_quantities_on_a_new_fulfillment_order(gql, shopify_store):
    order = shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 2}])
    fo = order["fulfillment_orders"][0]
    fulfillment = gql(CREATE, fulfill_input(fo, 2)).json()["data"]["fulfillmentCreate"]["fulfillment"]
    cancelled = gql(CANCEL, {"id": fulfillment["id"]}).json()["data"]["fulfillmentCancel"]
    assert cancelled["fulfillment"]["status"] == "CANCELLED"
    again = gql(CANCEL, {"id": fulfillment["id"]}).json()["data"]["fulfillmentCancel"]["userErrors"]
    assert "already cancelled" in again[0]["message"]
    state = shopify_store.order(SHOP, order["id"])
    assert [f["status"] for f in state["fulfillment_orders"]] == ["CLOSED", "OPEN"]
    assert state["fulfillment_orders"][1]["line_items"][0]["remaining_quantity"] == 2
    assert state["display_fulfillment_status"] == "UNFULFILLED"


def test_orders_query_pages_and_filters(gql, shopify_store):
    ids = [shopify_store.create_order(SHOP)["gid"] for _ in range(5)]
    shopify_store.cancel_order(SHOP, ids[1])
    shopify_store.close_order(SHOP, ids[2])
    shopify_store.create_order(SHOP, updated_at="2020-01-01T00:00:00Z", created_at="2020-01-01T00:00:00Z")
    query = """query($after: String, $q: String) { orders(first: 2, after: $after, query: $q, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor } nodes { id } } }"""
    seen, after = [], None
    while True:
        variables = {"after": after, "q": "status:open updated_at:>='2025-01-01T00:00:00Z'"}
        page = gql(query, variables).json()["data"]["orders"]
        seen += [n["id"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == [ids[0], ids[3], ids[4]]


def test_paging_survives_an_order_moving_while_a_client_pages(gql, shopify_store):
    stamps = [f"2026-01-01T00:00:0{i}Z" for i in range(4)]
    orders = [shopify_store.create_order(SHOP, created_at=stamp, updated_at=stamp) for stamp in stamps]
    query = """query($after: String) { orders(first: 2, after: $after, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor } nodes { id } } }"""
    first = gql(query).json()["data"]["orders"]
    assert [n["id"] for n in first["nodes"]] == [orders[0]["gid"], orders[1]["gid"]]
    gql(CREATE, fulfill_input(orders[1]["fulfillment_orders"][0], 1))  # order 2 is updated: it moves last
    rest = gql(query, {"after": first["pageInfo"]["endCursor"]}).json()["data"]["orders"]
    assert [n["id"] for n in rest["nodes"]] == [orders[2]["gid"], orders[3]["gid"]]
    last = gql(query, {"after": rest["pageInfo"]["endCursor"]}).json()["data"]["orders"]
    assert [n["id"] for n in last["nodes"]] == [orders[1]["gid"]] and not last["pageInfo"]["hasNextPage"]


# -- faults and the request log --------------------------------------------------------------------
def test_scripted_faults(gql, shopify_store):
    shopify_store.add_fault(SHOP, "503")
    shopify_store.add_fault(SHOP, "503", body="json")
    shopify_store.add_fault(SHOP, "429", retry_after=4)
    shopify_store.add_fault(SHOP, "html")
    shopify_store.add_fault(SHOP, "401")
    shopify_store.add_fault(SHOP, "throttled")
    first = gql(SHOP_NAME)
    assert first.status_code == 503 and first.headers["Content-Type"].startswith("text/html")
    assert gql(SHOP_NAME).json() == {"errors": "Service Unavailable"}
    limited = gql(SHOP_NAME)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "4"
    page = gql(SHOP_NAME)
    assert page.status_code == 200 and page.text.startswith("<!DOCTYPE html>")
    assert gql(SHOP_NAME).status_code == 401
    throttled = gql(SHOP_NAME).json()
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED" and "data" not in throttled
    assert throttled["extensions"]["cost"]["requestedQueryCost"] == 1
    assert throttled["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 0
    assert gql(SHOP_NAME).status_code == 200 and shopify_store.faults(SHOP) == []
    log = shopify_store.requests(SHOP, kind="graphql")
    assert [e["fault"] for e in log] == ["503", "503", "429", "html", "401", "throttled", None]
    assert [e["operation_name"] for e in log] == ["ShopName"] * 7 and log[0]["root_field"] == "shop"
    assert all(a["started"] <= b["started"] for a, b in zip(log, log[1:]))


def test_faults_aimed_at_mutations_or_names(gql, shopify_store):
    order = shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 3}])
    shopify_store.add_fault(SHOP, "500", only="mutation")
    shopify_store.add_fault(SHOP, "502", match="fulfillmentCancel")
    assert gql(SHOP_NAME).status_code == 200
    assert gql(CREATE, fulfill_input(order["fulfillment_orders"][0], 1)).status_code == 500
    assert shopify_store.fulfillments(SHOP, order["id"]) == []
    assert gql(CREATE, fulfill_input(order["fulfillment_orders"][0], 1)).status_code == 200
    assert len(shopify_store.faults(SHOP)) == 1


def test_timeout_does_not_execute_but_a_lost_response_does(gql, shopify_store):
    order = shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 3}])
    fo = order["fulfillment_orders"][0]
    shopify_store.add_fault(SHOP, "timeout", seconds=2)
    shopify_store.add_fault(SHOP, "lost_response", seconds=2)
    for _ in range(2):
        with pytest.raises(requests.Timeout):
            gql(CREATE, fulfill_input(fo, 1), timeout=0.3)
    assert len(shopify_store.fulfillments(SHOP, order["id"])) == 1  # the second one wrote, then went quiet


def test_reset_wakes_a_sleeping_fault(gql, shopify_store):
    shopify_store.add_fault(SHOP, "timeout", seconds=30)
    answers = []
    caller = threading.Thread(target=lambda: answers.append(gql(SHOP_NAME, timeout=10).status_code))
    caller.start()
    time.sleep(0.2)
    started = time.monotonic()
    shopify_store.reset()
    caller.join(5)
    assert answers == [504] and time.monotonic() - started < 2


# -- webhooks and the HTTP control API -----------------------------------------------------------------
class Receiver:
    """A tiny webhook endpoint recording what arrives."""

    def __init__(self):
        calls = self.calls = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                calls.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/shopify"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_webhooks_are_signed_like_shopify(gql, shopify_store, receiver):
    shopify_store.configure_shop(SHOP, auto_webhooks=False)  # only the deliveries this test makes
    create = """mutation($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) {
      webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) {
        webhookSubscription { id } userErrors { message } } }"""
    variables = {"t": "ORDERS_CREATE", "s": {"uri": receiver.url}}
    assert gql(create, variables).json()["data"]["webhookSubscriptionCreate"]["userErrors"] == []
    duplicate = gql(create, variables).json()["data"]["webhookSubscriptionCreate"]["userErrors"]
    assert duplicate[0]["message"] == "Address for this topic has already been taken"
    order = shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 2, "sku": "MUG"}])
    [outcome] = shopify_store.deliver(SHOP, "orders/create", order_id=order["id"], event_id="evt-1")
    assert outcome["status"] == 200
    headers, body = receiver.calls[0]
    expected = base64.b64encode(hmac.new(shopify_store.api_secret.encode(), body, hashlib.sha256).digest()).decode()
    assert headers["X-Shopify-Hmac-Sha256"] == expected
    assert (headers["X-Shopify-Topic"], headers["X-Shopify-Shop-Domain"], headers["X-Shopify-Event-Id"],
            headers["X-Shopify-API-Version"]) == ("orders/create", SHOP, "evt-1", "2026-07")
    assert headers["X-Shopify-Webhook-Id"] and headers["X-Shopify-Triggered-At"]
    payload = json.loads(body)
    assert (payload["id"], payload["admin_graphql_api_id"], payload["fulfillment_status"]) == \
        (int(order["id"]), order["gid"], None)
    assert payload["line_items"][0] == {**payload["line_items"][0], "id": int(order["line_items"][0]["id"]),
                                        "quantity": 2, "sku": "MUG"}
    shopify_store.deliver(SHOP, "orders/create", {"id": 1}, signature="forged")
    assert receiver.calls[1][0]["X-Shopify-Hmac-Sha256"] == "forged"
    assert shopify_store.deliver(SHOP, "orders/updated", {"id": 1}) == []  # nobody subscribed


def test_auto_webhooks_follow_changes(gql, shopify_store, receiver):
    gql("""mutation { webhookSubscriptionCreate(topic: ORDERS_UPDATED, webhookSubscription: {uri: "%s"}) {
      userErrors { message } } }""" % receiver.url)
    order = shopify_store.create_order(SHOP)  # orders/create: nobody subscribed
    gql(CREATE, fulfill_input(order["fulfillment_orders"][0], 1))
    deadline = time.monotonic() + 5
    while not receiver.calls and time.monotonic() < deadline:
        time.sleep(0.02)
    [(headers, body)] = receiver.calls
    assert headers["X-Shopify-Topic"] == "orders/updated" and json.loads(body)["fulfillment_status"] == "fulfilled"
    shopify_store.configure_shop(SHOP, auto_webhooks=False)
    gql(CANCEL, {"id": json.loads(body)["fulfillments"][0]["admin_graphql_api_id"]})
    time.sleep(0.2)
    assert len(receiver.calls) == 1


def test_the_control_api_over_http(shopify_sandbox, shopify_store):
    remote = RemoteStore(shopify_sandbox.url)
    remote.create_shop("remote.myshopify.com", restore_rate=50)
    order = remote.create_order("remote.myshopify.com", [{"title": "Mug", "quantity": 2}])
    assert order["line_items"][0]["quantity"] == 2 and order["gid"].startswith("gid://shopify/Order/")
    assert shopify_store.order("remote.myshopify.com", order["id"])["name"] == order["name"]
    assert remote.shop_info("remote.myshopify.com")["throttle_status"]["maximumAvailable"] == 1000
    remote.add_fault("remote.myshopify.com", "503")
    assert len(shopify_store.faults("remote.myshopify.com")) == 1
    with pytest.raises(SandboxControlError, match="unknown fault"):
        remote.add_fault("remote.myshopify.com", "teapot")
    with pytest.raises(SandboxControlError, match="unknown shop"):
        remote.order("missing.myshopify.com", "1")
    assert requests.post(f"{shopify_sandbox.url}/_sandbox/tokens", json={}, timeout=5).status_code == 404
    assert requests.get(f"{shopify_sandbox.url}/_sandbox/requests", timeout=5).json()["result"] == []
