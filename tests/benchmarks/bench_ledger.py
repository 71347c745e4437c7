"""Ledger balances over 10,000 entries recomputed (target < 20 ms), and the full consistency check.

Run: .venv/bin/python tests/benchmarks/bench_ledger.py   (prints figures, asserts nothing)
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.ledger import CREDIT, DISTRIBUTION, SHIPMENT, Entry, balances, check_ledger  # noqa: E402

N = 10_000
RUNS = 15


def entries() -> list[Entry]:
    out: list[Entry] = []
    start = date(2020, 1, 1)
    ship_id = give_id = credit_id = 0
    for k in range(N):
        day = (start + timedelta(days=k // 5)).isoformat()
        if k % 50 == 0:
            ship_id += 1
            out.append(Entry(SHIPMENT, ship_id, day, 60))
        elif k % 97 == 0:
            credit_id += 1
            out.append(Entry(CREDIT, credit_id, day, 3, downloads=61))
        else:
            give_id += 1
            out.append(Entry(DISTRIBUTION, give_id, day, 1, ship_id, day if k % 3 else None, conditional=k % 7 == 0))
    return out[::-1]  # stored order is not ledger order


def main() -> None:
    rows = entries()
    times, checks = [], []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        b = balances(rows)
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        problems = check_ledger(rows)
        checks.append(time.perf_counter() - t0)
    print(f"balances over {len(rows):,} entries: median {statistics.median(times) * 1000:.2f} ms "
          f"(min {min(times) * 1000:.2f}, max {max(times) * 1000:.2f}); final {b.final()}")
    print(f"full consistency check (balances + every refusal rule): median {statistics.median(checks) * 1000:.2f} ms;"
          f" {len(problems)} problems")


if __name__ == "__main__":
    main()
