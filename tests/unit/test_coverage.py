"""Coverage against hand-computed cases on a 100 m × 100 m grid of 10 m cells (cell centres at 5, 15, …, 95).

Every camera below stands at (50, 50), on a corner shared by four cells, so the centres around it are at offsets
±5, ±15, ±25 m. The expected cells are listed by hand from the wedge rule (centre within range and within half
the field of view of the heading)."""

from __future__ import annotations

import numpy as np
import pytest

from app.core import coverage as cv
from app.core import coverage_grid as cg
from app.core import coverage_views as cw

EXACT = {"heading_tol_deg": 0.0, "range_tol": 0.0, "samples": 0}


def grid() -> cg.Grid:
    return cg.grid_for_extent(100, 100, 10)


def cams(*specs: tuple[float, float, float, float, float]) -> cw.Wedges:
    a = np.array(specs, dtype=np.float64).reshape(-1, 5)
    return cw.Wedges(a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4])


def cells(counts: np.ndarray, at_least: int = 1) -> set[tuple[int, int]]:
    """Seen cells as (dx, dy) offsets of their centres from (50, 50)."""
    rows, cols = np.nonzero(counts >= at_least)
    return {(int(c) * 10 + 5 - 50, int(r) * 10 + 5 - 50) for r, c in zip(rows, cols, strict=True)}


# North-facing, 90°, 30 m: dy > 0, |dx| <= dy, dx² + dy² <= 900.
NORTH_WEDGE = {(-5, 5), (5, 5), (-15, 15), (-5, 15), (5, 15), (15, 15), (-15, 25), (-5, 25), (5, 25), (15, 25)}
EAST_WEDGE = {(dy, dx) for dx, dy in NORTH_WEDGE}
DISK_30 = {(sx * a, sy * b) for a, b in [(5, 5), (5, 15), (15, 5), (5, 25), (25, 5), (15, 15), (15, 25), (25, 15)]
           for sx in (-1, 1) for sy in (-1, 1)}


def test_one_camera_known_wedge() -> None:
    r = cv.analyse(grid(), cams((50, 50, 0, 90, 30)), **EXACT)
    assert cells(r.counts) == NORTH_WEDGE
    assert r.area_cells == 100
    assert r.seen1 == cv.Band(0.10, 0.10, 0.10)
    assert r.seen3.best == 0.0


def test_two_overlapping_cameras_and_a_third() -> None:
    r = cv.analyse(grid(), cams((50, 50, 0, 90, 30), (50, 50, 90, 90, 30)), **EXACT)
    assert cells(r.counts, 2) == {(5, 5), (15, 15)}          # the diagonal both wedges contain
    assert r.seen1.mean == pytest.approx(len(NORTH_WEDGE | EAST_WEDGE) / 100) == pytest.approx(0.18)
    r3 = cv.analyse(grid(), cams((50, 50, 0, 90, 30), (50, 50, 90, 90, 30), (50, 50, np.nan, 360, 30)), **EXACT)
    assert len(DISK_30) == 32 and cells(r3.counts) == DISK_30
    assert r3.seen1.mean == pytest.approx(0.32)
    assert r3.seen3.mean == pytest.approx(0.02)


def test_camera_facing_away_from_an_incident() -> None:
    incidents = (np.array([55.0, 55.0]), np.array([35.0, 65.0]))   # behind the camera; in front of it
    r = cv.analyse(grid(), cams((50, 50, 0, 90, 30)), incidents_xy=incidents, **EXACT)
    assert r.incidents_counted == 2
    assert r.incidents == cv.Band(0.5, 0.5, 0.5)
    # Even the widest heading uncertainty (±15°) does not turn the camera round.
    wide = cv.analyse(grid(), cams((50, 50, 0, 90, 30)), incidents_xy=(np.array([55.0]), np.array([35.0])))
    assert wide.incidents.best == 0.0


