"""``python -m sandbox.tiendanube --port 8003``: the sandbox on its own, with a demo store.

Point ``TIENDANUBE_AUTH_ORIGIN`` and ``TIENDANUBE_API_ORIGIN`` at it; control it over HTTP
under ``/_sandbox/`` (see sandbox/tiendanube/control.py).
"""
from __future__ import annotations

import argparse

from sandbox.common.cli import serve_until_stopped
from sandbox.tiendanube import TiendanubeSandbox


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.tiendanube", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8003)
    parser.add_argument("--redirect-url", default="", help="the app's redirect URL (Partner Portal setting)")
    parser.add_argument("--orders", type=int, default=3, help="demo orders in the demo store (0: no demo store)")
    args = parser.parse_args(argv)
    sandbox = TiendanubeSandbox(args.host, args.port, redirect_url=args.redirect_url).start()
    if args.orders:
        store = sandbox.create_store(name="Loja Demo", allow_http_webhooks=True)
        for index in range(args.orders):
            store.create_order([{"name": "Caneca", "quantity": 1 + index, "location": "São Paulo"},
                                {"name": "Camiseta", "quantity": 1, "location": "Rio" if index % 2 else "São Paulo"}])
        print(f"demo store {store.store_id}: orders {sorted(store.orders)}", flush=True)
    print(f"Tiendanube sandbox on {sandbox.url} (TIENDANUBE_AUTH_ORIGIN = TIENDANUBE_API_ORIGIN = {sandbox.url}; "
          f"app id {sandbox.app_id}; control API under {sandbox.url}/_sandbox/)", flush=True)
    serve_until_stopped(sandbox)


if __name__ == "__main__":
    main()
