"""Installing into Shopify: OAuth code grant, token exchange, refresh under a lock (issue 3)."""
from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from connectors.base import TOKEN_EXPIRED, ConnectorError
from models import Package, Store
import stores
from sync import credentials
from tests.helpers import install_shopify, make_store, query_of, signed_callback_query, wait_for

SHOP = "acme.myshopify.com"
TOPICS = {"ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE",
          "APP_UNINSTALLED"}


def stored_store(app) -> Store | None:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Store).where(Store.domain == SHOP))


def test_install_stores_encrypted_tokens_and_subscribes_webhooks(app, client, shopify_store, worker):
    shopify_store.create_shop(SHOP)
    shopify_store.create_order(SHOP, [{"title": "Open order", "quantity": 1}])
    install_shopify(client, SHOP)
    store = stored_store(app)
    assert store.status == "active" and store.token_expires_at is not None
    pair = shopify_store.tokens.current_pair(SHOP)
    assert pair["access_token"] not in store.credentials_encrypted
    assert stores.store_access(store, app.extensions["shipsync"].cipher).credentials.access_token \
        == pair["access_token"]
    wait_for(lambda: {w["topic"] for w in shopify_store.webhook_subscriptions(SHOP)} == TOPICS,
             message="the five subscriptions")
    assert all(w["uri"].endswith("/webhooks/shopify") for w in shopify_store.webhook_subscriptions(SHOP))
    # The open order is imported so that the page is not empty after install.
    wait_for(lambda: client.get("/api/orders?tab=all", headers=_api(app)).json["total"] == 1, message="import")


def _api(app):
    from tests.helpers import api_headers

    return api_headers(app.config["SETTINGS"], SHOP)


def _authorized_callback(client, shopify_store):
    start = client.get(f"/auth/shopify?shop={SHOP}")
    authorize = requests.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=5)
    return query_of(authorize.headers["Location"])


def _token_requests(shopify_store):
    return shopify_store.requests(SHOP, kind="token")


@pytest.mark.parametrize("tamper, status", [
    (lambda q, s: {**q, "hmac": "0" * 64}, 401),
    (lambda q, s: {**q, "code": "other-code"}, 401),
    (lambda q, s: query_of("?" + signed_callback_query(s, **{**_unsigned(q), "state": "forged"})), 403),
    (lambda q, s: query_of("?" + signed_callback_query(s, **{**_unsigned(q), "timestamp": str(int(time.time()) - 3600)})), 400),
    (lambda q, s: query_of("?" + signed_callback_query(s, **{**_unsigned(q), "shop": "evil.example.com"})), 400),
])
def test_a_bad_callback_is_refused_and_no_token_requested(app, client, shopify_store, tamper, status):
    shopify_store.create_shop(SHOP)
    query = tamper(_authorized_callback(client, shopify_store), app.config["SETTINGS"].shopify_api_secret)
    from urllib.parse import urlencode

    response = client.get("/auth/shopify/callback?" + urlencode(query))
    assert response.status_code == status
    assert _token_requests(shopify_store) == []
    assert stored_store(app) is None


def _unsigned(query: dict) -> dict:
    return {k: v for k, v in query.items() if k != "hmac"}


def test_a_callback_cannot_be_replayed(app, client, shopify_store):
    shopify_store.create_shop(SHOP)
    query = _authorized_callback(client, shopify_store)
    from urllib.parse import urlencode

    assert client.get("/auth/shopify/callback?" + urlencode(query)).status_code == 302
    assert client.get("/auth/shopify/callback?" + urlencode(query)).status_code == 403  # state is single-use
    assert len(_token_requests(shopify_store)) == 1


@pytest.mark.parametrize("shop", ["evil.example.com", "", "acme.myshopify.com.evil.com", "-x.myshopify.com"])
def test_an_invalid_shop_domain_is_a_400(client, shop):
    response = client.get(f"/auth/shopify?shop={shop}")
    assert response.status_code == 400


