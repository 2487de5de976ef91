"""Run every benchmark and print a table; results also go to bench/results/latest.json."""
from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

from bench import api_pages, labels, sync_throughput

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    results = {"python": sys.version.split()[0], "machine": platform.machine()}
    for name, module in (("label_webhook", labels), ("orders_api", api_pages), ("sync", sync_throughput)):
        print(f"== {name}", flush=True)
        results[name] = module.run()
        for key, value in results[name].items():
            print(f"   {key:<40} {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    print(f"saved {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
