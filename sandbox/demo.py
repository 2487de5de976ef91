"""`make run`'s third process: sandbox stores with demo data, so a newcomer sees syncs happen.

It starts the Shopify sandbox on SANDBOX_PORT and the WooCommerce sandbox on the next
port, installs the app into a demo shop of each through the real OAuth and connect
redirects, creates orders, and sends signed labels — some of which meet scripted store
faults (a 503 retried, a hold that needs the merchant, a throttle) — then keeps sending a
label every half minute. Open the printed links to watch.
"""
from __future__ import annotations

import json
import os
import random
import time

import requests

from config import SANDBOX_LABEL_WEBHOOK_SECRET
from sandbox.shopify import SandboxServer
from sandbox.woocommerce import WooSandbox
from webhooks.signatures import base64_hmac_sha256

SHOP = "demo-store.myshopify.com"
CARRIERS = [("UPS", "https://www.ups.com/track?tracknum={}"), ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={}"),
            ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={}")]


def wait_for_app(app_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{app_url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # still starting
            pass
        time.sleep(0.5)
    raise SystemExit(f"the app did not answer on {app_url}/healthz")


def install(app_url: str) -> None:
    """The merchant's install: app → sandbox authorize page → app callback (cookies kept)."""
    browser = requests.Session()
    start = browser.get(f"{app_url}/auth/shopify", params={"shop": SHOP}, allow_redirects=False, timeout=10)
    authorize = browser.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=10)
    done = browser.get(authorize.headers["Location"], allow_redirects=False, timeout=30)
    if done.status_code != 302:
        raise SystemExit(f"install failed: {done.status_code} {done.text[:200]}")


def connect_woocommerce(app_url: str, store_url: str) -> None:
    """The merchant's connect: app → the store's authorize page → keys to the app → back."""
    browser = requests.Session()
    start = browser.get(f"{app_url}/auth/woocommerce", params={"store_url": store_url}, allow_redirects=False,
                        timeout=10)
    approve = browser.get(start.headers["Location"], params={"auto": "1"}, allow_redirects=False, timeout=30)
    done = browser.get(approve.headers["Location"], allow_redirects=False, timeout=10)
    if done.status_code != 302:
        raise SystemExit(f"WooCommerce connect failed: {done.status_code} {done.text[:200]}")


def send_label(app_url: str, secret: str, order: dict, number: int, platform: str = "shopify",
               store: str = SHOP) -> None:
    carrier, url = random.choice(CARRIERS)
    tracking = f"1ZDEMO{number:010d}"
    body = json.dumps({
        "event": "label.created", "event_id": f"demo-{platform}-{number}-{time.time()}", "platform": platform,
        "store": store, "order_id": str(order["id"]),
        "package": {"id": f"DEMO-{platform[:3].upper()}-{number}", "tracking_number": tracking, "carrier": carrier,
                    "tracking_url": url.format(tracking),
                    "items": [{"line_item_id": str(li["id"]), "quantity": li["quantity"]}
                              for li in order["line_items"]]},
    }).encode()
    requests.post(f"{app_url}/webhooks/labels", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Label-Signature": base64_hmac_sha256(secret, body)})


def main() -> None:
    sandbox_port = int(os.environ.get("SANDBOX_PORT", 8001))
    app_url = os.environ.get("APP_URL", f"http://127.0.0.1:{os.environ.get('APP_PORT', 8000)}").rstrip("/")
    secret = os.environ.get("LABEL_WEBHOOK_SECRET", SANDBOX_LABEL_WEBHOOK_SECRET)
    server = SandboxServer().start(sandbox_port)
    store = server.store
    store.create_shop(SHOP)
    wait_for_app(app_url)
    install(app_url)
    products = ["Linen shirt", "Canvas tote", "Ceramic mug", "Wool socks", "Notebook"]
    orders = [store.create_order(SHOP, [{"title": p, "quantity": random.randint(1, 2)}
                                        for p in random.sample(products, random.randint(1, 3))]) for _ in range(12)]
    store.add_fault(SHOP, "503", count=2, match="ShipSyncOrderFulfillments")  # retried, then synced
    store.hold(SHOP, orders[3]["id"])  # needs the merchant: release it, then synchronize
    store.add_fault(SHOP, "throttled", match="fulfillmentCreate")
    for number, order in enumerate(orders[:10]):
        send_label(app_url, secret, order, number)
        time.sleep(0.3)
    woo = start_woocommerce(app_url, secret, sandbox_port + 1)
    print(f"\n  ShipSync demo: open {server.url}/shops/{SHOP}/admin/apps/{store.api_key}\n"
          f"  (the sandbox's Shopify admin with ShipSync embedded; add ?locale=es for Spanish.)\n"
          f"  WooCommerce: open {app_url}/auth/woocommerce?store_url={woo.url} and approve\n"
          f"  (the connect flow signs you in to the store's standalone page).\n"
          f"  A new label arrives every 30 s.\n", flush=True)
    number = len(orders)
    while True:
        time.sleep(30)
        order = store.create_order(SHOP, [{"title": random.choice(products), "quantity": 1}])
        send_label(app_url, secret, order, number)
        number += 1


def start_woocommerce(app_url: str, secret: str, port: int):
    """A WooCommerce store with the Shipment Tracking plugin, connected, with labelled orders."""
    sandbox = WooSandbox(port=port).start()
    store = sandbox.create_store("demo", "shipment_tracking", allow_http_callback=True)
    connect_woocommerce(app_url, store.url)
    time.sleep(2)  # the worker registers the store's webhooks
    orders = [store.create_order([{"name": "Linen shirt", "quantity": 1}, {"name": "Wool socks", "quantity": 2}])
              for _ in range(4)]
    store.add_fault("503")  # the first sync is retried
    for number, order in enumerate(orders[:3]):
        send_label(app_url, secret, order, number, platform="woocommerce", store=store.url)
    return store


if __name__ == "__main__":
    main()
