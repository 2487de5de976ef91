"""Tiendanube's test driver (tests/platform_drivers.py): its sandbox for every test, the
retry suite's installed store, the abuse suite's /webhooks/tiendanube.

- ``tn_sandbox``  one TiendanubeSandbox for the session; its webhook retry schedule runs
                  2 000 times faster than the platform's (48 h → about 86 s). Every test's
                  settings point the app's TIENDANUBE_AUTH_ORIGIN and _API_ORIGIN at it.
- ``install_tiendanube(client, sandbox, store)`` the merchant's install through the app.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from connectors.tiendanube.webhooks import SIGNATURE_HEADER, sign
from sandbox.tiendanube import TiendanubeSandbox
from tests.helpers import label_payload, make_store, wait_for
from tests.platform_drivers import KNOWN, AbuseDriver, RetryDriver

TIME_SCALE = 1 / 2000
STORE_ID = "2093261"


@pytest.fixture(scope="session")
def tn_sandbox():
    sandbox = TiendanubeSandbox(webhook_time_scale=TIME_SCALE, delivery_timeout=1.0).start()
    yield sandbox
    sandbox.stop()


def settings_changes(request) -> dict:
    url = request.getfixturevalue("tn_sandbox").url
    return {"tiendanube_auth_origin": url, "tiendanube_api_origin": url}


def install_tiendanube(client, sandbox, store) -> None:
    """ShipSync → accept on Tiendanube → the callback, in ``client``'s browser session (signed in after)."""
    before = sandbox.redirect_url
    sandbox.redirect_url = "http://localhost/auth/tiendanube/callback"  # the test client's host
    try:
        start = client.get("/auth/tiendanube")
        state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
        accepted = requests.post(start.headers["Location"], data={"store_id": store.store_id, "state": state},
                                 allow_redirects=False, timeout=10)
    finally:
        sandbox.redirect_url = before
    back = urlsplit(accepted.headers["Location"])
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302, done.get_data(as_text=True)[:300]


def _order_known(app, order_id) -> bool:
    from models import Order

    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Order.id).where(Order.external_id == str(order_id))) is not None


def retry_driver(request, app, client) -> RetryDriver:
    sandbox = request.getfixturevalue("tn_sandbox")
    store = sandbox.create_store(allow_http_webhooks=True)
    request.addfinalizer(lambda: sandbox.remove_store(store.store_id))
    install_tiendanube(client, sandbox, store)
    wait_for(lambda: store.requests("GET", "orders"), message="install tasks")  # the open-order import

    def new_order():
        """An order the app has already read (the label's own import would take the scripted faults)."""
        order = store.create_order([{"name": "Mug", "quantity": 1}])
        app.extensions["shipsync"].queue.import_order(_store_row_id(app, store), str(order["id"]))
        wait_for(lambda: _order_known(app, order["id"]), message="the order imported")
        return order

    def label(order, package_id="PKG-1", tracking="1Z999AA10123456784"):
        return label_payload(order_id=str(order["id"]), package_id=package_id, tracking=tracking,
                             platform="tiendanube", store=str(store.store_id),
                             items=[{"line_item_id": str(order["products"][0]["id"]), "quantity": 1}])

    def fault(kind, count=1, retry_after=None, seconds=None, on_write=False):
        # Tiendanube sends no Retry-After: a 429's wait is the bucket's x-rate-limit-reset.
        wait = retry_after if retry_after is not None else seconds
        store.add_fault(kind, count=count, **({"seconds": wait} if wait is not None else {}),
                        **({"method": "PATCH"} if on_write else {}))

    def tracking(order):
        return [fo["tracking_info"]["code"] for fo in store.fulfillment_orders(order["id"])
                if fo["status"] == "DISPATCHED"]

    with client.session_transaction() as session:  # signed in by the install
        csrf = {"X-CSRF-Token": session["csrf"]}
    return RetryDriver(new_order, label, fault, tracking, csrf, reads_back_lost_writes=True)


def _store_row_id(app, sandbox_store) -> int:
    from models import Store

    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(Store.id).where(Store.platform == "tiendanube",
                                                     Store.domain == str(sandbox_store.store_id)))


def abuse_driver(request, app) -> AbuseDriver:
    make_store(app, "tiendanube", STORE_ID, access_token="tn-token")
    secret = app.config["SETTINGS"].tiendanube_client_secret

    def post(client, payload, topic, store=KNOWN, signature=None):
        if not isinstance(payload, bytes):
            payload = json.dumps({**payload, "store_id": int(STORE_ID) if store == KNOWN else 999, "event": topic})
            payload = payload.encode()
        return client.post("/webhooks/tiendanube", data=payload, content_type="application/json", headers={
            SIGNATURE_HEADER: signature if signature is not None else sign(secret, payload),
            "User-Agent": "Tiendanube webhooks"})

    return AbuseDriver("/webhooks/tiendanube", SIGNATURE_HEADER,
                       ["order/created", "order/updated", "order/cancelled", "app/uninstalled", "store/redact",
                        "customers/redact", "customers/data_request", "product/created"],
                       post, lambda order_id: {"id": int(order_id)})
