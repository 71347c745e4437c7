"""Registry table over 1,000,000 cameras: load_arrays, model + first paint, jump to the last row, sort, filter, RSS.

Run: .venv/bin/python tests/benchmarks/bench_registry_table.py [--cameras N] [--runs K] [--keep DIR]
Prints medians of K runs, and ratios against references measured in the same run:
  - load_arrays against the previous fetchall() loader (run in a subprocess, so its peak memory is its own);
  - first paint / jump against a QTableView over a trivial 1,000-row model (what any table costs to paint).
Targets (issue 2): first paint and jump to the last row each under 20 ms; whole app under 300 MB at 1M cameras.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

KINDS = ["doorbell", "floodlight", "spotlight", "indoor", "business_cctv", "city_cctv"]
SOURCES = ["self_registered", "program_distributed", "imported"]
STREETS = [f"{n} {kind}" for n in ("Cedar", "Harbor", "Elm", "Pier", "Mill", "Oak", "Bay", "Tide")
           for kind in ("Avenue", "Street", "Road", "Lane", "Court")]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_store(path: Path, n: int, seed: int = 42) -> None:
    """n cameras (about 0.8 owners per camera, 1 in 7 opted out) generated with numpy, inserted with executemany."""
    from app.store.db import open_store, transaction

    rng = np.random.default_rng(seed)
    n_owners = int(n * 0.8)
    conn = open_store(path)
    chunk = 100_000
    with transaction(conn):
        for start in range(0, n_owners, chunk):
            ids = range(start + 1, min(start + chunk, n_owners) + 1)
            conn.executemany("INSERT INTO owners (id, display_name, anonymity_no, consent, created_at) "
                             "VALUES (?, ?, ?, ?, '2024-01-01T00:00:00Z')",
                             ((i, f"Resident {i}", i, "opt_out" if i % 7 == 0 else "opt_in") for i in ids))
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            owner = rng.integers(1, n_owners + 1, m)
            owner_or_none = [None if o % 10 == 0 else o for o in owner.tolist()]
            kind = rng.integers(0, len(KINDS), m)
            source = rng.integers(0, len(SOURCES), m)
            lat = (44.63 + rng.normal(0, 0.08, m)).round(6)
            lon = (-124.0 + rng.normal(0, 0.08, m)).round(6)
            heading = (rng.integers(0, 72, m) * 5.0)
            fov = rng.choice([90.0, 110.0, 140.0, 150.0, 360.0], m)
            range_m = rng.uniform(5, 60, m).round(1)
            retention = rng.choice([7, 14, 30, 60, 90], m)
            house = rng.integers(1, 9999, m)
            street = rng.integers(0, len(STREETS), m)
            labels = [f"{h} {STREETS[s]}" for h, s in zip(house.tolist(), street.tolist(), strict=True)]
            ext = [f"EXT-{start + i}" if s == 2 else None for i, s in enumerate(source.tolist())]
            conn.executemany(
                "INSERT INTO cameras (owner_id, lat, lon, kind, heading_deg, fov_deg, range_m, retention_days, source,"
                " registered_on, label, external_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '2024-01-01T00:00:00Z', ?, ?)",
                zip(owner_or_none, lat.tolist(), lon.tolist(), [KINDS[k] for k in kind.tolist()], heading.tolist(),
                    fov.tolist(), range_m.tolist(), retention.tolist(), [SOURCES[s] for s in source.tolist()],
                    labels, ext, strict=True))
    conn.close()


OLD_LOADER = r"""
import resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[2])
from app.store.db import connect
from app.core.records import KIND_CODES, SOURCE_CODES
Q = '''SELECT c.id, c.lat, c.lon, c.kind, c.source, IFNULL(c.owner_id, -1), IFNULL(o.consent = 'opt_out', 0),
       IFNULL(c.heading_deg, 'nan'), IFNULL(c.fov_deg, 'nan'), IFNULL(c.range_m, 'nan'),
       IFNULL(c.retention_days, 'nan'), c.active FROM cameras c LEFT JOIN owners o ON o.id = c.owner_id ORDER BY c.id'''
