"""The coverage section of the transparency report: the area analysed (the jurisdiction or the cameras' extent),
the cameras that can see into it, the buildings that stop their views, and the banded, coarse public figures of
``app.core.coverage``. The Insights tab's coverage map uses the same area, cameras and buildings. No Qt."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import numpy as np

from app.core import coverage as cov
from app.core.coverage_grid import Grid, Rings, grid_for_box, rasterise_rings
from app.core.coverage_views import Wedges
from app.io.report_model import GAP, Section, Table
from app.store import insights as q

# Cameras up to this far outside the area (degrees, ~220 m) can still see into it: longer than any range × 1.2.
VIEW_MARGIN_DEG = 0.002


def coverage_area(conn: sqlite3.Connection, agency_id: int | None,
                  before: str) -> tuple[tuple[float, float, float, float], dict | None]:
    """(south, west, north, east) of the analysed area and the jurisdiction polygon (GeoJSON) if there is one."""
    text = q.jurisdiction(conn, agency_id)
    if text:
        geom = json.loads(text)
        coords = np.array([pt for ring in outer_rings(geom) for pt in ring], dtype=np.float64)
        return (float(coords[:, 1].min()), float(coords[:, 0].min()), float(coords[:, 1].max()),
                float(coords[:, 0].max())), geom
    ext = q.camera_extent(conn, before)
    if ext is None:
        return (0.0, 0.0, 0.0, 0.0), None
    return (ext[0] - 0.001, ext[1] - 0.001, ext[2] + 0.001, ext[3] + 0.001), None


def cameras_near(conn: sqlite3.Connection, box: tuple[float, float, float, float], before: str) -> np.ndarray:
    m = VIEW_MARGIN_DEG
    return q.active_cameras(conn, before, (box[0] - m, box[1] - m, box[2] + m, box[3] + m))


def outer_rings(geom: dict) -> list[list[list[float]]]:
    """Outer rings (lon, lat) of a GeoJSON Polygon or MultiPolygon."""
    if geom.get("type") == "Polygon":
        return [geom["coordinates"][0]]
    if geom.get("type") == "MultiPolygon":
        return [poly[0] for poly in geom["coordinates"]]
    raise ValueError(f"the jurisdiction is a {geom.get('type')}, not a polygon")


def coverage_section(conn: sqlite3.Connection, p: q.Period, agency_id: int | None, cell_m: float, gaps: list[str],
                     cancelled: Callable[[], bool] | None) -> Section:
    sec = Section("coverage", "Camera coverage")
    box, geom = coverage_area(conn, agency_id, p.end)
    if box[2] <= box[0]:
        sec.add("cameras", "Active cameras", 0)
        sec.notes.append("No cameras: no coverage to report.")
        return sec
    grid = grid_for_box(*box, cell_m=cell_m)
    cams = cameras_near(conn, box, p.end)
    mask = None
    if geom is not None:
        rings = [np.array(r, dtype=np.float64)[:, ::-1] for r in outer_rings(geom)]
        lat_lon = np.concatenate(rings)
        offsets = np.concatenate([[0], np.cumsum([len(r) for r in rings])])
        mask = rasterise_rings(grid, Rings.from_latlon(grid, lat_lon, offsets))
    w = Wedges.from_latlon(grid, cams[:, 0], cams[:, 1], cams[:, 2], cams[:, 3], cams[:, 4])
    inc = q.incidents_in(conn, p, agency_id)
    buildings = building_rings(conn, grid)
    if buildings is None:
        gaps.append("Buildings for coverage: " + GAP + " (no base map with building outlines); wedges are not "
                    "stopped by buildings, so coverage may be overstated.")
    r = cov.analyse(grid, w, buildings=buildings, area_mask=mask, incidents_xy=grid.to_local(inc[:, 0], inc[:, 1]),
                    cancelled=cancelled)
    pub = cov.public_cells(r, w)
    sec.add("cameras", "Active cameras at the end of the period", q.count_active_cameras(conn, p.end))
    sec.add("cameras_analysed", "Of those, cameras in or near the area analysed", len(w))
    sec.add("area_km2", "Area analysed (km² of open ground" + (", the jurisdiction)" if geom else ")"),
            round(r.area_km2, 3))
    sec.add("cell_m", "Analysis cell size (m)", cell_m)
    sec.add("uncertainty", "Uncertainty assumed", f"heading ± {r.heading_tol_deg:g}°, range ± {r.range_tol * 100:g} %; "
                                                  f"unknown heading = any direction; {r.samples} random draws")
    for key, label, band in (("seen_1", "Share of the area seen by at least 1 camera", r.seen1),
                             ("seen_3", "Share of the area seen by at least 3 cameras", r.seen3)):
        sec.add(f"{key}_worst", label + " (worst)", f"{band.worst * 100:.1f} %")
        sec.add(f"{key}_mean", label + " (mean)", f"{band.mean * 100:.1f} %")
        sec.add(f"{key}_best", label + " (best)", f"{band.best * 100:.1f} %")
    sec.add("incidents_counted", "Incidents with a location in the area during the period", r.incidents_counted)
    if r.incidents is not None and r.incidents_counted:
        for part in ("worst", "mean", "best"):
            sec.add(f"incidents_seen_{part}", f"Share of those incidents inside some camera's view ({part})",
                    f"{getattr(r.incidents, part) * 100:.1f} %")
    sec.tables.append(Table("coverage_public", f"Coverage by {pub.cell_m:.0f} m block (coarse, k = {pub.k})",
                            list(cov.PublicCell.COLUMNS),
                            [[str(v) for v in c.values()] for c in pub.cells if c.cameras or c.seen_share > 0],
                            f"Blocks holding 1 to {pub.k - 1} cameras are merged with their neighbours (up to 2 km); "
                            f"{pub.withheld_blocks} block(s) still under {pub.k} cameras are withheld; blocks with "
                            "neither cameras nor coverage are not listed. Shares are rounded to 1 %, so no camera's "
                            "location can be read from this table."))
    sec.notes.append("Each figure is a band: worst = only what every camera sees under every heading and range in the "
                     "uncertainty; best = the most it could see; mean = the average over random draws. Cameras are "
                     "those active now that were registered before the period ended.")
    return sec


def building_rings(conn: sqlite3.Connection, grid: Grid) -> Rings | None:
    """Building outlines of the store's vector base map that touch the grid; None when the store has none."""
    from app.core.basemap import AREA_KINDS
    from app.store.basemap import load_vector

    if not q.has_table(conn, "base_maps"):
        return None
    bm = load_vector(conn)
    if bm is None:
        return None
    return buildings_on_grid(grid, bm.areas.x, bm.areas.y, bm.areas.start,
                             bm.areas.code == AREA_KINDS.index("building"))


