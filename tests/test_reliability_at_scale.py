"""Reliability at scale, on PostgreSQL + Redis with the worker as 3 processes (`make test-postgres`).

A soak in which the store fails at random while 200 labels arrive, then mass syncs until
nothing is left; and a mass sync whose workers are SIGKILLed 10 times. In both, every
order ends with exactly one fulfillment: nothing lost, nothing twice.
"""
from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import func, select

from models import PENDING, RETRYING, SYNCED, SYNCING, Package
from tests.conftest import TEST_DATABASE_URL, TEST_QUEUE_URL
from tests.helpers import (SHOPIFY_LOOKUPS, api_headers, install_shopify, label_payload, post_label, start_workers,
                           wait_for)

pytestmark = pytest.mark.skipif(not (TEST_DATABASE_URL and TEST_QUEUE_URL),
                                reason="runs on PostgreSQL + Redis (make test-postgres)")

SHOP = "scale.myshopify.com"
# Per call: 20 % 503, 10 % 429 with Retry-After, 5 % timeouts, and 5 % of writes applied
# but answered with an error — the case that duplicates a fulfillment if anything does.
CHAOS = {"503": 0.20, "429": 0.10, "timeout": 0.05, "applied_error": 0.05}
WORKERS = 3


def count(app, *statuses) -> int:
    with app.extensions["db_sessionmaker"]() as session:
        return session.scalar(select(func.count()).select_from(Package).where(Package.status.in_(statuses)))


def installed_shop(client, shopify_store, orders: int) -> list[dict]:
    shopify_store.create_shop(SHOP, restore_rate=1000)
    install_shopify(client, SHOP)  # the install task waits in the queue for the workers
    return [shopify_store.create_order(SHOP, [{"title": "Mug", "quantity": 1}]) for _ in range(orders)]


def send_labels(client, orders, prefix: str) -> None:
    for n, order in enumerate(orders):
        response = post_label(client, label_payload(
            order_id=order["id"], package_id=f"{prefix}-{n}", tracking=f"1Z{prefix}{n:05d}", store=SHOP,
            items=[{"line_item_id": order["line_items"][0]["id"], "quantity": 1}]))
        assert response.status_code == 202, response.json


def stop(workers) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=15)
        except Exception:  # noqa: BLE001 - a worker that will not stop is killed
            worker.kill()


def assert_one_fulfillment_each(shopify_store, orders) -> None:
    counts = [len([f for f in shopify_store.fulfillments(SHOP, o["id"]) if f["status"] != "CANCELLED"])
              for o in orders]
    assert counts == [1] * len(orders), {n: counts.count(n) for n in set(counts)}


def test_a_soak_of_random_store_failures_ends_with_one_fulfillment_per_order(app, client, shopify_store, settings):
    orders = installed_shop(client, shopify_store, 200)
    workers = start_workers(settings, WORKERS)
    try:
        wait_for(lambda: shopify_store.requests(SHOP, operation="ShipSyncOpenOrders"), timeout=60,
                 message="the install's import")
        shopify_store.set_chaos(SHOP, CHAOS, seed=20261202, seconds=3, retry_after=1)
        send_labels(client, orders, "SOAK")
        for _ in range(15):  # "Synchronize my shipments" until nothing is left
            wait_for(lambda: count(app, PENDING, SYNCING, RETRYING) == 0, timeout=120, interval=0.5,
                     message="the sync run to settle")
            if count(app, SYNCED) == len(orders):
                break
            assert client.post("/api/sync", headers=api_headers(settings, SHOP)).status_code == 202
            time.sleep(0.5)
        faults = {r["fault"] for r in shopify_store.requests(SHOP, kind="graphql")}
    finally:
        stop(workers)
        shopify_store.set_chaos(SHOP, None)
    assert count(app, SYNCED) == len(orders)
    assert {"503", "429", "timeout", "applied_error"} <= faults  # every failure really happened
    assert_one_fulfillment_each(shopify_store, orders)


def test_a_mass_sync_survives_ten_sigkills_of_its_workers(app, client, shopify_store, settings):
    orders = installed_shop(client, shopify_store, 120)
    # Every package first fails for good, so that "Synchronize my shipments" has them all to do.
    shopify_store.add_fault(SHOP, "403", count=len(orders), match=SHOPIFY_LOOKUPS)
    workers = start_workers(settings, WORKERS)
    try:
        send_labels(client, orders, "KILL")
        wait_for(lambda: count(app, "requires_sync") == len(orders), timeout=90, message="every package failed")
        shopify_store.configure_shop(SHOP, latency_seconds=0.3)  # so that kills land mid-batch
        batch = client.post("/api/sync", headers=api_headers(settings, SHOP))
        assert batch.status_code == 202
        for _ in range(10):
            time.sleep(2.0)
            for worker in workers:
                worker.send_signal(signal.SIGKILL)
            for worker in workers:
                worker.wait(timeout=10)
            workers = start_workers(settings, WORKERS)
        assert count(app, SYNCED) < len(orders), "the kills came too late to prove anything"
        shopify_store.configure_shop(SHOP, latency_seconds=0.0)
        wait_for(lambda: count(app, SYNCED) == len(orders), timeout=180, interval=0.5, message="all synced")
    finally:
        stop(workers)
    assert_one_fulfillment_each(shopify_store, orders)
    progress = client.get(f"/api/sync/{batch.json['batch_id']}", headers=api_headers(settings, SHOP)).json
    assert (progress["total"], progress["synced"], progress["failed"], progress["pending"]) == (120, 120, 0, 0)
