"""GET /shopify/order: the admin link on Shopify's order page opens that order in ShipSync."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from models import Order
from tests.helpers import label_payload, make_store, post_label, signed_callback_query

SHOP = "acme.myshopify.com"


def link(client, secret=None, **params):
    params = {"shop": SHOP, "host": "YWRtaW4", "embedded": "1", "id_token": "tok", "locale": "es",
              "timestamp": str(int(time.time())), **params}
    query = signed_callback_query(secret or client.application.config["SETTINGS"].shopify_api_secret, **params)
    return client.get(f"/shopify/order?{query}")


def test_the_order_page_link_opens_that_orders_details(app, client, db_session):
    make_store(app)
    post_label(client, label_payload(order_id="5001"))
    order = db_session.scalar(select(Order))
    order.name = "#1001"
    db_session.commit()
    response = link(client, id="5001")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/"
    assert parse_qs(target.query) == {"shop": [SHOP], "host": ["YWRtaW4"], "embedded": ["1"], "id_token": ["tok"],
                                      "locale": ["es"], "tab": ["all"], "q": ["#1001"], "order": [str(order.id)]}


def test_a_gid_is_accepted_and_an_unknown_order_is_searched_for(app, client):
    make_store(app)
    response = link(client, id="gid://shopify/Order/777")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert response.status_code == 302 and query["q"] == ["777"] and "order" not in query


def test_another_stores_order_is_not_revealed(app, client, db_session):
    make_store(app, domain="other.myshopify.com")
    post_label(client, label_payload(order_id="5001", store="other.myshopify.com"))
    response = link(client, id="5001")
    assert "order" not in parse_qs(urlsplit(response.headers["Location"]).query)


def test_a_forged_or_malformed_link_is_refused(app, client):
    make_store(app)
    assert link(client, secret="not-the-app-secret", id="5001").status_code == 401
    assert link(client, id="DROP TABLE").status_code == 400
    assert link(client, shop="evil.example.com", id="5001").status_code == 400
