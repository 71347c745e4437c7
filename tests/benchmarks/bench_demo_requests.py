"""The demo city's footage requests: the cost they add to a first demo launch, and to every later one.

Run: .venv/bin/python tests/benchmarks/bench_demo_requests.py [--runs 7] [--cameras 3000]

Each run copies one prepared demo store (city + users, made once) and times ensure_demo_requests on it; the
reference measured in the same run is ensure_demo_city on an empty store (the first launch's existing cost),
so the figure reads "the requests add x % to what the city already costs". The later-launch figure is the call
on a store that already has its requests (one EXISTS query). Medians of --runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.services.accountability import auth  # noqa: E402
from app.services.requests.demo import ensure_demo_requests  # noqa: E402
from app.store.db import open_store  # noqa: E402
from app.store.demo import ensure_demo_city  # noqa: E402

TODAY = date(2026, 6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cameras", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        city_s, requests_s, again_s = [], [], []
        made = 0
        for run in range(args.runs):
            path = base / f"city-{run}.sqlite3"
            conn = open_store(path)
            t0 = time.perf_counter()
            ensure_demo_city(conn, n_cameras=args.cameras, today=TODAY)
            city_s.append(time.perf_counter() - t0)
            auth.ensure_demo_users(conn)
            conn.close()
            copy = base / f"requests-{run}.sqlite3"
            shutil.copy(path, copy)
            conn = open_store(copy)
            t0 = time.perf_counter()
            made = ensure_demo_requests(conn)
            requests_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            ensure_demo_requests(conn)
            again_s.append(time.perf_counter() - t0)
            conn.close()
    city, requests, again = (statistics.median(v) for v in (city_s, requests_s, again_s))
    print(f"demo city of {args.cameras} cameras, median of {args.runs} runs")
    print(f"  ensure_demo_city (reference)     {city * 1000:8.1f} ms")
    print(f"  ensure_demo_requests ({made} made)   {requests * 1000:8.1f} ms  = {requests / city:.2f}x the city")
    print(f"  ensure_demo_requests, later      {again * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
