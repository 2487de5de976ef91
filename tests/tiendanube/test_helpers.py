"""The pure helpers the app integration will use (install, webhooks, dates, ids, the error
table), tested directly; the install exchange also end to end against the sandbox."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from connectors.base import INVALID_DATA, STORE_SERVER, TOKEN_EXPIRED, ConnectorError
from connectors.tiendanube import TiendanubeConfig, authorize_url, exchange_code, parse_webhook, verify_signature
from connectors.tiendanube.errors import from_response
from connectors.tiendanube.fulfillment_orders import parse_fo
from connectors.tiendanube.ids import as_id, parse_time
from connectors.tiendanube.oauth import parse_token_response
from connectors.tiendanube.webhooks import plan_registrations
from sandbox.tiendanube import APP_ID, CLIENT_SECRET

SECRET = "app-secret-123456"


# --- webhooks ------------------------------------------------------------------------------------
def test_signature_is_hex_hmac_of_the_exact_bytes():
    body = b'{"store_id":123,"event":"order/paid","id":456}'
    good = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert verify_signature(SECRET, body, good)
    assert verify_signature(SECRET, body, good.upper())  # hex case is not the secret
    assert not verify_signature(SECRET, body.replace(b"456", b"457"), good)  # tampered body
    assert not verify_signature("other-secret", body, good)  # forged with another key
    assert not verify_signature(SECRET, body, None) and not verify_signature("", body, good)
    assert not verify_signature(SECRET, body + b" ", good)  # re-serialised is not the same body
    assert not verify_signature(SECRET, body, "ü" + good[1:])  # any header is an answer, never an exception


@pytest.mark.parametrize("body, expected", [
    (b'{"store_id": 123, "event": "order/updated", "id": 4567890123}', ("123", "order/updated", "4567890123")),
    (b'{"store_id": "123", "event": "order/cancelled", "id": "4567890123"}', ("123", "order/cancelled", "4567890123")),
    ({"store_id": "123", "event": "fulfillment_order/status_updated", "order_id": "9", "fulfillment_id": "01H"},
     ("123", "fulfillment_order/status_updated", "9")),
    (b'{"store_id": 123, "event": "app/uninstalled", "id": 4242}', ("123", "app/uninstalled", None)),
])
def test_webhook_payloads_give_ids_as_strings_whatever_their_type(body, expected):
    event = parse_webhook(body)
    assert (event.store_id, event.event, event.order_id) == expected


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"event": "order/paid", "id": 1}',
                                  b'{"store_id": "abc", "event": "order/paid", "id": 1}',
                                  b'{"store_id": 1, "event": "order/paid"}', b'{"store_id": true, "event": "x/y"}'])
def test_webhook_payloads_that_are_not_one_are_refused(body):
    with pytest.raises(ValueError):
        parse_webhook(body)


def test_registration_plan_keeps_one_per_topic_at_our_url():
    url = "https://app.example/webhooks/tiendanube"
    existing = [{"id": 1, "event": "order/created", "url": url}, {"id": 2, "event": "order/created", "url": url},
                {"id": 3, "event": "order/updated", "url": "https://old.example/hooks"},
                {"id": 4, "event": "product/created", "url": url}]
    create, delete = plan_registrations(existing, url)
    assert create == ["order/updated", "order/cancelled", "app/uninstalled"]
    assert delete == ["2", "3"]


# --- ids and dates -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["2022-02-23T12:25:18+0000", "2022-02-23T12:25:18+00:00",
                                   "2022-02-23T12:25:18Z", "2022-02-23T09:25:18-0300"])
def test_both_date_formats_read_as_naive_utc(value):
    assert parse_time(value) == datetime(2022, 2, 23, 12, 25, 18)


def test_unreadable_dates_are_none_and_ids_are_strings():
    assert parse_time("23/02/2022") is None and parse_time(None) is None
    assert as_id(2093261) == as_id("2093261") == "2093261"
    assert as_id(None) is None and as_id(True) is None and as_id(" ") is None


def test_fulfillment_order_lines_resolve_by_variant_when_no_line_id_is_given():
    products = [{"id": 5000000001, "variant_id": "7000", "product_id": 9000},
                {"id": 5000000002, "variant_id": "7001", "product_id": 9000}]
    fo = parse_fo({"id": "01H", "status": "unpacked", "line_items": [{"id": "01L", "quantity": "2",
                                                                        "variant": {"id": 7001}}]}, products)
    assert dict(fo.lines) == {"5000000002": 2} and fo.status == "UNPACKED"


# --- install -------------------------------------------------------------------------------------
def test_authorize_url_has_only_the_state():
    config = TiendanubeConfig(app_id="4242", auth_origin="https://www.nuvemshop.com.br/")
    url = authorize_url(config, "st&ate")
    assert url.startswith("https://www.nuvemshop.com.br/apps/4242/authorize?")
    assert parse_qs(urlsplit(url).query) == {"state": ["st&ate"]}


def test_token_errors_in_a_200_body_are_errors():
    with pytest.raises(ConnectorError) as expired:
        parse_token_response(200, {"error": "invalid_grant", "error_description": "The authorization code has expired"})
    assert expired.value.cause == TOKEN_EXPIRED and "has expired" in expired.value.message
    with pytest.raises(ConnectorError) as client:
        parse_token_response(200, {"error": "invalid_client", "error_description": "x"})
    assert "TIENDANUBE_CLIENT_SECRET" in client.value.message
    with pytest.raises(ConnectorError) as nameless:
        parse_token_response(200, {"access_token": "t", "token_type": "bearer"})
    assert nameless.value.cause == INVALID_DATA
    assert parse_token_response(200, {"access_token": "t", "user_id": 2093261, "scope": "read_orders"}).store_id == "2093261"


def test_exchange_code_end_to_end_against_the_sandbox(tn_sandbox, tn_config):
    store = tn_sandbox.create_store()
    tn_sandbox.redirect_url = "https://app.example/auth/tiendanube/callback"
    try:
        location = requests.post(f"{tn_sandbox.url}/apps/{APP_ID}/authorize", data={"store_id": store.store_id},
                                 allow_redirects=False, timeout=10).headers["Location"]
    finally:
        tn_sandbox.redirect_url = ""
    code = parse_qs(urlsplit(location).query)["code"][0]
    grant = exchange_code(tn_config, code)
    assert grant.store_id == str(store.store_id) and grant.access_token == store.token
    assert grant.credentials.access_token == store.token
    with pytest.raises(ConnectorError) as reused:
        exchange_code(tn_config, code)  # single use; the error arrives with HTTP 200
    assert reused.value.cause == TOKEN_EXPIRED and reused.value.http_status == 200
    tn_sandbox.user_id_as_number = False
    tn_sandbox.token_error_status = 400  # the other reading: errors with a 4xx
    try:
        with pytest.raises(ConnectorError) as bad:
            exchange_code(tn_config, "nope")
    finally:
        tn_sandbox.user_id_as_number, tn_sandbox.token_error_status = True, 200
    assert bad.value.cause == TOKEN_EXPIRED and bad.value.http_status == 400


def test_wrong_app_secret_says_which_setting(tn_sandbox, tn_config):
    config = TiendanubeConfig(**{**tn_config.__dict__, "client_secret": "wrong-secret"})
    with pytest.raises(ConnectorError) as refused:
        exchange_code(config, "any")
    assert "TIENDANUBE_CLIENT_SECRET" in refused.value.message
    assert "wrong-secret" not in refused.value.message + (refused.value.detail or "")


def test_config_from_app_settings_falls_back_to_documented_defaults():
    class Settings:
        store_timeout_seconds = 4.0
        app_url = "https://shipsync.example"
        tiendanube_app_id = 4242

    config = TiendanubeConfig.of(Settings())
    assert (config.app_id, config.api_version, config.timeout) == ("4242", "2025-03", 4.0)
    assert config.api_origin == "https://api.tiendanube.com" and config.auth_origin == "https://www.tiendanube.com"
    assert config.user_agent == "ShipSync (https://shipsync.example)"
    with pytest.raises(ValueError):
        TiendanubeConfig(user_agent=" ")


# --- the error table (narrow unit tests of shapes the sandbox does not produce) ---------------------
@responses.activate
@pytest.mark.parametrize("status, body, cause", [
    (402, {"code": 402, "message": "Payment Required"}, "store_configuration"),
    (502, "<html>bad gateway</html>", STORE_SERVER),
    (422, {"tracking_number": ["is too long"]}, INVALID_DATA),
    (400, {"description": "Bad Request", "message": "Invalid status transition from DELIVERED to DISPATCHED"},
     "store_configuration"),
])
def test_error_table(status, body, cause):
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    responses.add(responses.GET, "https://api.example/x", status=status, **kwargs)
    error = from_response(requests.get("https://api.example/x", timeout=1), "read")
    assert error.cause == cause and error.http_status == status
    if status == 422:
        assert "tracking_number: is too long" in error.message


def test_the_stores_wait_is_read_by_the_shared_parser_and_capped():
    """An HTTP-date Retry-After is understood, and a reset of "inf" ms is an hour, never forever."""
    import requests

    from connectors.tiendanube.errors import rate_wait

    def answer(**headers):
        response = requests.Response()
        response.headers.update(headers)
        return response

    assert rate_wait(answer(**{"x-rate-limit-reset": "inf"})) == 3600.0
    assert rate_wait(answer(**{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) < 1.0  # a past date: no wait
    assert rate_wait(answer(**{"Retry-After": "soon", "x-rate-limit-reset": "1500"})) == 1.5
