"""Label intake under load: wrk against gunicorn (the Procfile's web settings, read by bench/stack.py),
ShipSync's label webhook beside a bare Flask route on the same machine and settings, measured
back to back (``side_by_side``).

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


# The machine's speed drifts over a run (other tenants, a database checkpoint): a yardstick
# measured minutes apart from ShipSync is no yardstick. Each round measures bare Flask and then
# ShipSync back to back; the round with the median share is reported, beside every round's share.
ROUNDS = int(os.environ.get("BENCH_INTAKE_ROUNDS", "3"))


def side_by_side(stack, base_url: str, connections: int, store: str, prefix: str, orders=None,
                 rounds: int = ROUNDS) -> dict:
    """ShipSync's figures at ``connections`` from the median round, with that round's bare Flask
    figures (``bare``), ShipSync's share of bare's requests/s, and every round's share."""
    secret = stack.settings.label_webhook_secret
    bare_url = stack.start_web("bench.bare:app")
    try:
        measured = []
        for n in range(rounds):
            bare = measure(bare_url, connections, secret, "bare.myshopify.com", f"BARE{connections}R{n}", count=2000)
            ours = measure(base_url, connections, secret, store, f"{prefix}R{n}", orders)
            measured.append((100 * ours["requests/s"] / bare["requests/s"], ours, bare))
    finally:
        stack.stop(stack.processes.pop())
    share, ours, bare = sorted(measured, key=lambda m: m[0])[len(measured) // 2]
    return {**ours, "bare": bare, "share of bare (%)": round(share, 1),
            "share of bare, every round (%)": [round(m[0], 1) for m in measured]}
