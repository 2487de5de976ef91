"""The WooCommerce error table and transport, with ``responses`` (no store needed)."""
from __future__ import annotations

import json
from datetime import datetime
from email.utils import formatdate
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from config import Settings
from connectors.base import Credentials, ConnectorError, Shipment, Item, StoreAccess
from connectors.woocommerce import WooCommerceConnector
from connectors.woocommerce.errors import map_error, redact, retry_after
from sandbox.woocommerce import oauth

KEY, SECRET = "ck_" + "1" * 40, "cs_" + "2" * 40
HTTPS, HTTP = "https://shop.example.com", "http://127.0.0.1:9999/shop"
SETTINGS = Settings(store_timeout_seconds=3.5)
HTML = b"<!DOCTYPE html><html><head><title>Attention Required!</title></head><body>ck_" + b"1" * 40 + b"</body></html>"


def connector(url=HTTPS, **options) -> WooCommerceConnector:
    access = StoreAccess("woocommerce", url, Credentials(KEY, consumer_secret=SECRET, webhook_secret="whs"),
                         options=options)
    return WooCommerceConnector(access, SETTINGS)


def order_json(order_id=14, status="processing", **extra):
    return {"id": order_id, "number": str(order_id), "status": status, "line_items": [
        {"id": 1, "name": "Mug", "quantity": 2}], "meta_data": [], "date_modified_gmt": "2026-11-28T03:36:09", **extra}


CASES = [
    # (status, body, headers, cause, retry_after)
    (429, b"Too many", {"Retry-After": "12"}, "rate_limited", 12.0),
    (429, b"", {}, "rate_limited", None),
    (503, HTML, {"Retry-After": "30"}, "store_server", 30.0),
    (500, json.dumps({"code": "internal_server_error", "message": "Fatal"}).encode(), {}, "store_server", None),
    (502, b"Bad gateway", {}, "store_server", None),
    (200, HTML, {}, "store_server", None),
    (200, b"<br />\n<b>Warning</b>: something {\"id\": 14}", {}, "store_server", None),
    (403, HTML, {}, "store_server", None),
    (403, json.dumps({"code": "rest_forbidden", "message": "No"}).encode(), {}, "store_server", None),
    (403, json.dumps({"code": "woocommerce_rest_cannot_view", "message": "Sorry"}).encode(), {}, "token_expired", None),
    (401, json.dumps({"code": "woocommerce_rest_cannot_view", "message": "Sorry"}).encode(), {}, "token_expired", None),
    (401, json.dumps({"code": "woocommerce_rest_authentication_error",
                      "message": "Consumer key is invalid."}).encode(), {}, "token_expired", None),
    (404, json.dumps({"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID."}).encode(), {},
     "invalid_data", None),
    (404, json.dumps({"code": "rest_no_route", "message": "No route"}).encode(), {}, "store_configuration", None),
    (404, b"<html>Not Found</html>", {}, "store_server", None),
    (400, json.dumps({"code": "rest_missing_callback_param", "message": "Missing parameter(s): note"}).encode(), {},
     "invalid_data", None),
    (409, json.dumps({"code": "conflict", "message": "x"}).encode(), {}, "invalid_data", None),
    (301, b"", {"Location": f"https://www.shop.example.com/wp-json/wc/v3/orders/14?consumer_key={KEY}"},
     "store_configuration", None),
]