def test_building_blocks_half_a_wedge() -> None:
    # A wall east of the camera's axis, 10–20 m ahead: cells with centres x 55..95, y 65 are building.
    wall = cg.Rings.from_list([[(50, 60), (100, 60), (100, 70), (50, 70)]])
    blocked = cg.rasterise_rings(grid(), wall)
    assert cells(blocked) == {(dx, 15) for dx in (5, 15, 25, 35, 45)}
    r = cv.analyse(grid(), cams((50, 50, 0, 90, 30)), buildings=wall, **EXACT)
    west = {c for c in NORTH_WEDGE if c[0] < 0}
    assert cells(r.counts) == west | {(5, 5)}                 # east half: only the cell before the wall
    assert r.area_cells == 95 and r.building_cells == 5
    assert r.seen1.mean == pytest.approx(6 / 95)


def test_camera_on_its_own_building_sees_out() -> None:
    house = cg.Rings.from_list([[(40, 40), (60, 40), (60, 50.5), (40, 50.5)]])   # the camera is inside it
    r = cv.analyse(grid(), cams((50, 50, 0, 90, 30)), buildings=house, **EXACT)
    assert cells(r.counts) == NORTH_WEDGE


def test_bands_order_and_unknown_heading() -> None:
    rng = np.random.default_rng(3)
    w = cams(*[(x, y, h, 110, 25) for x, y, h in zip(rng.uniform(0, 100, 12), rng.uniform(0, 100, 12),
                                                      rng.uniform(0, 360, 12), strict=True)])
    r = cv.analyse(grid(), w, samples=6)
    assert r.seen1.worst <= r.seen1.mean <= r.seen1.best
    assert r.seen1.worst < r.nominal_seen1 < r.seen1.best
    again = cv.analyse(grid(), w, samples=6)
    assert again.seen1 == r.seen1                              # seeded: the same figures every time
    unknown = cv.analyse(grid(), cams((50, 50, np.nan, 90, 30)))
    # Unknown heading: best is the whole disk of 30 m × 1.2 = 36 m (per quadrant the 9 centres at offsets 5, 15, 25
    # — (25, 25) is 1,250 <= 1,296 — plus (5, 35) and (35, 5): 11 cells, 44 in all); worst is nothing.
    assert unknown.seen1.worst == 0.0
    assert unknown.seen1.best == pytest.approx(44 / 100)
    assert 0.0 < unknown.seen1.mean < 0.44


def test_grid_for_box_and_projection() -> None:
    g = cg.grid_for_box(39.28, -76.62, 39.30, -76.60, cell_m=10)
    assert g.ny == 223 and 170 <= g.nx <= 174                 # 0.02° is 2,224 m north–south, ~1,722 m east–west
    lat, lon = g.to_latlon(*g.to_local(39.29, -76.61))
    assert float(lat) == pytest.approx(39.29) and float(lon) == pytest.approx(-76.61)
    with pytest.raises(ValueError):
        cg.grid_for_box(39.3, -76.6, 39.2, -76.5)


def test_public_cells_are_k_anonymous() -> None:
    g = cg.grid_for_extent(1000, 1000, 10)
    xs = [10, 20] + [800 + i for i in range(10)]                # 2 cameras in one 250 m block, 10 in another
    w = cams(*[(x, x, 0, 90, 20) for x in xs])
    r = cv.analyse(g, w, **EXACT)
    pub = cv.public_cells(r, w, cell_m=250, k=5)
    assert all(c.cameras == 0 or c.cameras >= 5 for c in pub.cells)
    assert sum(c.cameras for c in pub.cells) == 12
    assert max(c.size_m for c in pub.cells) == 1000          # the lone pair forced a merge up to 1 km
    w2 = cams(*[(x, x, 0, 90, 20) for x in [10 + i for i in range(6)] + [800 + i for i in range(5)]])
    pub2 = cv.public_cells(cv.analyse(g, w2, **EXACT), w2, cell_m=250, k=5)
    assert {c.size_m for c in pub2.cells} == {250} and len(pub2.cells) == 16
    assert all(0.0 <= c.seen_share <= 1.0 and round(c.seen_share * 100, 6) % 1 == 0 for c in pub2.cells)


def test_coverage_image_colours() -> None:
    counts = np.array([[0, 1], [2, 7]], dtype=np.uint16)
    img = cv.coverage_rgba(counts)
    assert img.shape == (2, 2, 4) and img[0, 0, 3] == 0 and img[1, 1, 3] > img[1, 0, 3] > img[0, 1, 3] > 0
