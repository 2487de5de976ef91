"""Connecting a WooCommerce store (DESIGN §4): /auth/woocommerce → the store's authorize page →
the store posts keys to our callback → the merchant returns signed in; webhooks follow from the worker."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from models import ACTIVE, Order, Store
from stores import store_access
from tests.fixtures_woocommerce import connect_woocommerce
from tests.helpers import wait_for

TOPICS = {"order.created", "order.updated", "order.deleted"}


def _orders(app, store_id):
    # A fresh session per look: SQLite transactions here take the write lock (BEGIN IMMEDIATE).
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalars(select(Order).where(Order.store_id == store_id)).all()


def _store(app, store_id):
    with app.extensions["db_sessionmaker"]() as session:
        return session.get(Store, store_id)


def test_start_redirects_to_the_store_authorize_page_with_a_signed_user_id(client, app):
    response = client.get("/auth/woocommerce", query_string={"store_url": "HTTPS://Shop.Example.com/"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", "shop.example.com", "/wc-auth/v1/authorize")
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    app_url = app.config["SETTINGS"].app_url
    assert query["app_name"] == "ShipSync" and query["scope"] == "read_write"
    assert query["return_url"] == f"{app_url}/auth/woocommerce/return"
    assert query["callback_url"] == f"{app_url}/auth/woocommerce/callback"
    from auth.woocommerce import read_user_id
    with app.test_request_context():
        assert read_user_id(query["user_id"])["store"] == "https://shop.example.com"
        assert read_user_id(query["user_id"] + "x") is None


@pytest.mark.parametrize("store_url", ["", "ftp://shop.example.com", "https://user:pw@shop.example.com",
                                       "https://shop.example.com/?a=1", "https://", "https://shop .example.com"])
def test_start_refuses_what_is_not_a_store_url(client, store_url):
    assert client.get("/auth/woocommerce", query_string={"store_url": store_url}).status_code == 400


def test_http_stores_are_refused_unless_allowed(client, app):
    assert client.get("/auth/woocommerce", query_string={"store_url": "http://127.0.0.1:9/shop"}).status_code == 302
    app.config["SETTINGS"] = app.config["SETTINGS"].replace(allow_http_stores=False)
    response = client.get("/auth/woocommerce", query_string={"store_url": "http://127.0.0.1:9/shop"})
    assert response.status_code == 400 and b"https://" in response.data


def test_connect_stores_keys_signs_in_and_registers_the_three_webhooks(client, app, woo_store, worker):
    order = woo_store.create_order()  # placed before connecting: imported by the install work
    store_id = connect_woocommerce(client, woo_store.url)

    store = _store(app, store_id)
    assert (store.platform, store.domain, store.status) == ("woocommerce", woo_store.url, ACTIVE)
    credentials = store_access(store, app.extensions["shipsync"].cipher).credentials
    issued = list(woo_store.keys.values())
    assert len(issued) == 1 and credentials.access_token == issued[0]["consumer_key"]
    assert credentials.consumer_secret == issued[0]["consumer_secret"] and credentials.webhook_secret
    assert issued[0]["consumer_secret"] not in store.credentials_encrypted  # encrypted at rest

    hooks = wait_for(lambda: len(woo_store.webhook_list()) == 3 and woo_store.webhook_list(),
                     message="three webhooks")
    assert {h["topic"] for h in hooks} == TOPICS
    assert {h["delivery_url"] for h in hooks} == {f"{app.config['SETTINGS'].app_url}/webhooks/woocommerce/{store_id}"}
    assert all(h["status"] == "active" for h in hooks)
    assert all(woo_store.webhook_secret(h["id"]) == credentials.webhook_secret for h in hooks)
    pings = wait_for(lambda: len(woo_store.deliveries("ping")) == 3 and woo_store.deliveries("ping"),
                     message="three pings")
    assert all(p["status"] == 200 for p in pings)  # answered while the worker waited for the store

    imported = wait_for(lambda: _orders(app, store_id), message="open orders imported")
    assert [o.external_id for o in imported] == [str(order["id"])]

    assert client.get("/api/store").json["platform"] == "woocommerce"  # signed in by the return step


def test_reconnecting_keeps_the_webhook_secret_and_does_not_duplicate_webhooks(client, app, woo_store, worker):
    store_id = connect_woocommerce(client, woo_store.url)
    wait_for(lambda: len(woo_store.webhook_list()) == 3, message="three webhooks")
    secret = store_access(_store(app, store_id), app.extensions["shipsync"].cipher).credentials.webhook_secret

    assert connect_woocommerce(client, woo_store.url) == store_id
    credentials = store_access(_store(app, store_id), app.extensions["shipsync"].cipher).credentials
    assert credentials.webhook_secret == secret
    assert credentials.access_token == max(woo_store.keys.values(), key=lambda k: k["key_id"])["consumer_key"]
    wait_for(lambda: len([r for r in woo_store.requests("GET", "wc/v3/webhooks")]) >= 2, message="second check")
    assert len(woo_store.webhook_list()) == 3


def test_a_forged_user_id_is_refused_and_nothing_is_stored(client, app, woo_store):
    callback = f"{app.config['SETTINGS'].app_url}/auth/woocommerce/callback"
    body = {"key_id": 1, "user_id": "forged", "consumer_key": "ck_" + "a" * 40, "consumer_secret": "cs_" + "b" * 40,
            "key_permissions": "read_write"}
    response = requests.post(callback, json=body, timeout=5)
    assert response.status_code == 403
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalars(select(Store)).all() == []


def test_a_key_from_a_store_that_forged_its_user_id_is_deleted_by_the_store(client, app, woo_store):
    """The store sees a non-200 from our callback and deletes the key, as WooCommerce does."""
    start = client.get("/auth/woocommerce", query_string={"store_url": woo_store.url})
    location = start.headers["Location"].replace("user_id=", "user_id=x")
    answer = requests.get(location, params={"auto": "1"}, allow_redirects=False, timeout=30)
    assert answer.status_code == 401 and "unable to send the consumer data" in answer.text
    assert woo_store.keys == {}
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalars(select(Store)).all() == []


def test_a_read_only_key_is_refused(client, app, woo_store):
    start = client.get("/auth/woocommerce", query_string={"store_url": woo_store.url})
    location = start.headers["Location"].replace("scope=read_write", "scope=read")
    answer = requests.get(location, params={"auto": "1"}, allow_redirects=False, timeout=30)
    assert answer.status_code == 401 and woo_store.keys == {}
    with app.extensions["db_sessionmaker"]() as session:
        assert session.scalars(select(Store)).all() == []


def test_the_return_step_needs_stored_keys_and_the_browser_that_started(client, app, woo_store):
    start = client.get("/auth/woocommerce", query_string={"store_url": woo_store.url})
    user_id = parse_qs(urlsplit(start.headers["Location"]).query)["user_id"][0]
    # The merchant denied, or the store could not reach us: no keys for this user_id.
    response = client.get("/auth/woocommerce/return", query_string={"success": "1", "user_id": user_id})
    assert response.status_code == 409 and b"not completed" in response.data
    assert client.get("/api/store").status_code == 401
    denied = client.get("/auth/woocommerce/return", query_string={"success": "0", "user_id": user_id})
    assert denied.status_code == 400

    requests.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=30)
    other_browser = app.test_client()
    response = other_browser.get("/auth/woocommerce/return", query_string={"success": "1", "user_id": user_id})
    assert response.status_code == 403 and other_browser.get("/api/store").status_code == 401
    assert client.get("/auth/woocommerce/return", query_string={"success": "1", "user_id": user_id}).status_code == 302


def test_an_http_callback_is_refused_by_a_store_that_requires_ssl(client, woo_sandbox, live_app):
    strict = woo_sandbox.create_store()  # allow_http_callback=False, like a real store
    try:
        start = client.get("/auth/woocommerce", query_string={"store_url": strict.url})
        answer = requests.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=30)
        assert answer.status_code == 401 and "callback_url needs to be over SSL" in answer.text
        assert strict.keys == {}
    finally:
        woo_sandbox.remove_store(strict.name)


def test_two_connects_started_in_two_tabs_both_return(client, app, woo_sandbox, live_app):
    first, second = woo_sandbox.create_store(allow_http_callback=True), woo_sandbox.create_store(
        allow_http_callback=True)
    try:
        starts = [client.get("/auth/woocommerce", query_string={"store_url": s.url}) for s in (first, second)]
        answers = [requests.get(s.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=30)
                   for s in starts]
        back = urlsplit(answers[0].headers["Location"])
        assert client.get(f"{back.path}?{back.query}").status_code == 302  # the first tab, started first
        assert client.get("/api/store").json["store"] == first.url
    finally:
        woo_sandbox.remove_store(first.name)
        woo_sandbox.remove_store(second.name)


def test_a_user_id_delivers_keys_once(client, app, woo_store):
    store_id = connect_woocommerce(client, woo_store.url)
    start = client.get("/auth/woocommerce", query_string={"store_url": woo_store.url})
    user_id = parse_qs(urlsplit(start.headers["Location"]).query)["user_id"][0]
    key, other = woo_store.issue_key(), woo_store.issue_key()
    body = {"key_id": key["key_id"], "user_id": user_id, "consumer_key": key["consumer_key"],
            "consumer_secret": key["consumer_secret"], "key_permissions": "read_write"}
    callback = f"{app.config['SETTINGS'].app_url}/auth/woocommerce/callback"
    assert requests.post(callback, json=body, timeout=5).status_code == 200
    replay = dict(body, consumer_key=other["consumer_key"], consumer_secret=other["consumer_secret"])
    assert requests.post(callback, json=replay, timeout=5).status_code == 409
    credentials = store_access(_store(app, store_id), app.extensions["shipsync"].cipher).credentials
    assert credentials.access_token == key["consumer_key"]


@pytest.mark.parametrize("store_url", ["https://127.0.0.1/shop", "https://10.0.0.5", "https://localhost:8443",
                                       "https://[::1]/shop", "https://169.254.169.254", "https://no-such-host.invalid",
                                       "https://[64:ff9b::a00:5]", "https://100.64.0.1"])
def test_a_store_url_on_a_private_or_unknown_host_is_refused(client, app, store_url):
    """The worker would call it: no probing of ShipSync's own network through a fake store."""
    app.config["SETTINGS"] = app.config["SETTINGS"].replace(allow_http_stores=False)
    assert client.get("/auth/woocommerce", query_string={"store_url": store_url}).status_code == 400


def test_a_public_store_address_is_accepted(client, app):
    app.config["SETTINGS"] = app.config["SETTINGS"].replace(allow_http_stores=False)
    response = client.get("/auth/woocommerce", query_string={"store_url": "https://93.184.215.14/shop"})
    assert response.status_code == 302 and response.headers["Location"].startswith("https://93.184.215.14/shop/")