def test_the_install_redirect_names_the_app_and_scopes(client, settings):
    response = client.get(f"/auth/shopify?shop={SHOP}")
    location = response.headers["Location"]
    assert location.startswith(settings.shopify_admin_origin.format(shop=SHOP) + "/admin/oauth/authorize")
    query = query_of(location)
    assert query["client_id"] == settings.shopify_api_key and query["scope"] == settings.shopify_scopes
    assert query["redirect_uri"] == "http://127.0.0.1:8000/auth/shopify/callback" and len(query["state"]) > 20


def test_token_exchange_on_the_app_home_gives_an_offline_token(app, client, shopify_store, worker):
    shopify_store.create_shop(SHOP)
    id_token = shopify_store.session_token(SHOP)
    response = client.get(f"/?shop={SHOP}&host=abc&embedded=1&id_token={id_token}")
    assert response.status_code == 200
    store = stored_store(app)
    assert store is not None and store.status == "active"
    token = stores.store_access(store, app.extensions["shipsync"].cipher).credentials.access_token
    assert token == shopify_store.tokens.current_pair(SHOP)["access_token"]
    wait_for(lambda: len(shopify_store.webhook_subscriptions(SHOP)) == 5, message="subscriptions")


def test_a_forged_id_token_gets_no_token(app, client, shopify_store):
    import jwt

    shopify_store.create_shop(SHOP)
    forged = jwt.encode({"dest": f"https://{SHOP}", "aud": app.config["SETTINGS"].shopify_api_key,
                         "exp": int(time.time()) + 60, "nbf": int(time.time()) - 1}, "x" * 32, algorithm="HS256")
    client.get(f"/?shop={SHOP}&host=abc&embedded=1&id_token={forged}")
    assert stored_store(app) is None and _token_requests(shopify_store) == []


def test_two_workers_hitting_an_expired_token_refresh_once(app, client, shopify_store):
    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    store = stored_store(app)
    services = app.extensions["shipsync"]
    stale = stores.store_access(store, services.cipher)
    shopify_store.expire_access_token(SHOP)
    results, barrier = [], threading.Barrier(4)

    def refresh():
        barrier.wait()
        results.append(credentials.refresh(services.sync_engine.sessionmaker, services.cipher, services.settings,
                                           store.id, stale.credentials.access_token))
    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert shopify_store.refresh_count(SHOP) == 1
    assert len({r.credentials.access_token for r in results}) == 1
    assert results[0].credentials.access_token != stale.credentials.access_token
    assert results[0].credentials.refresh_token != stale.credentials.refresh_token  # both rotated


def test_a_refresh_asks_the_store_while_others_go_on_writing(app, client, shopify_store, monkeypatch):
    """No transaction is open during the store's answer: on SQLite it would hold the one write
    lock (every label's intake) for as long as the store takes."""
    from connectors.shopify import ShopifyConnector

    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    store = stored_store(app)
    services = app.extensions["shipsync"]
    stale = stores.store_access(store, services.cipher)
    wrote, ask_the_store = [], ShopifyConnector.refresh_credentials

    def asked_while_another_writes(connector):
        writer = threading.Thread(target=lambda: wrote.append(make_store(app, domain="other.myshopify.com")))
        writer.start()
        writer.join(timeout=10)
        return ask_the_store(connector)
    monkeypatch.setattr(ShopifyConnector, "refresh_credentials", asked_while_another_writes)
    fresh = credentials.refresh(services.sync_engine.sessionmaker, services.cipher, services.settings, store.id,
                                stale.credentials.access_token)
    assert len(wrote) == 1
    assert fresh.credentials.access_token != stale.credentials.access_token


def test_a_refused_refresh_marks_the_store_for_reauthorization(app, client, shopify_store):
    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    store = stored_store(app)
    services = app.extensions["shipsync"]
    shopify_store.revoke_refresh_token(SHOP)
    with pytest.raises(ConnectorError) as error:
        credentials.refresh(services.sync_engine.sessionmaker, services.cipher, services.settings, store.id,
                            stores.store_access(store, services.cipher).credentials.access_token)
    assert error.value.cause == TOKEN_EXPIRED
    assert stored_store(app).status == "reauth_required"


