"""`make run`'s third process: sandbox stores with demo data, so a newcomer sees syncs happen.

It starts the Shopify sandbox on SANDBOX_PORT and the WooCommerce sandbox on the next
port, installs the app into a demo shop of each through the real OAuth and connect
redirects, creates orders, and sends signed labels — some of which meet scripted store
faults (a 503 retried, a hold that needs the merchant, a throttle) — then keeps sending a
label every half minute. Open the printed links to watch.

The sandbox stores live in memory and start empty at every run, with the same ids; so
the app first forgets what it kept of the demo stores from the last run (their orders
and packages would otherwise claim fulfillments the new stores do not have).
"""
from __future__ import annotations

import json
import os
import random
import time

import requests

from config import INSTANCE_DIR, SANDBOX_LABEL_WEBHOOK_SECRET, load_settings
from sandbox.shopify import SandboxServer
from sandbox.woocommerce import WooSandbox
from webhooks.signatures import base64_hmac_sha256

SHOP = "demo-store.myshopify.com"
WOO_STORE = "demo"
CARRIERS = [("UPS", "https://www.ups.com/track?tracknum={}"), ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={}"),
            ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={}")]
PRODUCTS = ["Linen shirt", "Canvas tote", "Ceramic mug", "Wool socks", "Notebook"]
LINKS_FILE = INSTANCE_DIR / "demo_links.json"  # read by the app's GET / in development


def wait_for_app(app_url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{app_url}/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # still starting
            pass
        time.sleep(0.5)
    raise SystemExit(f"the app did not answer on {app_url}/readyz")


def forget_demo_stores(database_url: str, stores: list[tuple[str, str]]) -> int:
    """Delete the app's rows of the demo stores (a previous run's), before installing again."""
    import db
    from sqlalchemy.orm import Session

    from stores import forget_store

    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            return sum(forget_store(session, platform, domain) for platform, domain in stores)
    finally:
        engine.dispose()


def install(app_url: str, shop: str = SHOP) -> None:
    """The merchant's install: app → sandbox authorize page → app callback (cookies kept)."""
    browser = requests.Session()
    start = browser.get(f"{app_url}/auth/shopify", params={"shop": shop}, allow_redirects=False, timeout=10)
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


def seed_woocommerce(app_url: str, secret: str, store) -> None:
    """Connect the WooCommerce store (Shipment Tracking plugin) and label some of its orders."""
    connect_woocommerce(app_url, store.url)
    time.sleep(2)  # the worker registers the store's webhooks
    orders = [store.create_order([{"name": "Linen shirt", "quantity": 1}, {"name": "Wool socks", "quantity": 2}])
              for _ in range(4)]
    store.add_fault("503")  # the first sync is retried
    for number, order in enumerate(orders[:3]):
        send_label(app_url, secret, order, number, platform="woocommerce", store=store.url)


def demo_links(app_url: str, shopify_url: str, api_key: str, woo_url: str) -> dict:
    return {"shopify_admin": f"{shopify_url}/shops/{SHOP}/admin/apps/{api_key}",
            "woocommerce_connect": f"{app_url}/auth/woocommerce?store_url={woo_url}"}


def print_links(links: dict) -> None:
    print(f"\n  ShipSync demo: open {links['shopify_admin']}\n"
          f"  (the sandbox's Shopify admin with ShipSync embedded; add ?locale=es for Spanish.)\n"
          f"  WooCommerce: open {links['woocommerce_connect']} and approve\n"
          f"  (the connect flow signs you in to the store's standalone page).\n"
          f"  A new label arrives every 30 s.\n", flush=True)


def main() -> None:
    sandbox_port = int(os.environ.get("SANDBOX_PORT", 8001))
    app_url = os.environ.get("APP_URL", f"http://127.0.0.1:{os.environ.get('APP_PORT', 8000)}").rstrip("/")
    secret = os.environ.get("LABEL_WEBHOOK_SECRET", SANDBOX_LABEL_WEBHOOK_SECRET)
    server = SandboxServer().start(sandbox_port)
    store = server.store
    store.create_shop(SHOP)
    woo = WooSandbox(port=sandbox_port + 1).start()
    woo_store = woo.create_store(WOO_STORE, "shipment_tracking", allow_http_callback=True)
    links = demo_links(app_url, server.url, store.api_key, woo_store.url)
    print_links(links)
    wait_for_app(app_url)
    forgotten = forget_demo_stores(load_settings().database_url, [("shopify", SHOP), ("woocommerce", woo_store.url)])
    if forgotten:
        print(f"  forgot {forgotten} demo store(s) of the previous run", flush=True)
    orders = seed_shopify(app_url, secret, store)
    seed_woocommerce(app_url, secret, woo_store)
    LINKS_FILE.write_text(json.dumps(links))
    print_links(links)  # again, now that start-up is done and the logs have scrolled past
    number = len(orders)
    while True:
        time.sleep(30)
        order = store.create_order(SHOP, [{"title": random.choice(PRODUCTS), "quantity": 1}])
        send_label(app_url, secret, order, number)
        number += 1


if __name__ == "__main__":
    main()
