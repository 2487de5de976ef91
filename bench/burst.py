"""A 1,000-label burst on one Standard-plan Shopify store, synced by 3 worker processes.

The store's open orders are imported first (install), as they would be by the time their
labels are printed; the bucket is then left to fill. From the first label on, every
GraphQL call the sandbox store answers for the shop is counted: points actually charged
(after Shopify's refund of the unused requested cost), THROTTLED answers, and the time
until every package is synced. The physical limit: past the bucket's initial 2,000
points, the store restores 100 points a second, so ``(points - 2000) / 100`` seconds is
the least any client could take to spend them.
"""
from __future__ import annotations

import concurrent.futures
import json
import time
from collections import Counter

import requests
from sqlalchemy import func, select

from bench.stack import rss_mib
from models import SYNCED, Order, Package
from sandbox.shopify import SandboxServer
from tests.helpers import install_shopify, label_payload
from webhooks.signatures import base64_hmac_sha256 as sign

SHOP = "burst.myshopify.com"
SIDE_SHOP = "side.myshopify.com"
STANDARD_RATE = 100.0


def _count(app, query) -> int:
    # Read-only: a write session would take SQLite's write lock at every poll, in the way
    # of the very requests the bench times.
    with app.extensions["db_read_sessionmaker"]() as session:
        return session.scalar(query)


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"bench: timed out waiting for {what}")
        time.sleep(0.25)


def post_labels(base_url: str, payloads, secret: str, connections: int = 16) -> None:
    """Send the labels at once, as a shipping platform printing a batch does."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=connections, pool_maxsize=connections)
    session.mount("http://", adapter)

    def send(payload):
        body = json.dumps(payload).encode()
        response = session.post(f"{base_url}/webhooks/labels", data=body, timeout=30,
                                headers={"Content-Type": "application/json", "X-Label-Signature": sign(secret, body)})
        if response.status_code != 202:
            raise RuntimeError(f"label refused: {response.status_code} {response.text[:200]}")

    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        list(pool.map(send, payloads))


def run(stack, labels: int = 1000, workers: int = 3, during=None) -> dict:
    """``during(stack, base_url, shop, orders)`` runs while the workers sync the burst (the SQLite
    intake figure is taken then, with labels for another store's ``orders``)."""
    sandbox = SandboxServer().start()
    try:
        stack.settings = stack.settings.replace(shopify_admin_origin=sandbox.admin_origin, store_timeout_seconds=10.0)
        store = sandbox.store
        store.create_shop(SHOP, restore_rate=STANDARD_RATE)
        orders = store.create_orders(SHOP, labels)
        app = stack.app()
        base_url = stack.start_web()
        install_shopify(app.test_client(), SHOP)
        side_orders = []
        if during:  # a second store, whose labels arrive while the burst is synced
            store.create_shop(SIDE_SHOP, restore_rate=1000)
            side_orders = store.create_orders(SIDE_SHOP, 200)
            install_shopify(app.test_client(), SIDE_SHOP)
        processes = stack.start_workers(workers)
        _wait(lambda: _count(app, select(func.count()).select_from(Order).where(Order.name.is_not(None)))
              >= labels + len(side_orders),
              600, "the install's order import")
        maximum = store.shop_info(SHOP)["throttle_status"]["maximumAvailable"]
        _wait(lambda: store.shop_info(SHOP)["throttle_status"]["currentlyAvailable"] >= maximum - 1, 60, "a full bucket")
        store.clear_requests()
        initial = store.shop_info(SHOP)["throttle_status"]["currentlyAvailable"]
        payloads = [label_payload(order_id=o["id"], package_id=f"B-{n}", tracking=f"1ZBURST{n:07d}", store=SHOP,
                                  items=[{"line_item_id": o["line_items"][0]["id"], "quantity": 1}])
                    for n, o in enumerate(orders)]
        started = time.monotonic()
        post_labels(base_url, payloads, stack.settings.label_webhook_secret)
        accepted = time.monotonic() - started
        extra = during(stack, base_url, SIDE_SHOP, side_orders) if during else {}
        synced = select(func.count()).select_from(Package).where(Package.status == SYNCED,
                                                                 Package.external_id.like("B-%"))
        _wait(lambda: _count(app, synced) >= labels, 1200, "every package synced")
        elapsed = time.monotonic() - started
        worker_rss = max(rss_mib(p.pid) for p in processes)
        web_rss = rss_mib(stack.processes[0].pid)
        for process in processes:  # the intake figures that follow are taken with no worker running
            stack.stop(process)
        calls = store.requests(SHOP, kind="graphql")
        fulfillments = Counter(len([f for f in store.fulfillments(SHOP, o["id"]) if f["status"] != "CANCELLED"])
                               for o in orders)
        app.extensions["db_engine"].dispose()
    finally:
        sandbox.stop()
    points = sum(c.get("actual_cost") or 0 for c in calls)
    throttled = sum(1 for c in calls if c.get("throttled"))
    bound = max(0.0, points - initial) / STANDARD_RATE
    return {
        "labels": labels,
        "worker processes": workers,
        "orders with exactly one fulfillment": fulfillments.get(1, 0),
        "orders with no fulfillment / more than one": f"{fulfillments.get(0, 0)} / "
                                                      f"{sum(v for k, v in fulfillments.items() if k > 1)}",
        "labels accepted in (s)": round(accepted, 1),
        "GraphQL calls per package": round(len(calls) / labels, 2),
        "points per package": round(points / labels, 2),
        "THROTTLED share of calls (%)": round(100 * throttled / max(1, len(calls)), 2),
        "elapsed (s)": round(elapsed, 1),
        "rate-limit bound (s)": round(bound, 1),
        "elapsed / bound": round(elapsed / bound, 3) if bound else None,
        "web RSS (MiB)": web_rss,
        "worker RSS, largest process (MiB)": worker_rss,
        **extra,
    }

