"""Tiendanube / Nuvemshop's part of `make run`'s demo (sandbox/demo.py): a sandbox store with
ShipSync installed through the real authorize and token redirects, one order split over two
locations (two fulfillment orders, one dispatch each), and a first write that meets a 429."""
from __future__ import annotations

import time

import requests

from sandbox.demo import DemoStore, send_label
from sandbox.tiendanube import TiendanubeSandbox

TN_STORE_ID = 1000001  # the demo store's id (the app keys the store by it)


def env(port: int) -> dict:
    origin = f"http://127.0.0.1:{port}"  # the sandbox plays both the auth and the API origin
    return {"TIENDANUBE_AUTH_ORIGIN": origin, "TIENDANUBE_API_ORIGIN": origin}


def install_tiendanube(app_url: str, store_id: int) -> None:
    """The merchant's install: app → Tiendanube's authorize page (accept) → app callback."""
    browser = requests.Session()
    start = browser.get(f"{app_url}/auth/tiendanube", allow_redirects=False, timeout=10)
    if start.status_code != 302:
        raise RuntimeError(f"/auth/tiendanube answered {start.status_code}")
    state = start.headers["Location"].rsplit("state=", 1)[-1]
    accept = browser.post(start.headers["Location"], data={"store_id": store_id, "state": state},
                          allow_redirects=False, timeout=10)
    done = browser.get(accept.headers["Location"], allow_redirects=False, timeout=30)
    if done.status_code != 302:
        raise RuntimeError(f"Tiendanube install failed: {done.status_code} {done.text[:200]}")


def seed_tiendanube(app_url: str, secret: str, sandbox: TiendanubeSandbox) -> None:
    """Install into the demo store and label its orders (one split over two locations)."""
    store = sandbox.create_store(TN_STORE_ID, name="Loja Demo", allow_http_webhooks=True)
    orders = [store.create_order([{"name": "Caneca", "quantity": 1, "location": "São Paulo"},
                                  {"name": "Camiseta", "quantity": 1, "location": "Rio" if n == 1 else "São Paulo"}])
              for n in range(3)]
    install_tiendanube(app_url, store.store_id)
    deadline = time.monotonic() + 10
    while len(store.webhook_list()) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)  # the worker registers the store's webhooks (a 429 now would leave them to reconciliation)
    store.add_fault("429")  # the first label's call waits for the bucket, then goes
    for number, order in enumerate(orders):
        send_label(app_url, secret, order, number, platform="tiendanube", store=str(store.store_id))


def links(app_url: str) -> dict:
    return {"tiendanube_install": f"{app_url}/auth/tiendanube"}


def start(port: int, app_url: str) -> DemoStore:
    # The app's URL as set in the Partner Portal: what the sandbox's admin frames (admin.py).
    sandbox = TiendanubeSandbox(port=port, redirect_url=f"{app_url}/auth/tiendanube/callback",
                                app_url=f"{app_url}/?platform=tiendanube").start()
    admin = f"{sandbox.url}/admin/v2/apps/{sandbox.app_id}?store={TN_STORE_ID}"
    shown = {**links(app_url), "tiendanube_admin": admin}
    return DemoStore(
        "tiendanube", shown, [("tiendanube", str(TN_STORE_ID))],
        seed=lambda secret: seed_tiendanube(app_url, secret, sandbox),
        instructions=f"open {admin} (the sandbox's Tiendanube admin with ShipSync embedded, through Nexo), "
                     f"or {shown['tiendanube_install']} and accept (the install signs you in to the "
                     "store's standalone page).")
