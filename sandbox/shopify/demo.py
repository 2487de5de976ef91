"""Shopify's part of `make run`'s demo (sandbox/demo.py): a sandbox shop with ShipSync installed
through the real OAuth redirects, orders, labels meeting a 503, a hold and a throttle."""
from __future__ import annotations

import random
import time

import requests

from sandbox.demo import PRODUCTS, DemoStore, send_label
from sandbox.shopify import SandboxServer

SHOP = "demo-store.myshopify.com"


def env(port: int) -> dict:
    """What the app needs to reach this sandbox (every ShipSync process gets it)."""
    return {"SHOPIFY_ADMIN_ORIGIN": f"http://127.0.0.1:{port}/shops/{{shop}}"}


def install(app_url: str, shop: str = SHOP) -> None:
    """The merchant's install: app → sandbox authorize page → app callback (cookies kept)."""
    browser = requests.Session()
    start = browser.get(f"{app_url}/auth/shopify", params={"shop": shop}, allow_redirects=False, timeout=10)
    authorize = browser.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=10)
    done = browser.get(authorize.headers["Location"], allow_redirects=False, timeout=30)
    if done.status_code != 302:
        raise SystemExit(f"install failed: {done.status_code} {done.text[:200]}")


def seed_shopify(app_url: str, secret: str, store, shop: str = SHOP) -> list[dict]:
    """Install into the demo shop, create orders and send their labels, a few meeting faults."""
    install(app_url, shop)
    orders = [store.create_order(shop, [{"title": p, "quantity": random.randint(1, 2)}
                                        for p in random.sample(PRODUCTS, random.randint(1, 3))]) for _ in range(12)]
    store.add_fault(shop, "503", count=2, match="ShipSyncOrderFulfillments")  # retried, then synced
    store.hold(shop, orders[3]["id"])  # needs the merchant: release it, then synchronize
    store.add_fault(shop, "throttled", match="fulfillmentCreate")
    for number, order in enumerate(orders[:10]):
        send_label(app_url, secret, order, number, store=shop)
        time.sleep(0.3)
    return orders


def links(shopify_url: str, api_key: str) -> dict:
    return {"shopify_admin": f"{shopify_url}/shops/{SHOP}/admin/apps/{api_key}"}


def start(port: int, app_url: str) -> DemoStore:
    server = SandboxServer().start(port)
    store = server.store
    store.create_shop(SHOP)
    shown = links(server.url, store.api_key)
    numbers = iter(range(12, 10**9))

    def tick(secret: str) -> None:
        order = store.create_order(SHOP, [{"title": random.choice(PRODUCTS), "quantity": 1}])
        send_label(app_url, secret, order, next(numbers), store=SHOP)

    return DemoStore(
        "shopify", shown, [("shopify", SHOP)],
        seed=lambda secret: seed_shopify(app_url, secret, store), tick=tick,
        instructions=f"open {shown['shopify_admin']}\n  (the sandbox's Shopify admin with ShipSync embedded; "
                     "add ?locale=es for Spanish.)")
