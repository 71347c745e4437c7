"""Base-map benchmark (run as a script; prints medians, not collected by pytest).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_basemap.py

- Map frames (1200×800, pan step and zoom step) with a synthetic base map of ~200,000 street segments under the
  1,000,000-camera registry, at country, city and street zoom, against the same canvas without the base map in
  the same run (the camera-only frames the issue quotes as 4–6 ms).
- Loading the stored base map (read the BLOBs, rebuild the arrays) and handing it to the map layer.
- Importing Andorra's extract (read with pyosmium, stored in one transaction) into a fresh store.
- The address search per keystroke over 100,000 addresses: every prefix of a few typed queries.
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

from tests.benchmarks.bench_map import RUNS, frame_times, make_arrays, ms, pan, set_span, zoom  # noqa: E402

W, H = 1200, 800
ANDORRA = Path(__file__).resolve().parents[3] / "shared" / "data" / "andorra-osm" / "andorra.osm.pbf"


def synthetic_basemap(target_segments: int = 200_000, n_addresses: int = 100_000, seed: int = 3):  # noqa: ANN201
    """Towns on street grids where the benchmark registry's cameras are (around Harbor Falls), motorways between
    them, one name per street line, house-number points along the streets."""
    from app.core.basemap import ROAD_CLASSES, Addresses, BaseMap, Features
    from app.core.demo_registry import _METERS_PER_DEG_LAT, CENTER_LAT, SHORE_LON, _meters_per_deg_lon
    from app.core.geo import lonlat_to_xy

    rng = np.random.default_rng(seed)
    per_m_lon = _meters_per_deg_lon(CENTER_LAT)

    def xy(dx: np.ndarray, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return lonlat_to_xy(SHORE_LON + dx / per_m_lon, CENTER_LAT + dy / _METERS_PER_DEG_LAT)

    towns = [(float(abs(rng.normal(0, 7000)) + 1500), float(rng.normal(0, 9000))) for _ in range(12)]
    side, spacing, vertex_step = 8000.0, 120.0, 60.0
    parts, codes, names_of, names = [], [], [], []
    segments = 0
    for t, (tx, ty) in enumerate(towns):
        lines = int(side // spacing) + 1
        along = np.arange(0.0, side + 1, vertex_step)
        for k in range(lines):
            off = k * spacing
            cls = "primary" if k % 10 == 0 else ("secondary" if k % 5 == 0 else "residential")
            for horizontal in (True, False):
                dx = tx - side / 2 + (along if horizontal else np.full_like(along, off))
                dy = ty - side / 2 + (np.full_like(along, off) if horizontal else along)
                parts.append(xy(dx, dy))
                codes.append(ROAD_CLASSES.index(cls))
                names_of.append(len(names))
                names.append(f"Town {t + 1} {k + 1}{'st' if k == 0 else 'th'} {'Street' if horizontal else 'Avenue'}")
                segments += along.size - 1
                if segments >= target_segments:
                    break
            if segments >= target_segments:
                break
        if segments >= target_segments:
            break
    for a, b in zip(towns, towns[1:], strict=False):  # motorways between the towns
        s = np.linspace(0, 1, 200)
        parts.append(xy(a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s))
        codes.append(ROAD_CLASSES.index("motorway"))
        names_of.append(-1)
    roads = Features.from_parts(parts, codes, names_of)
    # Addresses: points beside random road vertices of named streets, numbered along them.
    named = np.flatnonzero(roads.name >= 0)
    pick = rng.choice(named, n_addresses)
    within = rng.integers(0, np.diff(roads.start)[pick])
    v = roads.start[pick] + within
    street = roads.name[pick]
    numbers = [str(int(w) * 2 + 100 + int(r)) for w, r in zip(within.tolist(), rng.integers(0, 2, n_addresses).tolist(),
                                                                strict=True)]
    addresses = Addresses(roads.x[v] + 12.0, roads.y[v] + 12.0, street.astype(np.int32), numbers)
    return BaseMap("synthetic", "synthetic", names, roads, Features.empty(), Features.empty(), addresses)


def bench_frames(bm) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QApplication

    from app.core import geo
    from app.map.basemap_layer import BaseMapLayer
    from app.map.camera_layer import CameraLayer, build_camera_data
    from app.map.canvas import MapCanvas

    app = QApplication.instance() or QApplication([])
    arrays = make_arrays()
    data = build_camera_data(arrays)
    print(f"base map: {len(bm.roads):,} roads, {bm.roads.segments:,} segments, {len(bm.addresses):,} addresses; "
          f"{len(arrays):,} cameras")
    canvas = MapCanvas()
    canvas.resize(W, H)
    base = BaseMapLayer()
    canvas.add_layer(base)
    cams = CameraLayer()
    canvas.add_layer(cams)
    cams.set_data(data)
    canvas.show()
    app.processEvents()
    cx, cy = geo.lonlat_to_xy(float(np.median(arrays.lon)), float(np.median(arrays.lat)))
    cx, cy = float(cx), float(cy)
    rows = []
    for with_base in (False, True):
        base.set_basemap(bm if with_base else None)
        if with_base:
            t = time.perf_counter()
            base.finish_prebuild()  # in the app: in 4-ms slices between frames
            print(f"coarse levels' paths built in {time.perf_counter() - t:.2f} s")
        for name, span in (("country", 1_500_000.0), ("region", 150_000.0), ("city", 20_000.0),
                           ("district", 2_000.0), ("street", 400.0)):
            set_span(canvas.vb, cx, cy, span)
            canvas.viewport().repaint()  # builds the paths this zoom needs (once; cached after)
            p = frame_times(app, canvas, canvas.vb, pan)
            set_span(canvas.vb, cx, cy, span)
            z = frame_times(app, canvas, canvas.vb, zoom)
            rows.append((with_base, name, span, ms(p), max(p) * 1000, ms(z), max(z) * 1000,
                         base.frame_stats.get("paths", 0)))
    print(f"{'zoom':<9}{'span':>9}{'cameras only pan/zoom ms':>28}{'+ base map pan/zoom ms':>26}{'worst':>9}"
          f"{'paths':>7}")
    plain = {r[1]: r for r in rows if not r[0]}
    for r in rows:
        if not r[0]:
            continue
        c = plain[r[1]]
        print(f"{r[1]:<9}{r[2] / 1000:>7g}km{c[3]:>16.2f} / {c[5]:<9.2f}{r[3]:>14.2f} / {r[5]:<9.2f}"
              f"{max(r[4], r[6]):>7.1f}{r[7]:>7}")
    first = []
    base.set_basemap(bm, prebuild=False)  # without the builder: the first frame at each zoom builds its paths
    for span in (1_500_000.0, 150_000.0, 20_000.0, 2_000.0, 400.0):
        set_span(canvas.vb, cx, cy, span)
        t = time.perf_counter()
        canvas.viewport().repaint()
        first.append(f"{span / 1000:g} km {(time.perf_counter() - t) * 1000:.0f} ms")
    print("first frame at each zoom without the background builder:", ", ".join(first))
    canvas.close()


def bench_store(bm) -> None:  # noqa: ANN001
    from app.map.basemap_layer import BaseMapLayer
    from app.store import basemap as store
    from app.store.db import open_store

    with tempfile.TemporaryDirectory() as d:
        conn = open_store(Path(d) / "s.sqlite3")
        t = time.perf_counter()
        store.save_vector(conn, bm, "bench")
        t_save = time.perf_counter() - t
        loads, hands = [], []
        for _ in range(5):
            t = time.perf_counter()
            back = store.load_vector(conn)
            loads.append(time.perf_counter() - t)
            layer = BaseMapLayer()
            t = time.perf_counter()
            layer.set_basemap(back, prebuild=False)  # the path builder runs in the background after this
            hands.append(time.perf_counter() - t)
        size = (Path(d) / "s.sqlite3").stat().st_size + (Path(d) / "s.sqlite3-wal").stat().st_size
        conn.close()
    print(f"stored base map: saved in {t_save:.2f} s ({size / 1e6:.1f} MB); load {ms(loads):.0f} ms (off the GUI "
          f"thread) + layer set-up {ms(hands):.0f} ms (GUI thread) = {ms(loads) + ms(hands):.0f} ms, median of 5")


def bench_andorra() -> None:
    from app.core.records import Role
    from app.services.map.base_maps import add_base_map
    from app.services.session import Session, User
    from app.store.db import open_store

    if not ANDORRA.is_file():
        print(f"Andorra extract not found at {ANDORRA}")
        return
    times, read_times = [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as d:
            conn = open_store(Path(d) / "s.sqlite3")
            session = Session(conn, User(None, "bench", Role.ADMIN))
            t = time.perf_counter()
            added = add_base_map(conn, session, ANDORRA)
            times.append(time.perf_counter() - t)
            conn.close()
        from app.io.osm_reader import read_osm

        t = time.perf_counter()
        read_osm(ANDORRA)
        read_times.append(time.perf_counter() - t)
    print(f"Andorra import (read + store): {statistics.median(times):.2f} s (reading alone "
          f"{statistics.median(read_times):.2f} s), median of 3; {added.info.counts['roads']:,} roads, "
          f"{added.info.counts['road_segments']:,} segments")


def bench_search(bm) -> None:  # noqa: ANN001
    from app.core.address_index import AddressIndex

    t = time.perf_counter()
    index = AddressIndex(bm)
    t_build = time.perf_counter() - t
    queries = ["Town 3 12th Street", "214 Town 7 40th Avenue", "Town 2 5th Street & Town 2 20th Avenue",
               "town 11 6", "451 town 1 33th st", "Town 9 7th Avenue 300"]
    per_key = []
    for q in queries:
        for k in range(1, len(q) + 1):
            t = time.perf_counter()
            index.search(q[:k])
            per_key.append(time.perf_counter() - t)
    hit = index.search(queries[1])[0]
    print(f"address search over {len(bm.addresses):,} addresses and {len(index.streets):,} streets: index built in "
          f"{t_build:.2f} s; per keystroke median {ms(per_key):.2f} ms, 95th percentile "
          f"{np.percentile(per_key, 95) * 1000:.2f} ms, worst {max(per_key) * 1000:.2f} ms over {len(per_key)} "
          f"keystrokes (e.g. {queries[1]!r} → {hit.label!r}, {hit.kind})")


def main() -> None:
    t = time.perf_counter()
    bm = synthetic_basemap()
    print(f"synthetic base map made in {time.perf_counter() - t:.2f} s; runs per figure: {RUNS}")
    bench_search(bm)
    bench_store(bm)
    bench_andorra()
    bench_frames(bm)


if __name__ == "__main__":
    main()