def buildings_on_grid(grid: Grid, x_merc: np.ndarray, y_merc: np.ndarray, start: np.ndarray,
                      is_building: np.ndarray) -> Rings | None:
    """The building rings (Web Mercator features end to end, ``start`` offsets) inside the grid, on its projection."""
    from app.core import geo

    keep = np.flatnonzero(is_building)
    if keep.size == 0:
        return None
    lon, lat = geo.xy_to_lonlat(x_merc, y_merc)
    gx, gy = grid.to_local(lat, lon)
    lengths = (start[1:] - start[:-1])[keep]
    idx = np.concatenate([np.arange(start[k], start[k + 1]) for k in keep.tolist()])
    xs, ys = gx[idx], gy[idx]
    owner = np.repeat(np.arange(keep.size), lengths)
    x1, y1 = grid.x0 + grid.nx * grid.cell_m, grid.y0 + grid.ny * grid.cell_m
    inside = (xs >= grid.x0) & (xs <= x1) & (ys >= grid.y0) & (ys <= y1)
    touching = np.zeros(keep.size, dtype=bool)
    touching[owner[inside]] = True
    if not touching.any():
        return None
    sel = touching[owner]
    lengths = lengths[touching]
    return Rings(np.column_stack([xs[sel], ys[sel]]), np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
