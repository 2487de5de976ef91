"""Abuse suite: a NUL character ("\\x00") at every entry point. PostgreSQL refuses it in any text
value, so each of these was a 500 there (or, on SQLite, a NUL kept in our rows):

- what a caller sends (query, path, the merchant API's body) is a 400 naming NUL, nothing changed;
- what a store sends in a signed webhook is its data: text is kept without the NUL, and the
  order syncs; an id with one is refused (a 400) and a privacy request still finds its customer.
"""
from __future__ import annotations

import pytest

from models import Store
from tests.fixtures_woocommerce import make_woo_store

NUL_ERROR = "must not contain NUL characters"
WOO_SECRET = "woo-secret"


@pytest.fixture
def signed_in(app, client):
    """A WooCommerce store and a browser signed in to it (session cookie and CSRF token)."""
    store_id = make_woo_store(app, "https://shop.example.com", webhook_secret=WOO_SECRET)
    with client.session_transaction() as session:
        session.update(store_id=store_id, generation=0, csrf="csrf")
    return store_id


@pytest.mark.parametrize("query", ["q=Ana%00", "carrier=UPS%00", "cursor=%00", "tab=all&page=1%00", "bad%00=1"])
@pytest.mark.parametrize("path", ["/api/orders", "/api/orders/export"])
def test_a_nul_in_the_query_is_a_400_that_says_so(client, signed_in, path, query):
    answer = client.get(f"{path}?{query}", headers={"X-CSRF-Token": "csrf"})
    assert answer.status_code == 400 and NUL_ERROR in answer.json["error"], answer.get_data()[:200]


def test_a_nul_in_the_path_is_a_400(client, signed_in):
    answer = client.get("/api/sync/batch%00", headers={"X-CSRF-Token": "csrf"})
    assert answer.status_code == 400 and answer.json["error"] == f"the address {NUL_ERROR}"


def test_a_nul_in_the_merchant_apis_body_is_a_400_and_changes_nothing(app, client, signed_in):
    answer = client.patch("/api/store/settings", json={"carrier_mapping": {"UPS\x00": "UPS"}},
                          headers={"X-CSRF-Token": "csrf"})
    assert answer.status_code == 400 and answer.json["error"] == f"the body {NUL_ERROR}"
    with app.extensions["db_sessionmaker"]() as session:
        assert "UPS\x00" not in session.get(Store, signed_in).merged_settings()["carrier_mapping"]


@pytest.mark.parametrize("url", ["/auth/woocommerce?store_url=https://shop%00.example.com",
                                 "/auth/shopify?shop=acme%00.myshopify.com", "/?q=%00"])
def test_a_nul_in_a_sign_in_or_page_query_is_a_400(client, url):
    answer = client.get(url)
    assert answer.status_code == 400 and NUL_ERROR.encode() in answer.data
