"""`make run`'s third demo store: the Tiendanube sandbox, installed through the real redirects,
its labels synced by the worker (one order split over two locations, a 429 waited out)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import ACTIVE, Package, Store
from sandbox import demo
from sandbox.tiendanube import demo as tiendanube_demo
from tests.helpers import wait_for

TN_STORE_ID = tiendanube_demo.TN_STORE_ID


@pytest.fixture
def settings(settings, live_port):
    return settings.replace(app_url=f"http://127.0.0.1:{live_port}", sync_backoff_seconds=0.1)


@pytest.fixture
def demo_sandbox(tn_sandbox, to_live_app):
    yield tn_sandbox
    tn_sandbox.remove_store(TN_STORE_ID)


def test_the_demo_installs_its_tiendanube_store_and_its_labels_sync(app, worker, live_server, demo_sandbox):
    tiendanube_demo.seed_tiendanube(live_server, app.config["SETTINGS"].label_webhook_secret, demo_sandbox)

    def statuses():
        with app.extensions["db_sessionmaker"]() as session:
            return session.scalars(select(Package.status).join(Store).where(Store.platform == "tiendanube")).all()
    wait_for(lambda: statuses() == ["synced"] * 3, timeout=60, message="the demo's three packages synced")
    with app.extensions["db_sessionmaker"]() as session:
        store = session.scalar(select(Store).where(Store.platform == "tiendanube", Store.domain == str(TN_STORE_ID)))
    assert store.status == ACTIVE
    sandbox_store = demo_sandbox.stores[TN_STORE_ID]
    assert sorted(hook["event"] for hook in sandbox_store.webhook_list()) == [
        "app/uninstalled", "order/cancelled", "order/created", "order/updated"]  # the 429 came after them
    fos = [fo for order_id in sandbox_store.orders for fo in sandbox_store.fulfillment_orders(order_id)]
    assert len(fos) == 4 and {fo["status"] for fo in fos} == {"DISPATCHED"}  # the split order: two dispatches


def test_make_run_points_the_app_at_a_third_demo_store():
    env = demo.demo_env(8131)
    assert [m.__name__ for m in demo.demo_modules()][-1] == "sandbox.tiendanube.demo"
    assert env["TIENDANUBE_AUTH_ORIGIN"] == env["TIENDANUBE_API_ORIGIN"] == "http://127.0.0.1:8133"
    assert tiendanube_demo.links("http://127.0.0.1:8130") == {"tiendanube_install": "http://127.0.0.1:8130/auth/tiendanube"}
