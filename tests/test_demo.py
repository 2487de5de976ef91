"""`make run`'s demo starts consistent after a restart (issue 12, defect 1).

The sandbox stores start empty at every run with the same ids, while the app keeps its
database: a restarted demo used to show last run's packages as synchronized on orders the
new sandbox store has unfulfilled (and on hold).
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Order, Package, Store
from sandbox import demo
from sandbox.shopify import demo as shopify_demo
from sandbox.woocommerce import demo as woocommerce_demo
from tests.helpers import wait_for

SHOP = shopify_demo.SHOP


@pytest.fixture
def settings(settings, live_port):
    return settings.replace(app_url=f"http://127.0.0.1:{live_port}", sync_backoff_seconds=0.1)


def settled(app):
    """Every package of the demo shop finished (synced or waiting for the merchant)."""
    with app.extensions["db_sessionmaker"]() as session:
        statuses = session.scalars(select(Package.status).join(Store).where(Store.domain == SHOP)).all()
    return len(statuses) == 10 and set(statuses) <= {"synced", "requires_sync"}


def start_demo(app, live_server, shopify_store):
    """One start of the demo: a fresh sandbox shop (the sandbox restarted), then the seed."""
    shopify_store.reset()
    shopify_store.create_shop(SHOP)
    demo.forget_demo_stores(app.config["SETTINGS"].database_url, [("shopify", SHOP)])
    orders = shopify_demo.seed_shopify(live_server, app.config["SETTINGS"].label_webhook_secret, shopify_store)
    wait_for(lambda: settled(app), timeout=60, message="the demo's packages to settle")
    return orders


def test_a_restarted_demo_shows_what_the_sandbox_store_has(app, live_server, shopify_store, worker):
    start_demo(app, live_server, shopify_store)
    orders = start_demo(app, live_server, shopify_store)

    with app.extensions["db_sessionmaker"]() as session:
        store = session.scalar(select(Store).where(Store.domain == SHOP))
        packages = session.scalars(select(Package).where(Package.store_id == store.id)).all()
        known = {o.external_id for o in session.scalars(select(Order).where(Order.store_id == store.id))}
        shown = {(p.order.external_id, p.status, p.fulfillment_id) for p in packages}
    assert known == {str(o["id"]) for o in orders}  # the install imports every open order
    for order_id, status, fulfillment_id in shown:
        in_store = [f for f in shopify_store.fulfillments(SHOP, order_id) if f["status"] == "SUCCESS"]
        if status == "synced":
            assert [f["id"] for f in in_store] == [fulfillment_id], order_id
        else:
            assert in_store == [], order_id
    held = str(orders[3]["id"])
    assert (held, "requires_sync", None) in shown


def test_the_apps_root_shows_the_demo_links_in_development(settings, tmp_path, monkeypatch):
    import json

    import config
    from app import create_app

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    links = {**shopify_demo.links("http://127.0.0.1:8131", "key"),
             **woocommerce_demo.links("http://127.0.0.1:8130", "http://127.0.0.1:8132/demo")}
    (tmp_path / "demo_links.json").write_text(json.dumps(links))
    body = create_app(settings.replace(app_env="development")).test_client().get("/").get_data(as_text=True)
    assert 'href="http://127.0.0.1:8131/shops/demo-store.myshopify.com/admin/apps/key"' in body
    assert 'href="http://127.0.0.1:8130/auth/woocommerce?store_url=http://127.0.0.1:8132/demo"' in body
    elsewhere = create_app(settings).test_client().get("/").get_data(as_text=True)  # test / production
    assert "demo-store.myshopify.com" not in elsewhere


def test_every_registered_platform_with_a_demo_store_gets_a_port_and_its_settings():
    """`make run` points the app at each demo store: SANDBOX_PORT, then the next ports in order."""
    import connectors

    names = [module.__name__ for module in demo.demo_modules()]
    registered = [f"{connectors.PLATFORMS[name].sandbox}.demo" for name in connectors.REGISTERED]
    assert names == [name for name in registered if name in names]
    assert {"sandbox.shopify.demo", "sandbox.woocommerce.demo"} <= set(names)
    env = demo.demo_env(8131)
    assert env["SHOPIFY_ADMIN_ORIGIN"] == "http://127.0.0.1:8131/shops/{shop}" and env["ALLOW_HTTP_STORES"] == "1"
