"""`python -m bench intake`: label intake alone, beside bare Flask, in one short run (~1-2 min).

For working on intake without the whole `make bench`: no burst, no workers, a store row
made directly. Each round measures bare Flask and then ShipSync at the same connection
counts, so on a machine shared with other work the share of bare stays comparable within
a round; ``--rounds`` repeats them.

Beside each figure: the CPU time per request of the processes that serve it (gunicorn's,
PostgreSQL's backends for the bench database, wrk's). Other work on the machine changes
requests/s much more than it changes these, so they show what a change saved.

    python -m bench intake [--backend postgres|sqlite|both] [--connections 4,32] [--rounds N]
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import intake
from bench.stack import Stack, postgres_available, process_tree
from tests.helpers import make_store

SHOP = "intake.myshopify.com"


def _shipsync(backend: str, connections: tuple[int, ...], prefix: str) -> dict:
    with Stack(backend) as stack:
        app = stack.app()
        make_store(app, domain=SHOP)
        app.extensions["db_engine"].dispose()
        base_url = stack.start_web()
        return {c: _measure(stack, base_url, c, SHOP, f"{prefix}C{c}", 30000) for c in connections}


def _bare(connections: tuple[int, ...]) -> dict:
    with Stack("sqlite") as stack:
        base_url = stack.start_web("bench.bare:app")
        return {c: _measure(stack, base_url, c, "bare.myshopify.com", f"BARE{c}", 2000) for c in connections}


def _measure(stack, base_url: str, connections: int, store: str, prefix: str, count: int) -> dict:
    """intake.measure's figures, and CPU ms per request of web, database and wrk."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.txt"
        intake.write_labels(path, count, stack.settings.label_webhook_secret, store, prefix)
        web = process_tree(stack.processes[-1].pid)
        before = [_cpu_seconds(web), _cpu_seconds(_database_backends(stack)), _children_cpu_seconds()]
        started = time.monotonic()
        figures = intake.wrk(base_url, connections, path)
        requests = figures["requests/s"] * (time.monotonic() - started)
        after = [_cpu_seconds(web), _cpu_seconds(_database_backends(stack)), _children_cpu_seconds()]
    # A database connection opened during the run counts whole (its start-up is part of the cost).
    cpu = [round(1000 * sum(b.get(pid, 0.0) - a.get(pid, 0.0) for pid in b) / requests, 3)
           for a, b in zip(before, after)]
    return {**figures, "cpu ms/request (web, database, wrk)": cpu}


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def _children_cpu_seconds() -> dict[int, float]:
    """CPU time of this process's ended children (wrk), under one key."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {0: usage.ru_utime + usage.ru_stime}


def _database_backends(stack) -> list[int]:
    """The PostgreSQL server processes of the bench database's open connections (none on SQLite)."""
    if stack.backend != "postgres":
        return []
    engine = create_engine(stack.settings.database_url)
    with engine.connect() as connection:
        pids = connection.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND pid <> pg_backend_pid()")).scalars().all()
    engine.dispose()
    return pids


def _line(name: str, figure: dict, bare: dict | None = None) -> str:
    share = f" ({100 * figure['requests/s'] / bare['requests/s']:.1f} % of bare)" if bare else ""
    errors = f", {figure['errors']} not 2xx" if figure["errors"] else ""
    web, database, wrk = figure["cpu ms/request (web, database, wrk)"]
    return (f"   {name:<22} {figure['requests/s']:>8} req/s{share:<17} "
            f"p50 {figure['p50 (ms)']:>6} ms  p99 {figure['p99 (ms)']:>6} ms  "
            f"cpu/req: web {web:.3f} database {database:.3f} wrk {wrk:.3f} ms{errors}")


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
