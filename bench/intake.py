"""Label intake under load: wrk against gunicorn (the Procfile's web settings, read by bench/stack.py),
ShipSync's label webhook beside a bare Flask route on the same machine and settings.

Every request is a different label, validly signed (prepared here, sent by wrk's Lua
script), for orders of one store.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from tests.helpers import label_payload
from webhooks.signatures import base64_hmac_sha256

LUA = Path(__file__).resolve().parent / "wrk" / "labels.lua"
THREADS = 2
DURATION = os.environ.get("BENCH_WRK_DURATION", "10s")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def write_labels(path: Path, count: int, secret: str, store: str, prefix: str, orders: list[dict] | None = None):
    """``count`` signed labels, one per line: ``signature body``. Orders cycle over ``orders``
    (sandbox orders) or are new ones."""
    with path.open("w") as out:
        for n in range(count):
            order = orders[n % len(orders)] if orders else None
            items = ([{"line_item_id": order["line_items"][0]["id"], "quantity": 1}] if order
                     else [{"line_item_id": "13001", "quantity": 1}])
            payload = label_payload(order_id=order["id"] if order else str(10_000_000 + n), store=store,
                                    package_id=f"{prefix}-{n}", tracking=f"1Z{prefix}{n:08d}", items=items)
            body = json.dumps(payload, separators=(",", ":"))
            out.write(f"{base64_hmac_sha256(secret, body.encode())} {body}\n")


def wrk(base_url: str, connections: int, labels_file: Path) -> dict:
    """requests/s, p50 and p99 (ms), and the count of answers that were not 2xx."""
    threads = min(THREADS, connections)
    env = {**os.environ, "LABELS_FILE": str(labels_file), "WRK_THREADS": str(threads)}
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", DURATION, "--latency",
                          "-s", str(LUA), base_url], env=env, capture_output=True, text=True, check=True).stdout
    latency = {m[0]: float(m[1]) * _UNITS[m[2]] for m in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests/s": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1),
            "p50 (ms)": round(latency["50"], 1), "p99 (ms)": round(latency["99"], 1),
            "errors": int(errors.group(1)) if errors else 0}


def measure(base_url: str, connections: int, secret: str, store: str, prefix: str, orders=None,
            count: int = 30000) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.txt"
        write_labels(path, count, secret, store, prefix, orders)
        return wrk(base_url, connections, path)


def bare_flask(stack) -> dict:
    """The yardstick at 4 and 32 connections."""
    base = stack.start_web("bench.bare:app")
    secret = stack.settings.label_webhook_secret
    results = {c: measure(base, c, secret, "bare.myshopify.com", f"BARE{c}", count=2000) for c in (4, 32)}
    stack.stop(stack.processes.pop())
    return results