def _erase_store(app) -> None:
    """What an uninstall's shop/redact (or the demo forgetting its stores) does to the row."""
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        assert stores.forget_store(session, "shopify", SHOP)


def _erased_while_the_store_is_asked(app, monkeypatch) -> None:
    from connectors.shopify import ShopifyConnector

    ask_the_store = ShopifyConnector.refresh_credentials

    def erased_meanwhile(connector):
        _erase_store(app)
        return ask_the_store(connector)
    monkeypatch.setattr(ShopifyConnector, "refresh_credentials", erased_meanwhile)


@pytest.mark.parametrize("erased_before_its_turn", [True, False])
def test_a_store_erased_during_a_refresh_ends_it_by_name(app, client, shopify_store, monkeypatch,
                                                       erased_before_its_turn):
    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    store = stored_store(app)
    services = app.extensions["shipsync"]
    stale = stores.store_access(store, services.cipher).credentials.access_token
    if erased_before_its_turn:
        _erase_store(app)
    else:
        _erased_while_the_store_is_asked(app, monkeypatch)
    with pytest.raises(credentials.StoreGone):
        credentials.refresh(services.sync_engine.sessionmaker, services.cipher, services.settings, store.id, stale)
    assert shopify_store.refresh_count(SHOP) == (0 if erased_before_its_turn else 1)
    assert stored_store(app) is None  # nothing written back for a store that is gone


def test_a_sync_whose_store_is_erased_during_the_refresh_ends_quietly(app, client, shopify_store, monkeypatch,
                                                                     caplog):
    from sync.engine import SKIPPED
    from tests.helpers import label_payload, post_label

    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    order = shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 1}])
    accepted = post_label(client, label_payload(order_id=order["id"], items=[
        {"line_item_id": order["line_items"][0]["id"], "quantity": 1}]))
    assert accepted.status_code == 202, accepted.json
    shopify_store.expire_access_token(SHOP)
    _erased_while_the_store_is_asked(app, monkeypatch)
    with app.extensions["db_sessionmaker"]() as session:
        package_id = session.scalar(select(Package.id))
    with caplog.at_level("INFO", logger="sync.engine"):
        assert app.extensions["shipsync"].sync_engine.sync_package(package_id) == SKIPPED
    assert shopify_store.fulfillments(SHOP, order["id"]) == []
    assert f"package {package_id} skipped: its store was erased" in caplog.text
    assert not any(record.exc_info for record in caplog.records)


def test_store_work_whose_store_is_erased_during_the_refresh_ends_quietly(app, client, shopify_store, monkeypatch):
    from sync import tasks

    shopify_store.create_shop(SHOP)
    install_shopify(client, SHOP)
    store = stored_store(app)
    order = shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 1}])
    shopify_store.expire_access_token(SHOP)
    _erased_while_the_store_is_asked(app, monkeypatch)
    assert tasks.import_order.call_local(store.id, str(order["id"])) is None
    assert shopify_store.refresh_count(SHOP) == 1


def test_after_install_the_merchant_lands_in_the_app_inside_the_admin(app, client, shopify_store, settings):
    shopify_store.create_shop(SHOP)
    start = client.get(f"/auth/shopify?shop={SHOP}")
    authorize = requests.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=5)
    callback = urlsplit(authorize.headers["Location"])
    done = client.get(f"{callback.path}?{callback.query}")
    admin_page = settings.shopify_admin_origin.format(shop=SHOP) + f"/admin/apps/{settings.shopify_api_key}"
    assert done.headers["Location"] == admin_page
    # The (sandbox) admin frames the app with a session token the app accepts.
    frame = requests.get(admin_page, timeout=5).text
    src = frame.split('<iframe src="')[1].split('"')[0].replace("&amp;", "&")
    assert src.startswith(settings.app_url + "/?")
    page = client.get(src.removeprefix(settings.app_url))
    assert page.status_code == 200
    token = query_of(src)["id_token"]  # and the page's own token works on the API
    assert client.get("/api/store", headers={"Authorization": f"Bearer {token}"}).json["store"] == SHOP
