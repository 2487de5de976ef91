"""WooCommerce's part of `make run`'s demo (sandbox/demo.py): a sandbox store with the Shipment
Tracking plugin, connected through the real wc-auth redirects, labels meeting a 503."""
from __future__ import annotations

import time

import requests

from sandbox.demo import DemoStore, send_label
from sandbox.woocommerce import WooSandbox

WOO_STORE = "demo"


def env(_port: int) -> dict:
    return {"ALLOW_HTTP_STORES": "1"}  # the sandbox store is http://127.0.0.1


def connect_woocommerce(app_url: str, store_url: str) -> None:
    """The merchant's connect: app → the store's authorize page → keys to the app → back."""
    browser = requests.Session()
    start = browser.get(f"{app_url}/auth/woocommerce", params={"store_url": store_url}, allow_redirects=False,
                        timeout=10)
    approve = browser.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=30)
    done = browser.get(approve.headers["Location"], allow_redirects=False, timeout=10)
    if done.status_code != 302:
        raise SystemExit(f"WooCommerce connect failed: {done.status_code} {done.text[:200]}")


def seed_woocommerce(app_url: str, secret: str, store) -> None:
    """Connect the WooCommerce store (Shipment Tracking plugin) and label some of its orders."""
    connect_woocommerce(app_url, store.url)
    time.sleep(2)  # the worker registers the store's webhooks
    orders = [store.create_order([{"name": "Linen shirt", "quantity": 1}, {"name": "Wool socks", "quantity": 2}])
              for _ in range(4)]
    store.add_fault("503")  # the first sync is retried
    for number, order in enumerate(orders[:3]):
        send_label(app_url, secret, order, number, platform="woocommerce", store=store.url)


def links(app_url: str, woo_url: str) -> dict:
    return {"woocommerce_connect": f"{app_url}/auth/woocommerce?store_url={woo_url}"}


def start(port: int, app_url: str) -> DemoStore:
    store = WooSandbox(port=port).start().create_store(WOO_STORE, "shipment_tracking", allow_http_callback=True)
    shown = links(app_url, store.url)
    return DemoStore(
        "woocommerce", shown, [("woocommerce", store.url)],
        seed=lambda secret: seed_woocommerce(app_url, secret, store),
        instructions=f"open {shown['woocommerce_connect']} and approve\n"
                     "  (the connect flow signs you in to the store's standalone page).")
