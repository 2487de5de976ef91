"""``python -m sandbox.woocommerce --port 8002``: the sandbox on its own, with a demo store.

Control it over HTTP under ``/_sandbox/`` (see sandbox/woocommerce/control.py).
"""
from __future__ import annotations

import argparse

from sandbox.common.cli import serve_until_stopped
from sandbox.woocommerce import WooSandbox


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Play WooCommerce stores on one local HTTP server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--demo", default="demo", help="name of a demo store to create ('' for none)")
    parser.add_argument("--backend", default="shipment_tracking", choices=("native", "shipment_tracking", "none"))
    args = parser.parse_args(argv)
    sandbox = WooSandbox(args.host, args.port).start()
    if args.demo:
        store = sandbox.create_store(args.demo, args.backend, allow_http_callback=True)
        for _ in range(3):
            store.create_order()
        print(f"demo store: {store.url} ({args.backend}, orders {sorted(store.orders)})", flush=True)
    print(f"WooCommerce sandbox on {sandbox.url} (control API under {sandbox.url}/_sandbox/)", flush=True)
    serve_until_stopped(sandbox)


if __name__ == "__main__":
    main()
