"""WooCommerce fixtures and helpers (loaded by the root conftest through ``pytest_plugins``).

- ``woo_sandbox``     one WooSandbox server for the session (``.url``; stores under ``/stores/<name>``).
- ``live_app``        the test's ``app`` also served over real HTTP, its APP_URL pointing there,
                      so the sandbox can post keys to the connect callback and deliver
                      webhooks (returns the base URL).
- ``woo_store``       a fresh sandbox store (control object; ``.url`` is the store URL), with
                      ``live_app`` running. Backend ``shipment_tracking`` unless parametrised
                      indirectly: ``@pytest.mark.parametrize("woo_store", ["native"], indirect=True)``.
- ``woo_connected``   ``woo_store`` connected through the real authorize dance, its webhooks
                      registered by the (running) ``worker``: ``.store``, ``.store_id``, ``.url``.
- ``connect_woocommerce(client, store_url)`` the whole connect dance; returns the Store id.
- ``create_woo_order(app, store, lines)`` a sandbox order, once the app has imported it.
- ``woo_label(store, order, items=…)`` a label payload for a sandbox order.
- ``make_woo_store(app, url, webhook_secret=…)`` a connected store row without a sandbox.
"""
from __future__ import annotations

import dataclasses
import threading
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from sandbox.woocommerce import SandboxStore, WooSandbox
from tests.helpers import label_payload


@pytest.fixture(scope="session")
def woo_sandbox():
    sandbox = WooSandbox().start()
    yield sandbox
    sandbox.stop()


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live_app(app):
    """Serve ``app`` on a free port (threads: a store's webhook ping arrives while the worker
    waits for the store's answer) and make that its public URL for this test."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    url = f"http://127.0.0.1:{server.server_port}"
    settings = app.config["SETTINGS"].replace(app_url=url)
    app.config["SETTINGS"] = settings
    app.extensions["shipsync"].settings = settings
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def woo_store(request, woo_sandbox, live_app) -> SandboxStore:
    backend = getattr(request, "param", "shipment_tracking")
    store = woo_sandbox.create_store(backend=backend, allow_http_callback=True)
    yield store
    woo_sandbox.remove_store(store.name)


@dataclasses.dataclass
class Connected:
    store: SandboxStore
    store_id: int

    @property
    def url(self) -> str:
        return self.store.url


@pytest.fixture
def woo_connected(client, woo_store, worker) -> Connected:
    """Connected, with the install work done by the worker: the three webhooks exist."""
    from tests.helpers import wait_for

    connected = Connected(woo_store, connect_woocommerce(client, woo_store.url))
    wait_for(lambda: len([w for w in woo_store.webhook_list() if w["status"] == "active"]) == 3,
             message="the store's three webhooks")
    # The install's last store call imports open orders: past it, scripted faults meet only the test.
    # (The connect callback's key check reads one order: per_page=1; the import reads pages of 100.)
    wait_for(lambda: [r for r in woo_store.requests("GET") if r["route"] == "wc/v3/orders" and r["status"]
                      and r["query"].get("per_page") != "1"], message="the install's order import")
    return connected


def connect_woocommerce(client, store_url: str, expect_success: bool = True) -> int | None:
    """Connect a sandbox store the way a merchant does: /auth/woocommerce → the store's
    authorize page (approved with ``auto=1``) → the store posts keys to our callback →
    the browser returns and is signed in. Needs the ``live_app`` fixture. Returns the Store id."""
    from models import Store
    from stores import find_store

    start = client.get("/auth/woocommerce", query_string={"store_url": store_url})
    assert start.status_code == 302, start.data
    authorize = requests.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=30)
    if not expect_success:
        return None
    assert authorize.status_code == 302, authorize.text
    back = urlsplit(authorize.headers["Location"])
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302 and done.headers["Location"].endswith("/"), done.data
    with client.application.extensions["db_sessionmaker"]() as session:
        store = find_store(session, "woocommerce", store_url)
        assert isinstance(store, Store)
        return store.id


def create_woo_order(app, store: SandboxStore, lines=None, **fields) -> dict:
    """A sandbox order, returned once its order.created webhook has reached the app (needs a
    connected store and the worker): a label for it then starts only its sync, so scripted
    faults meet the sync and not the import of an unseen order."""
    from sqlalchemy import select

    from models import Order
    from tests.helpers import wait_for

    order = store.create_order(lines, **fields)

    def imported():
        with app.extensions["db_sessionmaker"]() as session:  # fresh each time: SQLite locks on BEGIN
            return session.scalar(select(Order.id).where(Order.external_id == str(order["id"])))
    wait_for(imported, message=f"order {order['id']} imported from its order.created webhook")
    return order


def make_woo_store(app, url: str = "https://shop.example.com", *, consumer_key: str = "ck_test",
                   consumer_secret: str = "cs_test", webhook_secret: str = "whsec-test", **fields) -> int:
    """A connected WooCommerce store row, for tests that are not about connecting."""
    from connectors.base import Credentials
    from models import Store
    from stores import normalize_domain
    from stores import save_credentials

    with app.extensions["db_sessionmaker"]() as session, session.begin():
        store = Store(platform="woocommerce", domain=normalize_domain("woocommerce", url), name=url, options={},
                      **fields)
        save_credentials(store, Credentials(access_token=consumer_key, consumer_secret=consumer_secret,
                                            webhook_secret=webhook_secret), app.extensions["shipsync"].cipher)
        session.add(store)
        session.flush()
        return store.id


def woo_label(store: SandboxStore, order: dict, items=None, package_id: str = "PKG-1",
              tracking: str = "1Z999AA10123456784", **overrides) -> dict:
    """A label.created payload for a sandbox order; ``items`` as ``[(line_index, quantity)]``
    (default: every line in full)."""
    lines = order["line_items"]
    chosen = items if items is not None else [(i, line["quantity"]) for i, line in enumerate(lines)]
    return label_payload(order_id=str(order["id"]), package_id=package_id, tracking=tracking, platform="woocommerce",
                         store=store.url, items=[{"line_item_id": str(lines[i]["id"]), "quantity": q}
                                                 for i, q in chosen], **overrides)


__all__ = ["WooSandbox", "connect_woocommerce", "create_woo_order", "woo_label", "make_woo_store", "Connected"]
