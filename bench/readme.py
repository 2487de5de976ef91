"""`python -m bench.readme`: put bench/results/latest.json's figures into README's benchmark table.

The table sits between two markers in README.md; `make bench` saves the figures and this
rewrites the table from them, so the README shows what the bench measured and nothing else.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
BACKENDS = (("postgres", "PostgreSQL + Redis"), ("sqlite", "SQLite"))


def render(results: dict) -> str:
    lines = [f"Measured by `make bench` on {results['measured_at']} (Python {results['python']}, "
             f"{results['machine']}, {results['bench_seconds']} s); figures from `bench/results/latest.json`.", "",
             "| figure | bound | " + " | ".join(title for key, title in BACKENDS if key in results) + " |",
             "|---|---|" + "---|" * sum(1 for key, _ in BACKENDS if key in results)]
    rows = {}
    for key, _ in BACKENDS:
        for figure, value, bound, met in results.get(key, {}).get("rows", []):
            mark = "" if met is None else (" ✓" if met else " ✗")
            rows.setdefault(figure, {"bound": bound})[key] = f"{value}{mark}"
    for figure, cells in rows.items():
        lines.append(f"| {figure} | {cells['bound']} | "
                     + " | ".join(cells.get(key, "–") for key, _ in BACKENDS if key in results) + " |")
    lines.append("")
    lines.append("Orders API on 30,000 orders (SQLite): " + "; ".join(
        f"{name} {value}" for name, value in results.get("orders_api", {}).items() if "ms" in name) + ".")
    return "\n".join(lines)


def main() -> int:
    results = json.loads((ROOT / "bench" / "results" / "latest.json").read_text())
    readme = ROOT / "README.md"
    text = readme.read_text()
    table = f"{START}\n{render(results)}\n{END}"
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: table, text, flags=re.S)
    readme.write_text(new)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
