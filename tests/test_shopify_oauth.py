"""connectors.shopify.oauth: the install URL, callback HMAC, code and token exchange, against
Shopify's documented example and the sandbox store."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from werkzeug.datastructures import MultiDict

from config import Settings
from connectors.base import TOKEN_EXPIRED, ConnectorError, StoreAccess
from connectors.shopify import ShopifyConnector
from connectors.shopify.oauth import (authorize_url, exchange_code, exchange_session_token, parse_token_response,
                                      valid_shop_domain, verify_callback_hmac)
from sandbox.shopify import make_session_token
from tests.fixtures_shopify import SHOP

# Shopify's documented example (secret "hush").
DOC_QUERY = {"code": "0907a61c0c8d55e99db179b68161bc00", "shop": "some-shop.myshopify.com",
             "state": "0.6784241404160823", "timestamp": "1337178173",
             "hmac": "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"}


def test_callback_hmac_matches_shopify_documented_example():
    assert verify_callback_hmac(DOC_QUERY, "hush")
    assert verify_callback_hmac(MultiDict(DOC_QUERY), "hush")


@pytest.mark.parametrize("change", [{"shop": "evil-shop.myshopify.com"}, {"hmac": "0" * 64}, {"hmac": ""},
                                    {"extra": "1"}])
def test_callback_hmac_rejects_tampering(change):
    assert not verify_callback_hmac({**DOC_QUERY, **change}, "hush")
    assert not verify_callback_hmac(DOC_QUERY, "not-the-secret")


@pytest.mark.parametrize("shop, valid", [("acme.myshopify.com", True), ("acme-2_b.myshopify.com", True),
                                         ("-acme.myshopify.com", False), ("acme.myshopify.com.evil.com", False),
                                         ("acme.example.com", False), ("https://acme.myshopify.com", False),
                                         ("acme.myshopify.com/", False), ("acme.myshopify.com\n", False),
                                         ("", False), (None, False)])
def test_valid_shop_domain(shop, valid):
    assert valid_shop_domain(shop) is valid


def test_authorize_url():
    settings = Settings(app_env="test", shopify_api_key="key1", shopify_scopes="read_orders,write_orders")
    url = authorize_url(settings, SHOP, "st4te", "https://app.example/auth/shopify/callback")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"https://{SHOP}/admin/oauth/authorize"
    assert parse_qs(parts.query) == {"client_id": ["key1"], "scope": ["read_orders,write_orders"],
                                     "redirect_uri": ["https://app.example/auth/shopify/callback"], "state": ["st4te"]}


def test_token_response_expiries_are_naive_utc():
    now = datetime(2026, 7, 1, 12, 0, 0)
    creds = parse_token_response({"access_token": "a", "refresh_token": "r", "expires_in": 3600,
                                  "refresh_token_expires_in": 7776000}, now)
    assert (creds.expires_at, creds.refresh_expires_at) == (now + timedelta(hours=1), now + timedelta(days=90))
    assert parse_token_response({"access_token": "a"}).expires_at is None


def install(sandbox, settings, state="s1"):
    """Walk the merchant's side of the install: authorize (auto-approve) → callback query."""
    url = authorize_url(settings, SHOP, state, "https://app.example/auth/shopify/callback") + "&auto=1"
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc == "app.example"
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def test_install_flow_against_the_sandbox(shopify_sandbox, shopify_store, shopify_settings):
    query = install(shopify_sandbox, shopify_settings)
    assert verify_callback_hmac(query, shopify_settings.shopify_api_secret)
    assert query["shop"] == SHOP and query["state"] == "s1" and query["host"]
    creds = exchange_code(shopify_settings, SHOP, query["code"])
    assert creds.refresh_token
    assert creds.expires_at - datetime.now(timezone.utc).replace(tzinfo=None) > timedelta(minutes=59)
    connector = ShopifyConnector(StoreAccess("shopify", SHOP, creds), shopify_settings)
    assert connector.shop_info()["myshopifyDomain"] == SHOP
    [grant] = shopify_store.requests(SHOP, kind="token")
    assert grant["status"] == 200 and grant["grant"] == "authorization_code"
    with pytest.raises(ConnectorError) as used:
        exchange_code(shopify_settings, SHOP, query["code"])
    assert used.value.cause == TOKEN_EXPIRED and used.value.http_status == 400
    assert query["code"] not in used.value.message + (used.value.detail or "")


def test_wrong_app_secret_is_refused(shopify_sandbox, shopify_store, shopify_settings):
    query = install(shopify_sandbox, shopify_settings)
    with pytest.raises(ConnectorError) as refused:
        exchange_code(shopify_settings.replace(shopify_api_secret="wrong-secret"), SHOP, query["code"])
    assert refused.value.http_status == 401 and "SHOPIFY_API_SECRET" in refused.value.message


def test_session_token_exchange(shopify_store, shopify_settings):
    shopify_store.create_shop(SHOP)
    creds = exchange_session_token(shopify_settings, SHOP, shopify_store.session_token(SHOP))
    assert creds.refresh_token and creds.expires_at
    assert ShopifyConnector(StoreAccess("shopify", SHOP, creds), shopify_settings).shop_info()["name"]


@pytest.mark.parametrize("token", [
    lambda s: make_session_token(SHOP, s.shopify_api_key, "another-secret"),
    lambda s: make_session_token(SHOP, "another-app", s.shopify_api_secret),
    lambda s: make_session_token("other.myshopify.com", s.shopify_api_key, s.shopify_api_secret),
    lambda s: make_session_token(SHOP, s.shopify_api_key, s.shopify_api_secret, lifetime=-60),
    lambda s: "not-a-jwt",
])
def test_a_bad_session_token_is_refused(shopify_store, shopify_settings, token):
    shopify_store.create_shop(SHOP)
    with pytest.raises(ConnectorError) as refused:
        exchange_session_token(shopify_settings, SHOP, token(shopify_settings))
    assert refused.value.cause == TOKEN_EXPIRED and refused.value.http_status == 400
    assert refused.value.detail == "invalid_subject_token"
