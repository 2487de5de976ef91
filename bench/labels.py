"""How fast a label webhook is verified, recorded, queued and answered (Shopify allows 5 s)."""
from __future__ import annotations

import time

from bench.common import bench_app, peak_rss_mib, percentile
from tests.helpers import label_payload, make_store, post_label

COUNT = 2000


def run() -> dict:
    with bench_app() as app:
        make_store(app)
        client = app.test_client()
        latencies = []
        started = time.perf_counter()
        for n in range(COUNT):
            payload = label_payload(order_id=str(5000 + n // 3), package_id=f"PKG-{n}", tracking=f"1ZBENCH{n:08d}")
            t0 = time.perf_counter()
            response = post_label(client, payload)
            latencies.append(time.perf_counter() - t0)
            assert response.status_code == 202, response.data
        elapsed = time.perf_counter() - started
    return {
        "labels accepted": COUNT,
        "labels per second": round(COUNT / elapsed, 1),
        "latency p50 (ms)": round(percentile(latencies, 0.5) * 1000, 2),
        "latency p99 (ms)": round(percentile(latencies, 0.99) * 1000, 2),
        "peak RSS (MiB)": peak_rss_mib(),
    }
