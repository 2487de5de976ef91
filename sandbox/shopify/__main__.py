"""``python -m sandbox.shopify --port 8001 [--shop acme.myshopify.com --orders 5]``"""
from __future__ import annotations

import argparse

from .server import SandboxServer


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.shopify", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--shop", action="append", default=[], help="create this shop (repeatable)")
    parser.add_argument("--orders", type=int, default=0, help="demo orders per created shop")
    args = parser.parse_args(argv)
    server = SandboxServer(host=args.host)
    for shop in args.shop:
        server.store.create_shop(shop)
        if args.orders:
            server.store.create_orders(shop, args.orders)
    origin = f"http://{args.host}:{args.port}/shops/{{shop}}"
    print(f"Shopify sandbox on http://{args.host}:{args.port}  (SHOPIFY_ADMIN_ORIGIN={origin})", flush=True)
    server.serve_forever(args.port)


if __name__ == "__main__":
    main()