conn = connect(sys.argv[1])
t = time.perf_counter()
rows = conn.execute(Q).fetchall()
cols = list(zip(*rows))
ki = {k: i for i, k in enumerate(KIND_CODES)}
si = {s: i for i, s in enumerate(SOURCE_CODES)}
out = [np.array(cols[0], np.int64), np.array(cols[1]), np.array(cols[2]), np.array([ki[k] for k in cols[3]], np.int8),
       np.array([si[s] for s in cols[4]], np.int8), np.array(cols[5], np.int64), np.array(cols[6], bool),
       np.array(cols[7], np.float32), np.array(cols[8], np.float32), np.array(cols[9], np.float32),
       np.array(cols[10], np.float32), np.array(cols[11], bool)]
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def median_ms(fn, runs: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated store in this folder")
    parser.add_argument("--window-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.window_only:
        window_only(args.keep)
        return

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-registry-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "canvass.sqlite3"
    if not db_path.exists():
        t = time.perf_counter()
        build_store(db_path, args.cameras)
        print(f"built store: {args.cameras:,} cameras in {time.perf_counter() - t:.1f} s ({db_path})")
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QHeaderView, QTableView

    from app.models.camera_table_model import COL_LAT, CameraTableModel
    from app.store.camera_arrays import load_arrays
    from app.store.db import connect

    app = QApplication(sys.argv[:1])
    conn = connect(db_path)

    # --- load_arrays (median of 3: each is a full read) vs the old fetchall loader --------------------------
    load_times = []
    for _ in range(3):
        t = time.perf_counter()
        arrays = load_arrays(conn)
        load_times.append(time.perf_counter() - t)
    load_s = statistics.median(load_times)
    rows_per_s = len(arrays) / load_s
    old = subprocess.run([sys.executable, "-c", OLD_LOADER, str(db_path), str(Path(__file__).resolve().parents[2])],
                         capture_output=True, text=True, check=True).stdout.split()
    old_s, old_peak = float(old[0]), float(old[1])
    print(f"load_arrays: {len(arrays):,} cameras, median {load_s:.2f} s ({rows_per_s:,.0f} rows/s), arrays "
          f"{arrays.nbytes() / 1e6:.0f} MB, process peak {peak_mb():.0f} MB")
    print(f"  reference fetchall loader: {old_s:.2f} s, its process peak {old_peak:.0f} MB  ->  speed-up "
          f"{old_s / load_s:.2f}x")

    # --- reference: a plain table of 1,000 constant rows -------------------------------------------------------
    class Plain(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):  # noqa: ANN001, ANN202, B008, N802
            return 0 if parent.isValid() else 1000

        def columnCount(self, parent=QModelIndex()):  # noqa: ANN001, ANN202, B008, N802
            return 0 if parent.isValid() else 14

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, ANN202
            return f"{index.row()}:{index.column()}" if role == Qt.ItemDataRole.DisplayRole else None

    def make_view(model: QAbstractTableModel) -> QTableView:
        view = QTableView()
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setVisible(False)
        view.setModel(model)
        view.resize(1280, 800)
        view.show()
        return view

    def paint_times(make) -> tuple[float, float]:  # noqa: ANN001
        first, jump = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            view = make_view(make())
            view.grab()
            first.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            view.scrollToBottom()
            view.grab()
            jump.append((time.perf_counter() - t) * 1000)
            view.close()
            view.deleteLater()
            app.processEvents()
        return statistics.median(first), statistics.median(jump)

    ref_first, ref_jump = paint_times(Plain)
    cam_first, cam_jump = paint_times(lambda: CameraTableModel(conn, arrays))
    print(f"reference 1,000-row table: first paint {ref_first:.1f} ms, jump to last row {ref_jump:.1f} ms")
    print(f"camera table, {len(arrays):,} rows: model + first paint {cam_first:.1f} ms "
          f"({cam_first / ref_first:.2f}x reference), jump to last row {cam_jump:.1f} ms "
          f"({cam_jump / ref_jump:.2f}x)  [target < 20 ms each]")

    model = CameraTableModel(conn, arrays)
    sort_ms = median_ms(lambda: model.sort(COL_LAT, Qt.SortOrder.DescendingOrder), 3)
    kind_ms = median_ms(lambda: (model.set_filter(kinds=[0]), model.set_filter(kinds=None)), 3) / 2
    matches: list[int] = []
    text_ms = median_ms(lambda: (model.set_filter(text="harbor"), matches.append(model.rowCount()),
                                 model.set_filter(text="")), 3)
    print(f"sort by latitude {sort_ms:.0f} ms; kind filter {kind_ms:.0f} ms; text filter 'harbor' (SQLite scan, run "
          f"off the GUI thread by the tab) {text_ms:.0f} ms -> {matches[0]:,} rows")

    # --- the whole app, in a fresh process so its memory is its own ------------------------------------------
    conn.close()
    out = subprocess.run([sys.executable, __file__, "--keep", str(folder), "--window-only"], capture_output=True,
                         text=True, check=True).stdout
    print(out.strip())


def window_only(folder: Path) -> None:
    """The real main window over the store: arrays loaded off the GUI thread, then paint, jump and memory."""
    baseline_rss = rss_mb()
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from app import paths as app_paths
    from app.context import AppContext
    from app.core.records import Role
    from app.services.session import Session, User
    from app.store.db import open_store
    from app.views.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("CanvassBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))
    paths = app_paths.init(folder)
    store = open_store(paths.db_path, paths.backup_dir)
    window = MainWindow(AppContext(paths, store, Session(store, User(None, "bench", Role.SUPERVISOR))))
    window.show()
    tab = window.show_tab("registry")
    t = time.perf_counter()
    while not tab.loaded and time.perf_counter() - t < 120:
        app.processEvents()
        time.sleep(0.005)
    loaded_s = time.perf_counter() - t
    app.processEvents()
    paints, jumps = [], []
    for _ in range(5):
        tab.table.scrollToTop()
        t = time.perf_counter()
        tab.table.grab()
        paints.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        tab.table.scrollToBottom()
        tab.table.grab()
        jumps.append((time.perf_counter() - t) * 1000)
    print(f"main window ({len(window.registry.arrays):,} cameras): registry loaded off the GUI thread in "
          f"{loaded_s:.2f} s; table paint {statistics.median(paints):.1f} ms, jump to last row "
          f"{statistics.median(jumps):.1f} ms (medians of 5); RSS {rss_mb():.0f} MB, peak {peak_mb():.0f} MB "
          f"(Python + numpy before Qt: {baseline_rss:.0f} MB)")
    window.close()
    store.close()

if __name__ == "__main__":
    main()
