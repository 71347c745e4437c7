"""Benchmark: the Insights dashboards over 1,000,000 cameras and 10,000 requests, and the transparency report.

Targets (issue 14): every plot drawn under 300 ms after a filter change; the report (PDF + HTML + CSV) under 10 s.
The store: the demo city (its agency, jurisdiction, program ledger) plus a 1,000,000-camera registry and 10,000
sent requests with 25 owner notices each (250,000 recipient rows) and outcomes, built once in a temporary folder.
Measured (median of RUNS):
  load       — reading the dashboards' facts from the store (once per data change, off the GUI thread);
  filter     — a filter change (period, then agency, then area, in turn): every series recomputed, every plot's
               items updated with setData, and the whole dashboard painted (grab());
  report     — build_report + the plots as PNG + PDF + HTML + CSV written.
Reference, in the same run: painting the same dashboard with no change (grab() alone).

Run: .venv/bin/python tests/benchmarks/bench_insights.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

N_CAMERAS = 1_000_000
N_REQUESTS = 10_000
NOTICES = 25
RUNS = 5


def build_store(folder: Path) -> Path:
    from app.core.demo_registry import large_registry
    from app.store.db import open_store, transaction
    from app.store.demo import ensure_demo_city, insert_registry

    db = folder / "canvass.sqlite3"
    conn = open_store(db)
    ensure_demo_city(conn, n_cameras=3000, today=date(2026, 11, 10))
    insert_registry(conn, large_registry(N_CAMERAS), registered_on="2025-06-01T00:00:00Z")
    rng = np.random.default_rng(5)
    agency = conn.execute("SELECT id FROM agencies LIMIT 1").fetchone()[0]
    lat0, lon0 = conn.execute("SELECT avg(lat), avg(lon) FROM cameras").fetchone()
    owners = conn.execute("SELECT max(id) FROM owners").fetchone()[0]
    states = ["shared", "declined", "no_footage", "no_response", "pending"]
    with transaction(conn):
        for i in range(N_REQUESTS):
            day = int(rng.integers(0, 540))
            sent = f"{date.fromordinal(date(2025, 5, 1).toordinal() + day).isoformat()}T12:00:00Z"
            lat = lat0 + rng.normal(0, 0.03)
            lon = lon0 + rng.normal(0, 0.03)
            area = f'{{"kind": "circle", "center": [{lat:.6f}, {lon:.6f}], "radius_m": 300}}'
            conn.execute(
                "INSERT INTO footage_requests (id, agency_id, case_number, offense_category, area_kind, area_json, "
                "window_start, window_end, created_at, sent_at, state, public_no) VALUES (?, ?, ?, 'burglary', "
                "'circle', ?, ?, ?, ?, ?, ?, ?)",
                (100_000 + i, agency, f"HF-2026-{i:05d}", area, sent, sent, sent, sent,
                 "resolved" if i % 3 else "sent", 100_000 + i))
            own = rng.choice(owners, NOTICES, replace=False) + 1
            st = rng.choice(len(states), NOTICES, p=[0.15, 0.15, 0.1, 0.5, 0.1])
            conn.executemany("INSERT INTO recipients (request_id, owner_id, state, responded_at) VALUES (?, ?, ?, ?)",
                             [(100_000 + i, int(o), states[s], sent if s < 3 else None)
                              for o, s in zip(own.tolist(), st.tolist(), strict=True)])
            if i % 3:
                conn.execute("INSERT INTO request_outcomes (request_id, footage_useful, led_to_arrest, recorded_at) "
                             "VALUES (?, ?, ?, ?)", (100_000 + i, int(rng.random() < 0.3), int(rng.random() < 0.1),
                                                     sent))
    conn.close()
    return db


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from app.core.insights import Filters, InsightData
    from app.io.report import build_report
    from app.io.report_files import write_report_files
    from app.plots.dashboard import Dashboard
    from app.plots.report_charts import chart_images
    from app.plots.report_pdf import write_pdf
    from app.services.requests.policy_settings import get_limits
    from app.store import insights as q
    from app.store.db import connect

    app = QApplication.instance() or QApplication([])
    keep = os.environ.get("BENCH_STORE")   # a folder to build the store in once and reuse (it is ~1 GB)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        folder = Path(keep) if keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "canvass.sqlite3" if (folder / "canvass.sqlite3").exists() else build_store(folder)
        print(f"store built in {time.perf_counter() - t:.0f} s ({N_CAMERAS:,} + 3,000 cameras, {N_REQUESTS:,} "
              f"requests, {N_REQUESTS * NOTICES:,} notices)")
        conn = connect(db)
        loads = []
        for _ in range(3):
            t = time.perf_counter()
            facts = q.load_facts(conn)
            loads.append(time.perf_counter() - t)
        data = InsightData(facts)
        board = Dashboard()
        board.resize(1400, 1100)
        board.show()
        board.set_data(data)
        board.refresh_now()
        app.processEvents()
        board.grab()
        agency = int(facts.requests.agency[0])
        district = int(np.bincount(np.maximum(facts.requests.district - facts.requests.district.min(), 0)).argmax()
                       + facts.requests.district.min())
        day0 = (date(2025, 9, 1) - date(1970, 1, 1)).days
        changes = [Filters(day0, day0 + 180), Filters(day0, day0 + 180, agency), Filters(day0, day0 + 365, agency,
                                                                                          district), Filters()]
        # First jurisdiction use per agency computes its camera mask once (then it is cached): time it apart.
        t = time.perf_counter()
        data.camera_mask(Filters(agency_id=agency))
        first_agency = time.perf_counter() - t
        filt, ref = [], []
        for k in range(RUNS * len(changes)):
            t = time.perf_counter()
            board.set_filters(changes[k % len(changes)])
            board.refresh_now()
            board.grab()
            filt.append(time.perf_counter() - t)
            t = time.perf_counter()
            board.grab()
            ref.append(time.perf_counter() - t)
        reports = []
        with tempfile.TemporaryDirectory() as out:
            for _ in range(3):
                t = time.perf_counter()
                r = build_report(conn, date(2025, 1, 1), date(2026, 12, 31), get_limits(conn))
                write_report_files(Path(out), r, chart_images(r.charts), "", pdf=write_pdf)
                reports.append(time.perf_counter() - t)
            size = sum(p.stat().st_size for p in Path(out).iterdir())
        conn.close()
    f, rf = statistics.median(filt), statistics.median(ref)
    print(f"load facts           {statistics.median(loads):6.2f} s (off the GUI thread, once per data change)")
    print(f"filter change        {f * 1000:6.0f} ms median, {max(filt) * 1000:.0f} ms worst, all {len(board.plots)} "
          f"plots recomputed, set and painted  (paint alone {rf * 1000:.0f} ms: {f / rf:.1f}×)")
    print(f"first use of an agency's jurisdiction mask over 1M cameras: {first_agency * 1000:.0f} ms (then cached)")
    print(f"transparency report  {statistics.median(reports):6.2f} s median (PDF + HTML + CSV, {size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
