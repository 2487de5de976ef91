"""Packages synced per second through the real queue, worker threads and the sandbox Shopify store."""
from __future__ import annotations

import signal
import time

from sqlalchemy import func, select

from bench.common import bench_app, peak_rss_mib
from models import SYNCED, Package
from sandbox.shopify import SandboxServer
from tests.helpers import install_shopify, label_payload, post_label

SHOP = "bench.myshopify.com"
PACKAGES = 300
WORKERS = 4


def _synced(app) -> int:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(func.count()).select_from(Package).where(Package.status == SYNCED))


def run() -> dict:
    from sync import queue

    sandbox = SandboxServer().start()
    try:
        # A Plus-sized bucket, so that the store's rate limit is not what is measured.
        sandbox.store.create_shop(SHOP, restore_rate=1000)
        with bench_app(shopify_admin_origin=sandbox.admin_origin, store_timeout_seconds=10.0) as app:
            client = app.test_client()
            install_shopify(client, SHOP)
            orders = sandbox.store.create_orders(SHOP, PACKAGES)
            saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
            consumer = queue.huey.create_consumer(workers=WORKERS, worker_type="thread", periodic=False,
                                                  initial_delay=0.01, max_delay=0.05, check_worker_health=False)
            consumer.start()
            try:
                time.sleep(1)  # let the install task finish
                started = time.perf_counter()
                for n, order in enumerate(orders):
                    line = order["line_items"][0]["id"]
                    post_label(client, label_payload(order_id=order["id"], package_id=f"B-{n}", tracking=f"1ZB{n:08d}",
                                                     store=SHOP, items=[{"line_item_id": line, "quantity": 1}]))
                accepted = time.perf_counter() - started
                while _synced(app) < PACKAGES and time.perf_counter() - started < 300:
                    time.sleep(0.05)
                elapsed = time.perf_counter() - started
            finally:
                consumer.stop(graceful=True)
                for s, h in saved.items():
                    signal.signal(s, h)
            store_calls = len(sandbox.store.requests(SHOP, kind="graphql"))
            return {
                "packages": PACKAGES,
                "worker threads": WORKERS,
                "synced": _synced(app),
                "end-to-end packages per second": round(PACKAGES / elapsed, 1),
                "labels accepted in (s)": round(accepted, 2),
                "store calls per package": round(store_calls / PACKAGES, 2),
                "peak RSS (MiB)": peak_rss_mib(),
            }
    finally:
        sandbox.stop()
