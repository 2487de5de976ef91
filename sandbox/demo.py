"""`make run`'s third process: sandbox stores with demo data, so a newcomer sees syncs happen.

It starts every registered platform's demo store — ``<its sandbox module>.demo`` (the
descriptor's ``sandbox``), e.g. ``sandbox/shopify/demo.py`` — on consecutive ports from
SANDBOX_PORT in registration order, installs the app into each through the real OAuth and
connect redirects, creates orders, and sends signed labels — some of which meet scripted
store faults (a 503 retried, a hold that needs the merchant, a throttle) — then keeps
sending a label every half minute. Open the printed links to watch.

A platform's demo module exports ``env(port) -> dict`` (the settings every ShipSync process
needs to reach its sandbox: ``python -m sandbox.demo --env`` prints them for the Makefile)
and ``start(port, app_url) -> DemoStore``.

The sandbox stores live in memory and start empty at every run, with the same ids; so
the app first forgets what it kept of the demo stores from the last run (their orders
and packages would otherwise claim fulfillments the new stores do not have).
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import itertools
import json
import os
import random
import sys
import time
from typing import Callable

import requests

from config import INSTANCE_DIR, SANDBOX_LABEL_WEBHOOK_SECRET, ConfigError, load_settings
from webhooks.signatures import base64_hmac_sha256

CARRIERS = [("UPS", "https://www.ups.com/track?tracknum={}"), ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={}"),
            ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={}")]
PRODUCTS = ["Linen shirt", "Canvas tote", "Ceramic mug", "Wool socks", "Notebook"]
LINKS_FILE = INSTANCE_DIR / "demo_links.json"  # read by the app's GET / in development


@dataclasses.dataclass
class DemoStore:
    """One platform's running demo store."""

    platform: str
    links: dict  # name → URL, printed and shown on the app's signed-out page in development
    forget: list[tuple[str, str]]  # (platform, store address) of the app's rows from a previous run
    seed: Callable[[str], object]  # (label secret): install, orders, labels
    tick: Callable[[str], None] | None = None  # (label secret): one more order and label
    instructions: str = ""  # what to open, printed after its name


def demo_modules() -> list:
    """Every registered platform's demo module, in registration order."""
    import connectors

    names = [f"{connectors.PLATFORMS[name].sandbox}.demo" for name in connectors.REGISTERED]
    return [importlib.import_module(name) for name in names if importlib.util.find_spec(name) is not None]


def demo_env(sandbox_port: int) -> dict:
    """The settings of every demo store (its port: SANDBOX_PORT + its place)."""
    env = {}
    for offset, module in enumerate(demo_modules()):
        env.update(module.env(sandbox_port + offset))
    return env


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


def send_label(app_url: str, secret: str, order: dict, number: int, platform: str = "shopify",
               store: str = "demo-store.myshopify.com") -> None:
    carrier, url = random.choice(CARRIERS)
    tracking = f"1ZDEMO{number:010d}"
    body = json.dumps({
        "event": "label.created", "event_id": f"demo-{platform}-{number}-{time.time()}", "platform": platform,
        "store": store, "order_id": str(order["id"]),
        "package": {"id": f"DEMO-{platform[:3].upper()}-{number}", "tracking_number": tracking, "carrier": carrier,
                    "tracking_url": url.format(tracking),
                    "items": [{"line_item_id": str(li["id"]), "quantity": int(li["quantity"])}
                              for li in order.get("line_items") or order["products"]]},
    }).encode()
    requests.post(f"{app_url}/webhooks/labels", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Label-Signature": base64_hmac_sha256(secret, body)})


def print_links(demos: list[DemoStore]) -> None:
    lines = [f"  {demo.platform}: {demo.instructions}" for demo in demos]
    print("\n  ShipSync demo:\n" + "\n".join(lines) + "\n  A new label arrives every 30 s.\n", flush=True)


def main() -> None:
    sandbox_port = int(os.environ.get("SANDBOX_PORT", 8001))
    app_url = os.environ.get("APP_URL", f"http://127.0.0.1:{os.environ.get('APP_PORT', 8000)}").rstrip("/")
    secret = os.environ.get("LABEL_WEBHOOK_SECRET", SANDBOX_LABEL_WEBHOOK_SECRET)
    demos = [module.start(sandbox_port + offset, app_url) for offset, module in enumerate(demo_modules())]
    print_links(demos)
    wait_for_app(app_url)
    forgotten = forget_demo_stores(load_settings().database_url, [pair for demo in demos for pair in demo.forget])
    if forgotten:
        print(f"  forgot {forgotten} demo store(s) of the previous run", flush=True)
    for demo in demos:
        demo.seed(secret)
    LINKS_FILE.write_text(json.dumps({name: url for demo in demos for name, url in demo.links.items()}))
    print_links(demos)  # again, now that start-up is done and the logs have scrolled past
    ticking = itertools.cycle([demo.tick for demo in demos if demo.tick] or [lambda _secret: None])
    while True:
        time.sleep(30)
        next(ticking)(secret)


def wanted() -> bool:
    """Whether `make run` starts the demo: the sandbox setting (on unless store credentials are set)."""
    try:
        return load_settings().sandbox
    except ConfigError as error:
        print(f"  no demo: {error}", file=sys.stderr)
        return False


if __name__ == "__main__":
    if sys.argv[1:] == ["--env"]:
        print("\n".join(f"{k}={v}" for k, v in demo_env(int(os.environ.get("SANDBOX_PORT", 8001))).items()))
    elif sys.argv[1:] == ["--wanted"]:
        sys.exit(0 if wanted() else 1)
    else:
        main()
