"""Abuse suite: one merchant probing another (issue 8). Every /api route, as store B, with
store A's ids: nothing of A is seen or touched, whichever way B is signed in."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import REQUIRES_SYNC, Package, Store, SyncBatch
from tests.helpers import api_headers, make_store
from tests.test_pages import add_order

SHOP_A, SHOP_B = "acme.myshopify.com", "bravo.myshopify.com"
A_MARKERS = ("#A-SECRET-ORDER", "1ZA-1", "a-customer@example.com", SHOP_A)


def _api_routes(app):
    return sorted({(r.rule, m) for r in app.url_map.iter_rules() if r.rule.startswith("/api/")
                   for m in r.methods - {"HEAD", "OPTIONS"}})


def _as_b(app, client, kind):
    """Store B signed in: by a Shopify session token or by a WooCommerce session cookie."""
    if kind == "shopify":
        make_store(app, "shopify", SHOP_B)
        return api_headers(app.config["SETTINGS"], SHOP_B)
    store_id = make_store(app, "woocommerce", "https://bravo.example.com")
    with client.session_transaction() as session:
        session.update(store_id=store_id, generation=0, csrf="csrf-b")
    return {"X-CSRF-Token": "csrf-b"}


def _a_state(app, store_a):
    with app.extensions["db_sessionmaker"]() as session:
        packages = session.execute(select(Package.id, Package.status, Package.attempts)
                                   .where(Package.store_id == store_a)).all()
        return packages, session.get(Store, store_a).settings


@pytest.mark.parametrize("kind", ["shopify", "woocommerce"])
def test_store_b_cannot_see_or_touch_store_as_orders_through_any_api_route(app, client, kind):
    store_a = make_store(app, "shopify", SHOP_A)
    order_a = add_order(app, store_a, "A-1", "#A-SECRET-ORDER", status=REQUIRES_SYNC)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        batch = SyncBatch(store_id=store_a)
        session.add(batch)
        session.flush()
        batch_a = batch.id
    before = _a_state(app, store_a)
    headers = _as_b(app, client, kind)

    walked = []
    for rule, method in _api_routes(app):
        path = re.sub(r"<(?:[^:>]+:)?order_id>", str(order_a), rule)
        path = re.sub(r"<(?:[^:>]+:)?batch_id>", batch_a, path)
        path = re.sub(r"<[^>]+>", str(order_a), path)  # any id a later route takes: A's
        body = {"order_ids": [order_a]} if method == "POST" else ({"auto_sync": False} if method == "PATCH" else None)
        response = client.open(path, method=method, headers=headers, json=body,
                               query_string={"tab": "all", "q": "A-SECRET"})
        walked.append((rule, method, response.status_code))
        assert response.status_code < 500, (rule, method)
        if "<" in rule:
            assert response.status_code == 404, (rule, method, response.status_code)
        assert not any(marker in response.get_data(as_text=True) for marker in A_MARKERS), (rule, method)

    assert {re.sub(r"<[^>]*:", "<", r) for r, _, _ in walked} >= {
        "/api/orders", "/api/orders/<order_id>", "/api/orders/<order_id>/sync", "/api/store", "/api/store/settings",
        "/api/sync", "/api/sync/<batch_id>"}
    assert _a_state(app, store_a) == before  # nothing of A restarted, synced or reconfigured


def test_an_id_beyond_the_database_integer_is_a_404_not_a_500(app, client):
    make_store(app, "shopify", SHOP_B)
    headers = api_headers(app.config["SETTINGS"], SHOP_B)
    assert client.get("/api/orders/2147483648", headers=headers).status_code == 404
    assert client.post("/webhooks/woocommerce/99999999999", data=b"{}").status_code == 404
