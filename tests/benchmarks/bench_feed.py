"""Feed of 200,000 posts: first paint of the feed view and a filter change (target < 50 ms each).

Run: .venv/bin/python tests/benchmarks/bench_feed.py   (prints figures, asserts nothing)
The store is built once in a temporary folder; loading the feed's arrays from SQLite is timed apart (it is what a
reload costs; the view is then painted from the arrays, reading the text of the visible rows only).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

N = 200_000
RUNS = 7


def build_store(path: Path) -> None:
    from app.core.posts import CATEGORIES
    from app.store.db import open_store, transaction

    conn = open_store(path)
    rng = np.random.default_rng(1)
    start = int(time.time()) - 5 * 365 * 86400  # the last five years
    occurred = np.sort(rng.integers(start, start + 5 * 365 * 86400, N))
    cats = rng.integers(0, len(CATEGORIES), N)
    mapped = rng.random(N) < 0.8
    lat = 39.2 + rng.random(N) * 0.2
    lon = -76.7 + rng.random(N) * 0.2
    states = rng.choice(["published", "pending", "held", "rejected"], N, p=[0.85, 0.1, 0.02, 0.03])
    with transaction(conn):
        conn.executemany(
            "INSERT INTO incidents (occurred_at, lat, lon, category, text, source, block_address, moderation, "
            "created_at) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', ?, 'unixepoch'), ?, ?, ?, ?, ?, ?, ?, "
            "strftime('%Y-%m-%dT%H:%M:%SZ', ?, 'unixepoch'))",
            ((int(occurred[i]), float(lat[i]) if mapped[i] else None, float(lon[i]) if mapped[i] else None,
              CATEGORIES[cats[i]], f"Post {i}: something happened on the block, neighbours beware.",
              "resident_post" if i % 3 else "agency_report", f"{(i % 40) * 100} block of Union Av", str(states[i]),
              int(occurred[i]) + 600) for i in range(N)))
    conn.close()


class _Ctx:
    def __init__(self, conn) -> None:  # noqa: ANN001
        from app.core.records import Role
        from app.services.session import Session, User

        self.conn = conn
        self.session = Session(conn, User(1, "sue", Role.SUPERVISOR))
        self.demo = False


def main() -> None:
    app = QApplication.instance() or QApplication([])
    from app.store.db import open_store
    from app.store.feed import load_feed

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.sqlite3"
        t0 = time.perf_counter()
        build_store(path)
        print(f"store with {N:,} posts built in {time.perf_counter() - t0:.1f} s")
        conn = open_store(path)
        loads = []
        for _ in range(3):
            t0 = time.perf_counter()
            arrays = load_feed(conn)
            loads.append(time.perf_counter() - t0)
        print(f"load the feed's arrays from SQLite: median {statistics.median(loads) * 1000:.0f} ms")

        from app.views.program.feed_view import FeedView

        window = QMainWindow()
        window.ctx = _Ctx(conn)  # type: ignore[attr-defined]
        window.resize(1200, 800)
        firsts, filters = [], []
        for run in range(RUNS):
            view = FeedView.__new__(FeedView)
            store_load = load_feed
            import app.views.program.feed_view as fv

            fv.store.load_feed = lambda _c, a=arrays: a  # the arrays are loaded above; time the view itself
            t0 = time.perf_counter()
            FeedView.__init__(view, window, None)
            window.setCentralWidget(view)
            window.show()
            view.table.viewport().repaint()
            app.processEvents()
            firsts.append(time.perf_counter() - t0)
            fv.store.load_feed = store_load
            cats = view.category
            t0 = time.perf_counter()
            cats.setCurrentIndex(1 + run % (cats.count() - 1))  # a category: the filter runs, the table repaints
            view.table.viewport().repaint()
            app.processEvents()
            filters.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            view.when.setCurrentIndex(4)
            view.table.viewport().repaint()
            filters.append(time.perf_counter() - t0)
        print(f"feed view first paint ({N:,} posts, status 'published' = {view.model.rowCount():,} rows after the "
              f"last filter): median {statistics.median(firsts) * 1000:.1f} ms (runs: "
              + ", ".join(f"{t * 1000:.0f}" for t in firsts) + ")")
        print(f"filter change (category / time, repainted): median {statistics.median(filters) * 1000:.1f} ms "
              "(runs: " + ", ".join(f"{t * 1000:.0f}" for t in filters) + ")")
        conn.close()


if __name__ == "__main__":
    main()