@pytest.mark.parametrize("status,body,headers,cause,wait", CASES,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
@responses.activate
def test_the_error_table(status, body, headers, cause, wait):
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14", body=body, status=status, headers=headers)
    with pytest.raises(ConnectorError) as failed:
        connector(auth="query").fetch_order("14")  # keys in the query: they must not leak into messages
    error = failed.value
    assert (error.cause, error.http_status, error.retry_after) == (cause, status, wait)
    for text in (error.message, error.detail or "", str(error), repr(error)):
        assert KEY not in text and SECRET not in text and "1111111111" not in text
    assert len(responses.calls) == 1  # a redirect is not followed


@pytest.mark.parametrize("failure,cause", [(requests.ReadTimeout("read timed out"), "connection"),
                                           (requests.ConnectTimeout("connect"), "connection"),
                                           (requests.ConnectionError(f"Max retries with url: /x?consumer_key={KEY}"),
                                            "connection")])
@responses.activate
def test_timeouts_and_connection_failures_are_connection(failure, cause):
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14", body=failure)
    with pytest.raises(ConnectorError) as failed:
        connector(auth="query").fetch_order("14")
    assert failed.value.cause == cause and KEY not in failed.value.message and KEY not in str(failed.value.detail)


def test_retry_after_as_an_http_date():
    assert retry_after({"Retry-After": formatdate(1_000_060, usegmt=True)}, now=1_000_000) == pytest.approx(60)
    assert retry_after({"Retry-After": "soon"}) is None
    assert retry_after({"Retry-After": "99999"}) == 3600


def test_redact_removes_keys_secrets_and_signatures():
    text = f"GET /x?oauth_consumer_key={KEY}&oauth_signature=abc%2B=&consumer_secret={SECRET}"
    cleaned = redact(text)
    assert KEY not in cleaned and SECRET not in cleaned and "abc%2B" not in cleaned


def test_map_error_uses_woocommerces_message_for_rejections():
    error = map_error(400, {}, json.dumps({"code": "rest_invalid_param", "message": "Invalid parameter(s): status"})
                      .encode(), "PUT wc/v3/orders/14")
    assert error.cause == "invalid_data" and "Invalid parameter(s): status" in error.message
    assert "PUT wc/v3/orders/14" in error.message


# --- transport -----------------------------------------------------------------------------

@responses.activate
def test_https_uses_basic_auth_and_a_timeout_on_every_call():
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14", json=order_json(status="completed"))
    connector().fetch_order("14")
    request = responses.calls[0].request
    assert request.headers["Authorization"].startswith("Basic ")
    assert KEY not in request.url and "oauth" not in request.url
    assert request.req_kwargs["timeout"] == 3.5


@responses.activate
def test_the_query_string_fallback_puts_the_keys_in_the_query():
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14", json=order_json(status="completed"))
    connector(auth="query").fetch_order("14")
    request = responses.calls[0].request
    assert "Authorization" not in request.headers
    assert dict(parse_qsl(urlsplit(request.url).query)) == {"consumer_key": KEY, "consumer_secret": SECRET}


@responses.activate
def test_http_signs_with_oauth_against_the_stores_home_url():
    home = "http://localhost:9999/shop"  # what WordPress calls itself, not the URL we were given
    responses.get(f"{HTTP}/wp-json/", json={"home": home, "namespaces": ["wc/v3"]})
    responses.get(f"{HTTP}/wp-json/wc/v3/orders", json=[order_json()], headers={"X-WP-TotalPages": "1"})
    orders = list(connector(HTTP).list_open_orders(datetime(2026, 11, 1)))
    assert [o.id for o in orders] == ["14"]
    index, listing = responses.calls[0].request, responses.calls[1].request
    assert "oauth_signature" not in index.url  # the index is public
    params = dict(parse_qsl(urlsplit(listing.url).query))
    assert params["status"] == "processing,on-hold" and params["after"] == "2026-11-01T00:00:00"
    assert params["dates_are_gmt"] == "true" and params["per_page"] == "100"
    assert "Authorization" not in listing.headers
    # The sandbox's independent verifier, given the store's home URL, accepts the signature.
    oauth.check_signature(params, "GET", home, "/wp-json/wc/v3/orders", SECRET)
    for call in responses.calls:
        assert call.request.req_kwargs["timeout"] == 3.5


@responses.activate
def test_collections_follow_total_pages():
    for page in (1, 2, 3):
        responses.get(f"{HTTPS}/wp-json/wc/v3/orders", json=[order_json(page)],
                      headers={"X-WP-TotalPages": "3", "X-WP-Total": "3"},
                      match=[responses.matchers.query_param_matcher({"page": str(page)}, strict_match=False)])
    assert [o.id for o in connector().list_open_orders(datetime(2026, 1, 1))] == ["1", "2", "3"]
    assert len(responses.calls) == 3


# --- connector behaviour that needs no store --------------------------------------------------------

def test_asts_refusal_of_a_tracking_number_is_not_a_missing_order():
    body = json.dumps({"code": "woocommerce_rest_order_invalid_id",
                       "message": "Special character not allowd in tracking number", "data": {"status": 404}})
    error = map_error(404, {}, body.encode(), "POST wc-shipment-tracking/v3/orders/14/shipment-trackings")
    assert error.cause == "invalid_data" and error.message.startswith("The store refused the tracking number")
    assert "Special character not allowd in tracking number" in error.message


def test_refresh_credentials_always_asks_for_reconnection():
    with pytest.raises(ConnectorError) as failed:
        connector().refresh_credentials()
    assert failed.value.cause == "token_expired"


@responses.activate
def test_a_full_index_shows_native_fulfillments_without_probing():
    routes = {"/wc/v3/orders/(?P<order_id>[\\d]+)/fulfillments": {}}
    responses.get(f"{HTTPS}/wp-json/", json={"home": HTTPS, "namespaces": ["wc/v3"], "routes": routes})
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14", json=order_json())
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14/fulfillments", json=[])
    responses.post(f"{HTTPS}/wp-json/wc/v3/orders/14/fulfillments", json={"id": 5}, status=201)
    shipment = Shipment("P1", "14", "1Z", "UPS", "https://t/1Z", (Item("1", 1),))
    c = connector()
    assert c.find_fulfillment(shipment) is None
    result = c.create_fulfillment(shipment)
    assert (result.fulfillment_id, result.order_fulfillment_status) == ("fulfillment:5", "partially_fulfilled")
    posted = json.loads(next(call.request.body for call in responses.calls if call.request.method == "POST"))
    meta = {m["key"]: m["value"] for m in posted["meta_data"]}
    assert meta["_items"] == [{"item_id": 1, "qty": 1}] and meta["_tracking_number"] == "1Z"
    assert (meta["_shipping_provider"], meta["_tracking_url"]) == ("UPS", "https://t/1Z")
    # index, the store's language, order, list (find), list (what remains unshipped), list after write
    assert [c.request.method for c in responses.calls].count("GET") == 6


@responses.activate
def test_a_stored_backend_choice_skips_detection():
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14", json=order_json())
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14/notes", json=[])
    shipment = Shipment("P1", "14", "1Z", "UPS", None, (Item("1", 1),))
    assert connector(tracking_backend="note").find_fulfillment(shipment) is None
    assert not any(call.request.url.startswith(f"{HTTPS}/wp-json/?") for call in responses.calls)


@pytest.mark.parametrize("order_id", ["gid://x/1", "14a", ""])
def test_a_non_numeric_order_id_is_invalid_data_without_a_call(order_id):
    with pytest.raises(ConnectorError) as failed:
        connector().fetch_order(order_id)
    assert failed.value.cause == "invalid_data"


@responses.activate
def test_an_item_the_order_does_not_have_is_invalid_data():
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14", json=order_json())
    with pytest.raises(ConnectorError) as failed:
        connector(tracking_backend="note").create_fulfillment(Shipment("P", "14", "1Z", "UPS", None, (Item("9", 1),)))
    assert failed.value.cause == "invalid_data" and "9" in failed.value.message
    assert [c.request.method for c in responses.calls] == ["GET"]


@responses.activate
def test_a_rest_index_closed_to_anonymous_callers_falls_back_to_probing():
    """Plugins that close the REST API to visitors answer the public index 401: not our keys' fault."""
    responses.get(f"{HTTPS}/wp-json/", status=401, json={"code": "rest_cannot_access",
                                                         "message": "Only authenticated users can access the REST API."})
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14", json=order_json())
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14/fulfillments", status=404, json={"code": "rest_no_route"})
    responses.get(f"{HTTPS}/wp-json/wc-shipment-tracking/v3/orders/14/shipment-trackings", json=[
        {"tracking_id": "abc", "tracking_number": "1Z"}])
    responses.get(f"{HTTPS}/wp-json/wc/v3/orders/14/notes", json=[])
    responses.post(f"{HTTPS}/wp-json/wc/v3/orders/14/notes", json={"id": 9}, status=201)
    result = connector().find_fulfillment(Shipment("P1", "14", "1Z", "UPS", None, (Item("1", 2),)))
    assert result.fulfillment_id == "tracking:abc"  # found, and its missing ledger note was written
    assert result.order_fulfillment_status == "partially_fulfilled"  # the re-read ledger is still empty here
