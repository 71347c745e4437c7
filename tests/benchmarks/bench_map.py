"""Map benchmark at 1,000,000 cameras (run as a script; prints medians, not collected by pytest).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_map.py

- Frame time of a 1200×800 map for a pan step and a zoom step at country, city and street zoom, against an empty
  pyqtgraph PlotWidget's frame in the same run (a frame = change the range + a synchronous viewport repaint).
- Fence selection at 1M (circle; 12-vertex polygon) against one brute-force numpy pass over all points.
- RSS of the real main window with 1M cameras loaded and the map built (in a fresh process).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QObject  # noqa: E402

N = 1_000_000
W, H = 1200, 800
RUNS = 15


def make_arrays(n: int = N):  # noqa: ANN201
    from app.core.camera_arrays import CameraArrays
    from app.core.demo_registry import large_registry

    r = large_registry(n, seed=1)
    a = CameraArrays.allocate(n)
    a.ids[:] = r["id"]
    a.lat[:] = r["lat"]
    a.lon[:] = r["lon"]
    a.kind[:] = r["kind"]
    a.source[:] = r["source"]
    a.owner_id[:] = r["owner"]
    a.opted_out[:] = np.random.default_rng(2).random(n) < 0.15
    a.heading_deg[:] = r["heading_deg"]
    a.fov_deg[:] = r["fov_deg"]
    a.range_m[:] = r["range_m"]
    a.retention_days[:] = r["retention_days"]
    a.active[:] = True
    return a


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802, ANN001 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def frame_times(app, widget, viewbox, step) -> list[float]:  # noqa: ANN001
    """A frame: change the range, then let the event loop paint it (as in the app: one paint per frame)."""
    counter = PaintCounter()
    widget.viewport().installEventFilter(counter)
    app.processEvents()
    out = []
    for i in range(RUNS + 2):
        before = counter.count
        t = time.perf_counter()
        step(viewbox, i)
        app.processEvents()
        out.append(time.perf_counter() - t)
        if counter.count == before:
            raise RuntimeError("no paint happened in a frame: the measurement would be meaningless")
    widget.viewport().removeEventFilter(counter)
    return out[2:]  # the first frames warm caches


def pan(vb, i: int) -> None:  # noqa: ANN001
    (x0, x1), _ = vb.viewRange()
    vb.translateBy(x=(x1 - x0) * (0.1 if i % 2 == 0 else -0.1))


def zoom(vb, i: int) -> None:  # noqa: ANN001
    s = 0.8 if i % 2 == 0 else 1.25
    vb.scaleBy((s, s), center=vb.viewRect().center())


def set_span(vb, x: float, y: float, span_m: float) -> None:  # noqa: ANN001
    vb.setRange(xRange=(x - span_m / 2, x + span_m / 2), yRange=(y - span_m / 3, y + span_m / 3), padding=0)


def ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def bench_frames_and_fences() -> None:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from app.core import geo
    from app.core.fence import CircleFence, PolygonFence, select_ids
    from app.map.camera_layer import CameraLayer, build_camera_data
    from app.map.canvas import MapCanvas

    app = QApplication.instance() or QApplication([])
    t = time.perf_counter()
    arrays = make_arrays()
    t_gen = time.perf_counter() - t
    t = time.perf_counter()
    data = build_camera_data(arrays)
    t_build = time.perf_counter() - t
    print(f"{N:,} cameras: generated in {t_gen:.2f} s; map data (x-sorted index + density pyramid) built in "
          f"{t_build:.2f} s (off the GUI thread in the app)")

    empty = pg.PlotWidget()
    empty.resize(W, H)
    empty.show()
    app.processEvents()
    ref_pan = ms(frame_times(app, empty, empty.getViewBox(), pan))
    ref_zoom = ms(frame_times(app, empty, empty.getViewBox(), zoom))
    empty.close()
    print(f"empty PlotWidget frame: pan {ref_pan:.2f} ms, zoom {ref_zoom:.2f} ms (median of {RUNS})")

    canvas = MapCanvas()
    canvas.resize(W, H)
    layer = CameraLayer()
    canvas.add_layer(layer)
    layer.set_data(data)
    layer.set_selected_ids(arrays.ids[::500])  # 2,000 selected cameras highlighted as well
    canvas.show()
    app.processEvents()
    cx, cy = geo.lonlat_to_xy(float(np.median(arrays.lon)), float(np.median(arrays.lat)))
    cx, cy = float(cx), float(cy)
    print(f"{'zoom':<10}{'span':>10}{'mode':>10}{'pan ms':>10}{'×empty':>8}{'zoom ms':>10}{'×empty':>8}")
    for name, span in (("country", 1_500_000.0), ("region", 150_000.0), ("city", 20_000.0), ("street", 400.0)):
        set_span(canvas.vb, cx, cy, span)
        canvas.viewport().repaint()
        p = ms(frame_times(app, canvas, canvas.vb, pan))
        mode_pan = layer.mode
        set_span(canvas.vb, cx, cy, span)
        z = ms(frame_times(app, canvas, canvas.vb, zoom))
        print(f"{name:<10}{span / 1000:>8g}km{mode_pan:>10}{p:>10.2f}{p / ref_pan:>8.1f}{z:>10.2f}{z / ref_zoom:>8.1f}")
    canvas.close()

    # Fence selection.
    c_lat, c_lon = float(np.median(arrays.lat)), float(np.median(arrays.lon))
    bearings = np.arange(12) * 30.0
    radii = np.where(np.arange(12) % 2 == 0, 1200.0, 600.0)
    la, lo = geo.destination(c_lat, c_lon, bearings, radii)
    ring = tuple(zip(la.tolist(), lo.tolist(), strict=True))
    # A new fence object every run, as when the user draws one: nothing it caches (its shapely polygon) is reused.
    for name, make in (("circle r=800 m", lambda: CircleFence(c_lat, c_lon, 800.0)),
                       ("12-vertex polygon", lambda: PolygonFence(ring))):
        times, ref_times = [], []
        for _ in range(RUNS):
            t = time.perf_counter()
            fence = make()
            got = select_ids(data.index, fence)
            times.append(time.perf_counter() - t)
            fence = make()
            t = time.perf_counter()
            ref = np.sort(arrays.ids[fence.contains(arrays.lat, arrays.lon)])
            ref_times.append(time.perf_counter() - t)
        assert np.array_equal(got, ref)
        print(f"fence {name:<18}: {ms(times):.3f} ms for {got.size:,} cameras inside "
              f"(brute-force pass over all {N:,}: {ms(ref_times):.2f} ms)")


def rss_probe() -> None:
    """In a fresh process: the real main window over an empty store, 1M cameras set, the map built and painted."""
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="bench_map_"))
    QCoreApplication.setOrganizationName("CanvassBench")
    QCoreApplication.setApplicationName("CanvassBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    from app import paths as app_paths
    from app.context import AppContext
    from app.core.records import Role
    from app.map.camera_layer import camera_data_nbytes
    from app.services.session import Session, User
    from app.store.db import open_store
    from app.views.main_window import MainWindow

    p = app_paths.init(tmp / "store", demo=False)
    conn = open_store(p.db_path, p.backup_dir)
    window = MainWindow(AppContext(p, conn, Session(conn, User(None, "bench", Role("supervisor"))), False))
    window.resize(W, H)
    window.show()
    window.show_tab("map")
    panel = window.features["map"].ensure_built()
    deadline = time.time() + 5
    while time.time() < deadline:  # let the registry tab's own (empty) first load land
        app.processEvents()
        time.sleep(0.01)
    arrays = make_arrays()
    window.registry.set_arrays(arrays)
    deadline = time.time() + 60
    while not (panel.ready and panel.camera_data.arrays is arrays) and time.time() < deadline:
        app.processEvents()
        time.sleep(0.01)
    panel.canvas.fit_all()
    window.grab()
    app.processEvents()
    rss_kb = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                  if line.startswith("VmRSS:"))
    import resource

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"main window with {N:,} cameras loaded and the map drawn: RSS {rss_kb / 1024:.0f} MB "
          f"(peak {peak_kb / 1024:.0f} MB; arrays {arrays.nbytes() / 2**20:.0f} MB, map data "
          f"{camera_data_nbytes(panel.camera_data) / 2**20:.0f} MB)")
    window.close()
    conn.close()


if __name__ == "__main__":
    if "--rss" in sys.argv:
        rss_probe()
    else:
        bench_frames_and_fences()
        subprocess.run([sys.executable, __file__, "--rss"], check=False)
