"""The orders API with tens of thousands of orders: a page, the tab counts and a search."""
from __future__ import annotations

import random
import time
from urllib.parse import quote

from bench.common import bench_app, percentile
from models import PENDING, REQUIRES_SYNC, SYNCED, Order, Package, utcnow
from tests.helpers import api_headers, make_store

ORDERS = 30000


def _fill(app, store_id: int) -> None:
    rng = random.Random(7)
    with app.extensions["db_sessionmaker"]() as session, session.begin():
        now = utcnow()
        orders = [Order(store_id=store_id, external_id=str(10000 + n), name=f"#{10000 + n}",
                        line_items=[{"id": str(n), "title": "Shirt", "quantity": 1, "sku": None}],
                        placed_at=now, requires_sync=False) for n in range(ORDERS)]
        session.add_all(orders)
        session.flush()
        for order in orders:
            status = rng.choice((SYNCED, SYNCED, SYNCED, REQUIRES_SYNC, PENDING))
            order.requires_sync = status != SYNCED
            session.add(Package(store_id=store_id, order_id=order.id, external_id=f"P{order.id}",
                                tracking_number=f"1Z{order.id:010d}", carrier="UPS", items=[{"line_item_id": "1", "quantity": 1}],
                                status=status, last_cause="store_server" if status == REQUIRES_SYNC else None))


def _time(client, url, headers, repeat=20):
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.data
    return round(percentile(samples, 0.5) * 1000, 1), round(percentile(samples, 0.95) * 1000, 1)


def run() -> dict:
    with bench_app() as app:
        store_id = make_store(app)
        _fill(app, store_id)
        client = app.test_client()
        settings = app.config["SETTINGS"]
        results = {"orders in store": ORDERS}
        headers = api_headers(settings, "acme.myshopify.com")
        for label, url in (("pending tab, page 1", "/api/orders?tab=pending"),
                           ("all tab, page 500", _deep_page(client, headers, 500)),
                           ("search by tracking number", "/api/orders?tab=all&q=1Z0000012345")):
            p50, p95 = _time(client, url, headers)
            results[f"{label} p50/p95 (ms)"] = f"{p50} / {p95}"
        return results


def _deep_page(client, headers, page: int) -> str:
    """The URL of the n-th page: by following ``next_cursor`` when the API gives one (keyset
    pagination), else by ``page=n``."""
    url = "/api/orders?tab=all"
    if "next_cursor" not in client.get(url, headers=headers).json:
        return f"{url}&page={page}"
    for _ in range(page - 1):
        cursor = client.get(url, headers=headers).json.get("next_cursor")
        if not cursor:
            break
        url = f"/api/orders?tab=all&cursor={quote(cursor)}"
    return url
