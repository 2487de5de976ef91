"""`python -m bench intake`: label intake alone, beside bare Flask, in one short run (~1-2 min).

For working on intake without the whole `make bench`: no burst, no workers, a store row
made directly. Each round measures bare Flask and then ShipSync at the same connection
counts, so on a machine shared with other work the share of bare stays comparable within
a round; ``--rounds`` repeats them.

    python -m bench intake [--backend postgres|sqlite|both] [--connections 4,32] [--rounds N]
"""
from __future__ import annotations

import argparse

from bench import intake
from bench.stack import Stack, postgres_available
from tests.helpers import make_store

SHOP = "intake.myshopify.com"


def _shipsync(backend: str, connections: tuple[int, ...], prefix: str) -> dict:
    with Stack(backend) as stack:
        app = stack.app()
        make_store(app, domain=SHOP)
        app.extensions["db_engine"].dispose()
        base_url = stack.start_web()
        return {c: intake.measure(base_url, c, stack.settings.label_webhook_secret, SHOP, f"{prefix}C{c}")
                for c in connections}


def _bare(connections: tuple[int, ...]) -> dict:
    with Stack("sqlite") as stack:
        base_url = stack.start_web("bench.bare:app")
        return {c: intake.measure(base_url, c, stack.settings.label_webhook_secret, "bare.myshopify.com",
                                  f"BARE{c}", count=2000) for c in connections}


def _line(name: str, figure: dict, bare: dict | None = None) -> str:
    share = f" ({100 * figure['requests/s'] / bare['requests/s']:.1f} % of bare)" if bare else ""
    errors = f", {figure['errors']} not 2xx" if figure["errors"] else ""
    return (f"   {name:<28} {figure['requests/s']:>8} req/s{share:<17} "
            f"p50 {figure['p50 (ms)']:>6} ms  p99 {figure['p99 (ms)']:>6} ms{errors}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench intake")
    parser.add_argument("--backend", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--connections", default="4,32")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    connections = tuple(int(c) for c in args.connections.split(","))
    backends = ("postgres", "sqlite") if args.backend == "both" else (args.backend,)
    if "postgres" in backends and (why := postgres_available()):
        print(f"postgres skipped: {why}")
        backends = tuple(b for b in backends if b != "postgres")
    for round_number in range(1, args.rounds + 1):
        bare = _bare(connections)
        print(f"== round {round_number}", flush=True)
        for c in connections:
            print(_line(f"bare Flask, {c} conn", bare[c]), flush=True)
        for backend in backends:
            figures = _shipsync(backend, connections, f"R{round_number}{backend[:2].upper()}")
            for c in connections:
                print(_line(f"{backend}, {c} conn", figures[c], bare[c]), flush=True)
    return 0
