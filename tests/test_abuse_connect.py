"""Abuse suite: the WooCommerce connect flow against a stranger (issue 8, critical finding).

Anyone can start the connect flow for any store URL and so hold a genuine signed
``user_id``; what they must not get is the store's keys replaced or a session on its page.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from models import Store
from stores import store_access
from tests.fixtures_woocommerce import connect_woocommerce


def _user_id(client, store_url: str) -> str:
    start = client.get("/auth/woocommerce", query_string={"store_url": store_url})
    return parse_qs(urlsplit(start.headers["Location"]).query)["user_id"][0]


def _post_keys(app, user_id: str, key: str, secret: str) -> requests.Response:
    callback = f"{app.config['SETTINGS'].app_url}/auth/woocommerce/callback"
    return requests.post(callback, json={"key_id": 77, "user_id": user_id, "consumer_key": key,
                                         "consumer_secret": secret, "key_permissions": "read_write"}, timeout=10)


def _credentials(app, store_id):
    with app.extensions["db_sessionmaker"]() as session:
        return store_access(session.get(Store, store_id), app.extensions["shipsync"].cipher).credentials


def test_a_stranger_posting_made_up_keys_neither_replaces_the_keys_nor_gets_a_session(client, app, woo_store):
    store_id = connect_woocommerce(client, woo_store.url)
    real = _credentials(app, store_id)

    stranger = app.test_client()
    user_id = _user_id(stranger, woo_store.url)
    answer = _post_keys(app, user_id, "ck_" + "a" * 40, "cs_" + "b" * 40)
    assert answer.status_code == 403  # not 200: WooCommerce deletes the key it made

    assert _credentials(app, store_id).access_token == real.access_token
    back = stranger.get("/auth/woocommerce/return", query_string={"success": "1", "user_id": user_id})
    assert back.status_code == 409 and b"not completed" in back.data
    assert stranger.get("/api/store").status_code == 401
    # The store keeps syncing with its real keys: the merchant's session still works too.
    assert client.get("/api/store").json["status"] == "active"


def test_keys_of_another_store_are_refused(client, app, woo_sandbox, woo_store):
    """Working keys, but not this store's: the check calls the store the user_id names."""
    other = woo_sandbox.create_store(allow_http_callback=True)
    try:
        key = other.issue_key()
        store_id = connect_woocommerce(client, woo_store.url)
        real = _credentials(app, store_id)
        answer = _post_keys(app, _user_id(app.test_client(), woo_store.url), key["consumer_key"],
                            key["consumer_secret"])
        assert answer.status_code == 403
        assert _credentials(app, store_id).access_token == real.access_token
    finally:
        woo_sandbox.remove_store(other.name)


def test_a_new_store_with_unverified_keys_is_not_created(client, app, woo_store):
    answer = _post_keys(app, _user_id(client, woo_store.url), "ck_" + "c" * 40, "cs_" + "d" * 40)
    assert answer.status_code == 403
    with app.extensions["db_sessionmaker"]() as session:
        assert session.query(Store).count() == 0


def test_keys_arriving_without_the_browser_sign_in_only_the_browser_that_started(client, app, woo_store):
    """The store posts keys server-to-server; the return step still wants the flow's own browser."""
    user_id = _user_id(client, woo_store.url)
    key = woo_store.issue_key()
    assert _post_keys(app, user_id, key["consumer_key"], key["consumer_secret"]).status_code == 200
    stranger = app.test_client()
    back = stranger.get("/auth/woocommerce/return", query_string={"success": "1", "user_id": user_id})
    assert back.status_code == 403 and stranger.get("/api/store").status_code == 401
    assert client.get("/auth/woocommerce/return",
                      query_string={"success": "1", "user_id": user_id}).status_code == 302
    assert client.get("/api/store").status_code == 200


def test_reconnecting_signs_out_older_sessions_and_sign_out_ends_a_session(client, app, woo_store):
    connect_woocommerce(client, woo_store.url)
    second = app.test_client()
    connect_woocommerce(second, woo_store.url)
    assert second.get("/api/store").status_code == 200
    assert client.get("/api/store").status_code == 401  # the older connect's session is void

    page = second.get("/").get_data(as_text=True)
    assert 'action="/auth/woocommerce/sign-out"' in page  # the standalone page offers it
    signed_out = second.post("/auth/woocommerce/sign-out")
    assert signed_out.status_code == 303 and signed_out.headers["Location"] == "/"
    assert second.get("/api/store").status_code == 401
