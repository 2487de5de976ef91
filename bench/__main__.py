"""`make bench`: every figure beside its bound, on PostgreSQL + Redis and on SQLite, in one run.

Results also go to bench/results/latest.json. Figures are measured, never asserted in tests.
"""
from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

from bench import api_pages, burst, intake
from bench.stack import Stack, postgres_available

RESULTS = Path(__file__).resolve().parent / "results"
LABELS = 1000
POINTS_BOUND, THROTTLED_BOUND, ELAPSED_BOUND = 16.0, 1.0, 1.10
SHARE_BOUND, P99_PG_BOUND, P99_SQLITE_BOUND = 20.0, 50.0, 100.0


def _intake_while_syncing(stack, base_url, shop, orders) -> dict:
    figures = intake.measure(base_url, 4, stack.settings.label_webhook_secret, shop, "SIDE", orders=orders)
    return {"intake at 4 connections while workers sync": figures}


def run_backend(backend: str) -> dict:
    with Stack(backend) as stack:
        results = burst.run(stack, labels=LABELS, during=_intake_while_syncing if backend == "sqlite" else None)
        base_url = f"http://127.0.0.1:{stack.web_port}"
        for connections in (4, 32):
            print(f"   intake at {connections} connections, beside bare Flask ({intake.ROUNDS} rounds)", flush=True)
            results[f"intake at {connections} connections"] = intake.side_by_side(
                stack, base_url, connections, burst.SIDE_SHOP if backend == "sqlite" else burst.SHOP,
                f"IN{connections}")
    return results


def bounds(name: str, results: dict) -> list[tuple[str, object, str, bool | None]]:
    """(figure, value, bound, met) rows for one backend."""
    rows = [
        ("points per package", results["points per package"], f"<= {POINTS_BOUND} (10 = the write alone)",
         results["points per package"] <= POINTS_BOUND),
        ("THROTTLED share of calls (%)", results["THROTTLED share of calls (%)"], f"<= {THROTTLED_BOUND}",
         results["THROTTLED share of calls (%)"] <= THROTTLED_BOUND),
        ("elapsed / rate-limit bound",
         f"{results['elapsed / bound']} ({results['elapsed (s)']} s vs {results['rate-limit bound (s)']} s)",
         f"<= {ELAPSED_BOUND}",
         results["elapsed / bound"] is not None and results["elapsed / bound"] <= ELAPSED_BOUND),
        ("lost / duplicated", results["orders with no fulfillment / more than one"], "0 / 0",
         results["orders with no fulfillment / more than one"] == "0 / 0"),
    ]
    for connections in (4, 32):
        figure = results[f"intake at {connections} connections"]
        yardstick, share = figure["bare"], figure["share of bare (%)"]
        share_bounded, p99_bounded = name == "postgres" and connections == 32, name == "postgres" and connections == 4
        rows.append((f"intake at {connections} conn: req/s (% of bare Flask)",
                     f"{figure['requests/s']} ({share} % of {yardstick['requests/s']}; rounds "
                     f"{' / '.join(map(str, figure['share of bare, every round (%)']))} %)",
                     f">= {SHARE_BOUND} %" if share_bounded else "measured", share >= SHARE_BOUND if share_bounded else None))
        rows.append((f"intake at {connections} conn: p50 / p99 (ms)",
                     f"{figure['p50 (ms)']} / {figure['p99 (ms)']} (bare {yardstick['p50 (ms)']} / {yardstick['p99 (ms)']})",
                     f"p99 <= {P99_PG_BOUND}" if p99_bounded else "measured",
                     figure["p99 (ms)"] <= P99_PG_BOUND if p99_bounded else None))
    syncing = results.get("intake at 4 connections while workers sync")
    if syncing:
        rows.append(("intake at 4 conn while workers sync: p50 / p99 (ms)",
                     f"{syncing['p50 (ms)']} / {syncing['p99 (ms)']} ({syncing['requests/s']} req/s)",
                     f"p99 <= {P99_SQLITE_BOUND}", syncing["p99 (ms)"] <= P99_SQLITE_BOUND))
    rows.append(("web / worker resident memory (MiB)",
                 f"{results['web RSS (MiB)']} / {results['worker RSS, largest process (MiB)']}", "measured", None))
    return rows


def print_rows(title: str, rows) -> None:
    print(f"\n== {title}")
    for figure, value, bound, met in rows:
        mark = "" if met is None else ("  ok" if met else "  MISSED")
        print(f"   {figure:<52} {str(value):<22} {bound}{mark}", flush=True)


def main() -> int:
    started = time.monotonic()
    results = {"python": sys.version.split()[0], "machine": platform.machine(),
               "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "labels": LABELS}
    unavailable = postgres_available()
    for backend in ("postgres", "sqlite"):
        if backend == "postgres" and unavailable:
            print(f"\n== postgres: skipped ({unavailable})")
            continue
        print(f"\n== {backend}: {LABELS}-label burst on a Standard store (3 worker processes), then intake",
              flush=True)
        results[backend] = run_backend(backend)
        results[backend]["rows"] = [list(r) for r in bounds(backend, results[backend])]
        print_rows(f"{backend} (PostgreSQL + Redis)" if backend == "postgres" else "sqlite (SQLite + SQLite queue)",
                   results[backend]["rows"])
    print("\n== orders API on 30,000 orders (SQLite)", flush=True)
    results["orders_api"] = api_pages.run()
    for key, value in results["orders_api"].items():
        print(f"   {key:<52} {value}")
    results["bench_seconds"] = round(time.monotonic() - started)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"\nsaved {RESULTS / 'latest.json'} after {results['bench_seconds']} s; "
          "`python -m bench.readme` puts the figures into README.md")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["intake"]:  # intake alone, for working on it: bench/intake_only.py
        from bench import intake_only

        raise SystemExit(intake_only.main(sys.argv[2:]))
    raise SystemExit(main())
